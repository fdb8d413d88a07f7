import type { EntityManager } from 'typeorm';
import type { CloseReason, OpenStage, PresentingConcern, Referral, ReferralSource, ReferralStage, RepeatCallerCandidate, Urgency } from '../domain';

/** A referral with what intake keeps beside the lifecycle: whose it is, what they came with, when key steps happened. */
export interface StoredReferral {
  readonly referral: Referral;
  readonly patientId: string;
  readonly presentingConcerns: readonly PresentingConcern[];
  readonly concernNotes?: string;
  readonly assessedAt?: Date;
  readonly admittedAt?: Date;
  readonly repeatCaller?: RepeatCallerCandidate;
  /** A referral that continues an earlier episode: a transfer from another site, or aftercare's readmission referral. */
  readonly continues?: Continuation;
}

export type ReadmissionReason = 'relapse' | 'high-risk' | 'patient-request';

export type Continuation =
  | { readonly kind: 'transfer'; readonly priorEpisodeId: string }
  | { readonly kind: 'readmission'; readonly priorEpisodeId: string; readonly readmissionReferralId: string; readonly reason: ReadmissionReason };

export interface ReferralRow {
  referral_id: string;
  patient_id: string;
  site_id: string;
  source: ReferralSource;
  source_detail: string | null;
  urgency: Urgency;
  presenting_concerns: PresentingConcern[];
  concern_notes: string | null;
  stage: ReferralStage;
  received_at: Date;
  last_changed_at: Date;
  assessment_appointment_at: Date | null;
  closure: { reason: CloseReason; closedAt: string; closedAtStage: OpenStage } | null;
  assessed_at: Date | null;
  admitted_at: Date | null;
  repeat_caller: RepeatCallerCandidate | null;
  continues_kind: 'transfer' | 'readmission' | null;
  prior_episode_id: string | null;
  readmission_referral_id: string | null;
  readmission_reason: ReadmissionReason | null;
}

function continuationOf(row: ReferralRow): Continuation | undefined {
  if (row.continues_kind === 'transfer' && row.prior_episode_id) return { kind: 'transfer', priorEpisodeId: row.prior_episode_id };
  if (row.continues_kind === 'readmission' && row.prior_episode_id && row.readmission_referral_id && row.readmission_reason) {
    return { kind: 'readmission', priorEpisodeId: row.prior_episode_id, readmissionReferralId: row.readmission_referral_id, reason: row.readmission_reason };
  }
  return undefined;
}

export function toStoredReferral(row: ReferralRow): StoredReferral {
  const referral: Referral = {
    id: row.referral_id,
    siteId: row.site_id,
    source: row.source,
    ...(row.source_detail ? { sourceDetail: row.source_detail } : {}),
    urgency: row.urgency,
    receivedAt: row.received_at,
    stage: row.stage,
    lastChangedAt: row.last_changed_at,
    ...(row.assessment_appointment_at ? { assessmentAppointmentAt: row.assessment_appointment_at } : {}),
    ...(row.closure ? { closure: { ...row.closure, closedAt: new Date(row.closure.closedAt) } } : {}),
  };
  const continues = continuationOf(row);
  return {
    referral,
    patientId: row.patient_id,
    presentingConcerns: row.presenting_concerns,
    ...(row.concern_notes ? { concernNotes: row.concern_notes } : {}),
    ...(row.assessed_at ? { assessedAt: row.assessed_at } : {}),
    ...(row.admitted_at ? { admittedAt: row.admitted_at } : {}),
    ...(row.repeat_caller ? { repeatCaller: row.repeat_caller } : {}),
    ...(continues ? { continues } : {}),
  };
}

export const referralRepository = {
  /** With `lock`, concurrent steps on one referral queue behind each other instead of both passing the stage check. */
  async find(manager: EntityManager, referralId: string, lock = false): Promise<StoredReferral | null> {
    const rows: ReferralRow[] = await manager.query(`SELECT * FROM referrals WHERE referral_id = $1${lock ? ' FOR UPDATE' : ''}`, [referralId]);
    return rows[0] ? toStoredReferral(rows[0]) : null;
  },

  async forPatient(manager: EntityManager, patientId: string): Promise<StoredReferral[]> {
    const rows: ReferralRow[] = await manager.query(`SELECT * FROM referrals WHERE patient_id = $1 ORDER BY received_at`, [patientId]);
    return rows.map(toStoredReferral);
  },

  /** The referral created from aftercare's readmission referral, or the transfer that continues an episode, if there is one. */
  async continuing(manager: EntityManager, by: { readmissionReferralId: string } | { transferOf: string }): Promise<StoredReferral | null> {
    const rows: ReferralRow[] =
      'readmissionReferralId' in by
        ? await manager.query(`SELECT * FROM referrals WHERE readmission_referral_id = $1`, [by.readmissionReferralId])
        : await manager.query(`SELECT * FROM referrals WHERE prior_episode_id = $1 AND continues_kind = 'transfer'`, [by.transferOf]);
    return rows[0] ? toStoredReferral(rows[0]) : null;
  },

  async insert(manager: EntityManager, stored: StoredReferral, createdBy: string): Promise<void> {
    const r = stored.referral;
    const c = stored.continues;
    await manager.query(
      `INSERT INTO referrals (referral_id, patient_id, site_id, source, source_detail, urgency, presenting_concerns, concern_notes,
         stage, received_at, last_changed_at, repeat_caller, created_by, continues_kind, prior_episode_id, readmission_referral_id, readmission_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        r.id,
        stored.patientId,
        r.siteId,
        r.source,
        r.sourceDetail ?? null,
        r.urgency,
        stored.presentingConcerns,
        stored.concernNotes ?? null,
        r.stage,
        r.receivedAt,
        r.lastChangedAt,
        stored.repeatCaller ? JSON.stringify(stored.repeatCaller) : null,
        createdBy,
        c?.kind ?? null,
        c?.priorEpisodeId ?? null,
        c?.kind === 'readmission' ? c.readmissionReferralId : null,
        c?.kind === 'readmission' ? c.reason : null,
      ],
    );
  },

  /** Writes the lifecycle state the domain returned; the first time a referral is assessed or admitted is kept for the pipeline. */
  async saveLifecycle(manager: EntityManager, referral: Referral): Promise<void> {
    await manager.query(
      `UPDATE referrals SET stage = $2, last_changed_at = $3, assessment_appointment_at = $4, closure = $5,
         assessed_at = CASE WHEN $2 = 'assessed' THEN coalesce(assessed_at, $3) ELSE assessed_at END,
         admitted_at = CASE WHEN $2 = 'admitted' THEN $3 ELSE admitted_at END
       WHERE referral_id = $1`,
      [
        referral.id,
        referral.stage,
        referral.lastChangedAt,
        referral.assessmentAppointmentAt ?? null,
        referral.closure ? JSON.stringify({ ...referral.closure, closedAt: referral.closure.closedAt.toISOString() }) : null,
      ],
    );
  },
};
