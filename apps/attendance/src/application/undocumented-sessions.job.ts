import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { GroupSessionUndocumented } from '@iop/contracts';
import { Outbox } from '@iop/messaging';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER, PeriodicJob } from '@iop/platform';
import { ATTENDEE_STATUSES, DOCUMENTATION_DUE_MS } from '../domain/group-documentation';
import { undocumentedLookbackDays, undocumentedSweepIntervalMs } from './documentation-config';

interface Raised {
  session_id: string;
  site_id: string;
  ends_at: Date;
  attendees: number;
  note_status: 'draft' | 'signed' | 'co-signed' | null;
}

/**
 * Puts group sessions that had attendees and are still not documented (no locked group note) 24 hours after they
 * ended on their site's work queue, and publishes `attendance.group-session-undocumented` once per session. Sessions
 * that ended more than ATTENDANCE_UNDOCUMENTED_LOOKBACK_DAYS ago (30) are not looked at. Safe on several instances at
 * once: a session's task is unique, and an instance whose insert finds it already there publishes nothing. Locking
 * the documentation resolves the task (and the queue never lists a session whose documentation is locked, whichever
 * commits first).
 */
@Injectable()
export class UndocumentedSessionsSweep extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(LOGGER) log: Logger,
  ) {
    super(log, 'undocumented sessions');
  }

  protected intervalMs(): number {
    return undocumentedSweepIntervalMs();
  }

  protected async tick(): Promise<void> {
    const raised = await this.sweep();
    if (raised > 0) this.log.info({ raised }, 'group sessions still undocumented 24 hours after they ended');
  }

  /** One pass; returns how many sessions were newly raised. */
  async sweep(now = new Date()): Promise<number> {
    if (this.stopped || !this.dataSource.isInitialized) return 0;
    const dueBefore = new Date(now.getTime() - DOCUMENTATION_DUE_MS);
    const lookback = new Date(now.getTime() - undocumentedLookbackDays() * 24 * 60 * 60 * 1000);
    return inScopedTransaction(this.dataSource, ALL_SITES, async (manager) => {
      const raised = (await manager.query(
        `WITH due AS (
           SELECT s.session_id, s.site_id, s.ends_at, n.status AS note_status,
                  (SELECT count(*) FROM attendance.attendance_records r WHERE r.session_id = s.session_id AND r.status = ANY($3))::int AS attendees
             FROM attendance.sessions s
             LEFT JOIN attendance.group_notes n ON n.session_id = s.session_id
            WHERE s.source = 'group-session' AND s.status = 'scheduled' AND s.ends_at <= $1 AND s.ends_at > $2
              AND (n.status IS NULL OR n.status <> 'locked')
              AND NOT EXISTS (SELECT 1 FROM attendance.undocumented_sessions u WHERE u.session_id = s.session_id)
         ), raised AS (
           INSERT INTO attendance.undocumented_sessions (session_id, site_id, ended_at, raised_at)
           SELECT session_id, site_id, ends_at, $4 FROM due WHERE attendees > 0
           ON CONFLICT (session_id) DO NOTHING
           RETURNING session_id
         )
         SELECT due.session_id, due.site_id, due.ends_at, due.attendees, due.note_status FROM due JOIN raised USING (session_id)
          ORDER BY due.ends_at, due.session_id`,
        [dueBefore, lookback, [...ATTENDEE_STATUSES], now],
      )) as Raised[];
      await this.outbox.addMany(
        manager,
        GroupSessionUndocumented,
        raised.map((r) => ({
          sessionId: r.session_id,
          siteId: r.site_id,
          endedAt: r.ends_at.toISOString(),
          attendees: r.attendees,
          noteStatus: r.note_status ?? ('none' as const),
          occurredAt: now.toISOString(),
        })),
      );
      return raised.length;
    });
  }
}
