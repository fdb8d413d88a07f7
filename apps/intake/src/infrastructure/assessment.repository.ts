import type { EntityManager } from 'typeorm';
import type { AsamProfile, Gad7Score, LevelOfCare, LevelOfCareRecommendation, Phq9Score } from '../domain';

/** The level of care decided, as stored: the override's time is kept as text. */
export interface StoredDecision {
  readonly level: LevelOfCare;
  readonly plannedWeeklyHours?: number;
  readonly decidedBy: 'rule-table' | 'clinician-override';
  readonly override?: {
    readonly clinicianId: string;
    readonly at: string;
    readonly level: LevelOfCare;
    readonly weeklyHours?: number;
    readonly reason: string;
  };
}

export interface StoredAssessment {
  readonly assessmentId: string;
  readonly referralId: string;
  readonly patientId: string;
  readonly siteId: string;
  readonly ratings: AsamProfile;
  readonly phq9: Phq9Score;
  readonly gad7: Gad7Score;
  readonly recommendation: LevelOfCareRecommendation;
  readonly decision: StoredDecision;
  readonly assessedBy: string;
  readonly assessedAt: Date;
}

interface AssessmentRow {
  assessment_id: string;
  referral_id: string;
  patient_id: string;
  site_id: string;
  ratings: AsamProfile;
  phq9: Phq9Score;
  gad7: Gad7Score;
  recommendation: LevelOfCareRecommendation;
  decision: StoredDecision;
  assessed_by: string;
  assessed_at: Date;
}

export const assessmentRepository = {
  async forReferral(manager: EntityManager, referralId: string, lock = false): Promise<StoredAssessment | null> {
    const rows: AssessmentRow[] = await manager.query(`SELECT * FROM assessments WHERE referral_id = $1${lock ? ' FOR UPDATE' : ''}`, [referralId]);
    const r = rows[0];
    return r
      ? {
          assessmentId: r.assessment_id,
          referralId: r.referral_id,
          patientId: r.patient_id,
          siteId: r.site_id,
          ratings: r.ratings,
          phq9: r.phq9,
          gad7: r.gad7,
          recommendation: r.recommendation,
          decision: r.decision,
          assessedBy: r.assessed_by,
          assessedAt: r.assessed_at,
        }
      : null;
  },

  async insert(manager: EntityManager, a: StoredAssessment): Promise<void> {
    await manager.query(
      `INSERT INTO assessments (assessment_id, referral_id, patient_id, site_id, ratings, phq9, gad7, recommendation, decision, assessed_by, assessed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        a.assessmentId,
        a.referralId,
        a.patientId,
        a.siteId,
        JSON.stringify(a.ratings),
        JSON.stringify(a.phq9),
        JSON.stringify(a.gad7),
        JSON.stringify(a.recommendation),
        JSON.stringify(a.decision),
        a.assessedBy,
        a.assessedAt,
      ],
    );
  },

  async saveDecision(manager: EntityManager, assessmentId: string, decision: StoredDecision): Promise<void> {
    await manager.query(`UPDATE assessments SET decision = $2 WHERE assessment_id = $1`, [assessmentId, JSON.stringify(decision)]);
  },
};
