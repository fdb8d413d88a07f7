import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { PatientAdmitted } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER, PeriodicJob } from '@iop/platform';
import { applyEarlierDischarge } from './episode-end';
import { knowPatientAtSite } from './patient-site-read-model';

/** Intake's admissions tell insurance who is in treatment, and since when (and, like a referral, which site has the patient). */
export const episodeHandlers: readonly EventHandler[] = [
  onEvent(PatientAdmitted, async (a, _meta, manager) => {
    await manager.query(
      `INSERT INTO insurance.episodes (episode_id, site_id, patient_id, program_type, planned_start, admitted_at, referral_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (episode_id) DO NOTHING`,
      [a.episodeId, a.siteId, a.patientId, a.programType, a.plannedStart, a.occurredAt, a.referralId],
    );
    await applyEarlierDischarge(manager, a.episodeId);
    await knowPatientAtSite(manager, { patientId: a.patientId, siteId: a.siteId, referralId: a.referralId });
  }),
];

/**
 * IOP runs 8 to 12 weeks, sometimes months. An episode counts as in treatment until it ends (aftercare discharges the
 * patient, or intake closes the referral: see episode-end.ts), and at most this long after its start.
 */
export const TREATMENT_HORIZON_DAYS = 120;

/** Who queued a start-of-month re-verification. */
export const MONTHLY_REVERIFICATION = 'monthly-reverification';

/**
 * Coverage changes under a patient mid-treatment (job loss, a new plan year), so every patient in treatment is
 * re-verified at the start of each month: one queued verification per patient and site per calendar month, which
 * the coverage worker runs like a saga request (a failure becomes a phone task; no answer goes to intake).
 */
@Injectable()
export class MonthlyReverification extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(LOGGER) log: Logger,
  ) {
    super(log, 'monthly re-verification');
  }

  protected intervalMs(): number {
    return Number(process.env['REVERIFICATION_INTERVAL_MS'] ?? 60 * 60 * 1000);
  }

  protected async tick(): Promise<void> {
    await this.queueDue(new Date().toISOString().slice(0, 10));
  }

  /** Queues the month's re-verifications not yet done; returns how many. Safe to run any number of times a day, on any number of replicas at once. */
  async queueDue(today: string): Promise<number> {
    const rows = (await inScopedTransaction(this.dataSource, ALL_SITES, (m) =>
      m.query(
        `INSERT INTO insurance.verifications (verification_id, site_id, patient_id, service_date, program_type, status, requested_by, reverification_month)
         SELECT gen_random_uuid(), e.site_id, e.patient_id, $1::date, e.program_type, 'queued', $3, date_trunc('month', $1::date)::date
           FROM (SELECT DISTINCT ON (site_id, patient_id) * FROM insurance.episodes
                  WHERE planned_start <= $1::date AND planned_start > $1::date - $2::int AND ended_at IS NULL
                  ORDER BY site_id, patient_id, planned_start DESC) e
          WHERE NOT EXISTS (SELECT 1 FROM insurance.verifications v
                             WHERE v.site_id = e.site_id AND v.patient_id = e.patient_id
                               AND v.service_date >= date_trunc('month', $1::date) AND v.service_date <= $1::date)
         -- Two replicas running at once both pass NOT EXISTS: the unique index lets one of them queue the month.
         ON CONFLICT (site_id, patient_id, reverification_month) DO NOTHING
         RETURNING verification_id`,
        [today, TREATMENT_HORIZON_DAYS, MONTHLY_REVERIFICATION],
      ),
    )) as unknown[];
    if (rows.length > 0) this.log.info({ queued: rows.length, today }, 'queued monthly re-verifications');
    return rows.length;
  }
}
