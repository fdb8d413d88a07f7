import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { AuthorizationExpiring, BillableDayRecorded, BillableDayVoided } from '@iop/contracts';
import { Outbox, onEvent, type EventHandler } from '@iop/messaging';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER, PeriodicJob } from '@iop/platform';
import { authorizationRepository, type AuthorizationWarning } from './authorizations';
import { afterDischarge, treatmentEnded } from './episode-end';

/** Who queued a verification that runs before an authorisation review; the worker asks the payer afresh for it. */
export const AUTHORIZATION_REVIEW = 'authorization-review';

const outbox = new Outbox('insurance');
const today = (): string => new Date().toISOString().slice(0, 10);
const PROGRAM_FOR_CODE = { H0015: 'substance-use', S9480: 'mental-health' } as const;

/**
 * Raises, in the caller's transaction, the warnings newly in force for one authorisation: one
 * `insurance.authorization-expiring` event naming them, and, because a concurrent review or an extension is about
 * to be asked for, a fresh verification of the patient's coverage queued for the worker (a plan that lapsed
 * since admission is better found now than after the payer denies the review). Each warning is raised once.
 */
export async function raiseAuthorizationWarnings(manager: EntityManager, authorizationId: string, on: string = today()): Promise<AuthorizationWarning[]> {
  const watched = await authorizationRepository.lockForWatch(manager, authorizationId, on);
  if (!watched) return [];
  const { status, warned } = watched;
  // The patient has left treatment at the site: nobody will ask the payer for more units or days.
  if (await treatmentEnded(manager, status.siteId, status.patientId)) return [];
  const raised = status.warnings.filter((w) => !warned.includes(w));
  if (raised.length === 0) return [];
  await outbox.add(manager, AuthorizationExpiring, {
    authorizationId: status.authorizationId,
    patientId: status.patientId,
    siteId: status.siteId,
    payerId: status.payerId,
    serviceCode: status.serviceCode,
    unitsApproved: status.unitsApproved,
    unitsUsed: status.unitsUsed,
    unitsRemaining: status.unitsRemaining,
    endDate: status.endDate,
    warnings: [...status.warnings],
    raised,
    occurredAt: new Date().toISOString(),
  });
  await authorizationRepository.markWarned(manager, authorizationId, [...warned, ...raised]);
  if (raised.some((w) => w !== 'ended')) {
    await manager.query(
      `INSERT INTO insurance.verifications (verification_id, site_id, patient_id, service_date, program_type, status, requested_by)
       SELECT gen_random_uuid(), $1, $2, $3::date, $4, 'queued', $5
        WHERE NOT EXISTS (SELECT 1 FROM insurance.verifications
                           WHERE site_id = $1 AND patient_id = $2 AND requested_by = $5 AND service_date = $3::date)`,
      [status.siteId, status.patientId, on, PROGRAM_FOR_CODE[status.serviceCode], AUTHORIZATION_REVIEW],
    );
  }
  return raised;
}

/**
 * Attendance's billable days use up authorised units: a day whose attended minutes reached the per-diem minimum uses
 * the units the event gives in the payer's measure (`payerUnits`: 1 a day, or 1 a half day and 2 a full day for a payer
 * that counts half days; 1 when absent); a day under it (discrete service lines) uses none, nor does a day after the
 * episode's discharge. A day recorded again with other units replaces its units. A correction that takes a day below
 * the minimum voids it, and its units are given back. Events are keyed by patient, so a day's record and void arrive in order.
 */
export const authorizationUsageHandlers: readonly EventHandler[] = [
  onEvent(BillableDayRecorded, async (d, meta, manager) => {
    // After the discharge the episode has no authorised days: a day attendance still bills then is the coordinators' to look at, not a unit.
    if (await afterDischarge(manager, d)) return;
    const charged = await authorizationRepository.recordUsage(manager, {
      eventId: meta.id,
      siteId: d.siteId,
      patientId: d.patientId,
      serviceDate: d.serviceDate,
      serviceCode: d.billingCode,
      units: d.payerUnits ?? 1,
    });
    if (charged) await raiseAuthorizationWarnings(manager, charged);
  }),
  onEvent(BillableDayVoided, async (d, _meta, manager) => {
    await authorizationRepository.releaseUsage(manager, { siteId: d.siteId, patientId: d.patientId, serviceDate: d.serviceDate, serviceCode: d.billingCode });
  }),
];

/** Date warnings need no event to trigger them: an hourly sweep raises `ending-soon` and `ended` as days pass. */
@Injectable()
export class AuthorizationSweep extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(LOGGER) log: Logger,
  ) {
    super(log, 'authorization sweep');
  }

  protected intervalMs(): number {
    return Number(process.env['AUTHORIZATION_SWEEP_INTERVAL_MS'] ?? 60 * 60 * 1000);
  }

  protected async tick(): Promise<void> {
    await this.sweep(today());
  }

  /** Raises the date warnings due on `on`; returns how many authorisations got a warning. Safe to repeat. */
  async sweep(on: string): Promise<number> {
    const due = await inScopedTransaction(this.dataSource, ALL_SITES, (m) => authorizationRepository.dueForDateWarnings(m, on));
    let warned = 0;
    for (const id of due) {
      // One transaction per authorisation: one that fails does not hold back the rest.
      const raised = await inScopedTransaction(this.dataSource, ALL_SITES, (m) => raiseAuthorizationWarnings(m, id, on));
      if (raised.length > 0) warned += 1;
    }
    if (warned > 0) this.log.info({ warned, on }, 'raised authorization date warnings');
    return warned;
  }
}
