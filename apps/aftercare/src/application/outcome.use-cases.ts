import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AftercareSafetyConcernRaised, OutcomeRecorded } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { scoreBam, scoreGad7, scorePhq9, type BamAnswers, type BamScore, type Gad7Score, type MeasureAnswers, type Phq9Score } from '@iop/domain';
import { Outbox } from '@iop/messaging';
import { DomainError, UnitOfWork } from '@iop/platform';
import { dischargeNotFound, followUpNotFound } from './follow-up-errors';

export interface CheckInInput {
  readonly followUpId?: string | undefined;
  readonly takenAt?: string | undefined;
  readonly phq9?: MeasureAnswers | undefined;
  readonly gad7?: MeasureAnswers | undefined;
  readonly bam?: BamAnswers | undefined;
  readonly daysAbstinent?: number | undefined;
}

/** PHQ-9 item 9 (thoughts of self-harm) as intake grades it. */
const PHQ9_ITEM9_RISK = { 1: 'low', 2: 'moderate', 3: 'high' } as const;

type Scored<T> = { ok: true; value: T } | { ok: false; error: { issues: ReadonlyArray<{ item: number; message: string }> } };

/**
 * An outcome check-in after discharge, scored as intake scores its screens (libs/domain). A positive PHQ-9 item 9
 * raises `aftercare.safety-concern-raised` in the same transaction, so it leaves as soon as the check-in is saved.
 */
@Injectable()
export class OutcomeCheckIns {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  record(episodeId: string, input: CheckInInput) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const [discharge] = (await manager.query(
        `SELECT patient_id, site_id, (discharged_on::timestamp AT TIME ZONE time_zone) AS discharged_at FROM aftercare.follow_up_discharges WHERE episode_id = $1`,
        [episodeId],
      )) as Array<{ patient_id: string; site_id: string; discharged_at: Date }>;
      if (!discharge) throw dischargeNotFound(episodeId);
      if (input.followUpId) {
        const found = (await manager.query(`SELECT 1 FROM aftercare.follow_ups WHERE follow_up_id = $1 AND episode_id = $2`, [
          input.followUpId,
          episodeId,
        ])) as unknown[];
        if (found.length === 0) throw followUpNotFound(input.followUpId);
      }
      const takenAt = input.takenAt ? new Date(input.takenAt) : new Date();
      if (takenAt.getTime() > Date.now() + 5 * 60_000) throw new DomainError('outcome.in-the-future', 'takenAt is in the future', 422);
      if (takenAt.getTime() < discharge.discharged_at.getTime()) throw new DomainError('outcome.before-discharge', 'takenAt is before the discharge date', 422);

      const phq9: Scored<Phq9Score> | null = input.phq9 ? scorePhq9(input.phq9) : null;
      const gad7: Scored<Gad7Score> | null = input.gad7 ? scoreGad7(input.gad7) : null;
      const bam: Scored<BamScore> | null = input.bam ? scoreBam(input.bam) : null;
      const issues = [
        ...(phq9 && !phq9.ok ? phq9.error.issues.map((i) => ({ measure: 'phq9', ...i })) : []),
        ...(gad7 && !gad7.ok ? gad7.error.issues.map((i) => ({ measure: 'gad7', ...i })) : []),
        ...(bam && !bam.ok ? bam.error.issues.map((i) => ({ measure: 'bam', ...i })) : []),
      ];
      if (issues.length > 0) {
        throw new DomainError(
          'outcome.invalid-answers',
          `The check-in cannot be scored: ${issues.map((i) => `${i.measure.toUpperCase()} ${i.message}`).join(' ')}`,
          422,
          {
            issues,
          },
        );
      }
      const p = phq9?.ok ? phq9.value : null;
      const g = gad7?.ok ? gad7.value : null;
      const b = bam?.ok ? bam.value : null;

      const checkInId = randomUUID();
      await manager.query(
        `INSERT INTO aftercare.outcome_check_ins (check_in_id, episode_id, follow_up_id, patient_id, site_id, taken_at,
           phq9_answers, phq9_total, phq9_band, gad7_answers, gad7_total, gad7_band, bam_answers, bam_use, bam_risk, bam_protective, bam_progress,
           days_abstinent, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
        [
          checkInId,
          episodeId,
          input.followUpId ?? null,
          discharge.patient_id,
          discharge.site_id,
          takenAt,
          p ? input.phq9 : null,
          p?.total ?? null,
          p?.band ?? null,
          g ? input.gad7 : null,
          g?.total ?? null,
          g?.band ?? null,
          b ? JSON.stringify(input.bam) : null,
          b?.use ?? null,
          b?.risk ?? null,
          b?.protective ?? null,
          b?.progressSatisfaction ?? null,
          input.daysAbstinent ?? null,
          principal.subject,
        ],
      );
      const item9 = input.phq9?.[8];
      let concernId: string | null = null;
      if (p?.safetyFollowUpRequired && (item9 === 1 || item9 === 2 || item9 === 3)) {
        concernId = randomUUID();
        const riskLevel = PHQ9_ITEM9_RISK[item9];
        await manager.query(
          `INSERT INTO aftercare.outcome_safety_concerns (concern_id, check_in_id, episode_id, site_id, risk_level, origin, raised_at) VALUES ($1, $2, $3, $4, $5, 'phq-9', $6)`,
          [concernId, checkInId, episodeId, discharge.site_id, riskLevel, takenAt],
        );
        await this.outbox.add(
          manager,
          AftercareSafetyConcernRaised,
          {
            concernId,
            episodeId,
            patientId: discharge.patient_id,
            siteId: discharge.site_id,
            checkInId,
            riskLevel,
            origin: 'phq-9',
            occurredAt: new Date().toISOString(),
          },
          { correlationId: requestId },
        );
      }
      await this.outbox.add(
        manager,
        OutcomeRecorded,
        {
          checkInId,
          episodeId,
          patientId: discharge.patient_id,
          siteId: discharge.site_id,
          followUpId: input.followUpId ?? null,
          takenAt: takenAt.toISOString(),
          phq9: p ? { total: p.total, band: p.band } : null,
          gad7: g ? { total: g.total, band: g.band } : null,
          bam: b ? { use: b.use, risk: b.risk, protective: b.protective } : null,
          daysAbstinent: input.daysAbstinent ?? null,
          occurredAt: new Date().toISOString(),
        },
        { correlationId: requestId },
      );
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'create', resource: `outcome-check-in:${checkInId}`, patientId: discharge.patient_id, siteId: discharge.site_id },
      );
      return {
        checkInId,
        episodeId,
        followUpId: input.followUpId ?? null,
        takenAt: takenAt.toISOString(),
        phq9: p ? { total: p.total, band: p.band, safetyFollowUpRequired: p.safetyFollowUpRequired } : null,
        gad7: g ? { total: g.total, band: g.band } : null,
        bam: b ? { use: b.use, risk: b.risk, protective: b.protective, progressSatisfaction: b.progressSatisfaction } : null,
        daysAbstinent: input.daysAbstinent ?? null,
        safetyConcernId: concernId,
      };
    });
  }
}
