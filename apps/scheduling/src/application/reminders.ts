import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ReminderDue, type PayloadOf } from '@iop/contracts';
import { Outbox } from '@iop/messaging';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER, PeriodicJob } from '@iop/platform';
import { returned } from './enrolment-store';

interface SentRow {
  reminder_id: string;
  source_kind: 'session' | 'appointment';
  source_id: string;
  holder_kind: 'patient' | 'clinician';
  holder_id: string;
  site_id: string;
  starts_at: Date;
  lead: '24h' | '2h';
}

/** Reminders written per pass at most; the next pass takes the rest. */
const BATCH = 1000;

/**
 * `scheduling.reminder-due` 24 hours and 2 hours before each commitment of a patient or a clinician (a group session
 * or an appointment), for the notification service to send. Exactly once across restarts and replicas: the reminder's
 * row in `reminders_sent` (keyed by commitment, holder and lead) and its outbox event commit in one transaction, and
 * `ON CONFLICT DO NOTHING` makes a second pass, or a second instance racing this one, write neither. A commitment
 * less than 2 hours away gets only the 2-hour reminder; a rescheduled appointment forgets its reminders (see
 * Appointments.reschedule) and is reminded of its new time.
 */
@Injectable()
export class ReminderSweep extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(LOGGER) log: Logger,
  ) {
    super(log, 'reminders');
  }

  protected intervalMs(): number {
    return Number(process.env['REMINDER_INTERVAL_MS'] ?? 60_000);
  }

  protected async tick(): Promise<void> {
    await this.runOnce(new Date());
  }

  /** One pass at `now`; returns the reminders it emitted. */
  async runOnce(now: Date): Promise<number> {
    return inScopedTransaction(this.dataSource, ALL_SITES, async (manager) => {
      const rows = returned<SentRow>(
        await manager.query(
          `INSERT INTO scheduling.reminders_sent (source_kind, source_id, holder_kind, holder_id, lead, site_id, starts_at)
           SELECT c.source_kind, c.source_id, c.holder_kind, c.holder_id, l.lead, c.site_id, lower(c.during)
             FROM scheduling.commitments c
             JOIN (VALUES ('24h', interval '24 hours', interval '2 hours'), ('2h', interval '2 hours', interval '0 hours')) AS l(lead, hi, lo)
               ON lower(c.during) > $1::timestamptz + l.lo AND lower(c.during) <= $1::timestamptz + l.hi
            WHERE c.holder_kind IN ('patient', 'clinician')
            ORDER BY lower(c.during), c.commitment_id
            LIMIT $2
           ON CONFLICT DO NOTHING
           RETURNING reminder_id, source_kind, source_id, holder_kind, holder_id, site_id, starts_at, lead`,
          [now, BATCH],
        ),
      );
      const occurredAt = new Date().toISOString();
      const payloads: Array<PayloadOf<typeof ReminderDue>> = rows.map((r) => ({
        reminderId: r.reminder_id,
        sourceKind: r.source_kind,
        sourceId: r.source_id,
        holderKind: r.holder_kind,
        holderId: r.holder_id,
        siteId: r.site_id,
        startsAt: new Date(r.starts_at).toISOString(),
        lead: r.lead,
        occurredAt,
      }));
      for (const p of payloads) await this.outbox.add(manager, ReminderDue, p);
      if (payloads.length > 0) this.log.info({ reminders: payloads.length }, 'reminders due');
      return payloads.length;
    });
  }
}
