import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { FollowUpCompleted, FollowUpDue, FollowUpMissed, type PayloadOf } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER, PeriodicJob, SiteDirectory, UnitOfWork, decodeKeysetCursor, encodeKeysetCursor } from '@iop/platform';
import { daysBetween, localDateOf, type FollowUpState } from '../domain/follow-up-schedule';
import { contactOutOfRange, dischargeNotFound, followUpClosed, followUpCursorInvalid, followUpNotFound, noAttemptYet } from './follow-up-errors';
import { monthOf, publishSiteMonth } from './measure-site-months';
import { returned } from './follow-up-sql';

export const ATTEMPT_OUTCOMES = ['reached', 'no-answer', 'left-message', 'wrong-number', 'declined'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

interface FollowUpRow {
  follow_up_id: string;
  episode_id: string;
  patient_id: string;
  site_id: string;
  day_offset: number;
  due_on: string;
  due_at: Date;
  overdue_at: Date;
  state: FollowUpState;
  completed_at: Date | null;
  completed_method: string | null;
  discharged_on: string;
  time_zone: string;
}

const FOLLOW_UP_SQL = `SELECT f.follow_up_id, f.episode_id, f.patient_id, f.site_id, f.day_offset, f.due_on::text AS due_on, f.due_at, f.overdue_at,
    f.state, f.completed_at, f.completed_method, d.discharged_on::text AS discharged_on, d.time_zone
  FROM aftercare.follow_ups f JOIN aftercare.follow_up_discharges d USING (episode_id)`;

interface AttemptRow {
  attempt_id: string;
  follow_up_id: string;
  method: string;
  outcome: AttemptOutcome;
  attempted_at: Date;
}

export function followUpView(f: FollowUpRow, attempts: readonly AttemptRow[]) {
  return {
    followUpId: f.follow_up_id,
    episodeId: f.episode_id,
    patientId: f.patient_id,
    siteId: f.site_id,
    dayOffset: f.day_offset,
    dueOn: f.due_on,
    dueAt: f.due_at.toISOString(),
    overdueAt: f.overdue_at.toISOString(),
    state: f.state,
    completedAt: f.completed_at?.toISOString() ?? null,
    method: f.completed_method,
    attempts: attempts
      .filter((a) => a.follow_up_id === f.follow_up_id)
      .map((a) => ({ attemptId: a.attempt_id, method: a.method, outcome: a.outcome, at: a.attempted_at.toISOString() })),
  };
}

export async function loadFollowUp(manager: EntityManager, followUpId: string, forUpdate = false): Promise<FollowUpRow> {
  const [row] = (await manager.query(`${FOLLOW_UP_SQL} WHERE f.follow_up_id = $1 ${forUpdate ? 'FOR UPDATE OF f' : ''}`, [followUpId])) as FollowUpRow[];
  if (!row) throw followUpNotFound(followUpId);
  return row;
}

async function attemptsOf(manager: EntityManager, followUpIds: readonly string[]): Promise<AttemptRow[]> {
  return (await manager.query(
    `SELECT attempt_id, follow_up_id, method, outcome, attempted_at FROM aftercare.follow_up_attempts
      WHERE follow_up_id = ANY($1::uuid[]) ORDER BY attempted_at, recorded_at`,
    [followUpIds],
  )) as AttemptRow[];
}

/** Which follow-ups a site's work list shows: `open` (due or overdue, the default) or one state. */
export const WORK_LIST_STATES = ['open', 'due', 'overdue', 'done', 'unreachable'] as const;
export type WorkListState = (typeof WORK_LIST_STATES)[number];

export interface WorkListFilter {
  readonly state: WorkListState;
  readonly dueBy?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

function decodeWorkListCursor(cursor: string): { dueOn: string; followUpId: string } {
  const at = decodeKeysetCursor(cursor, /^\d{4}-\d{2}-\d{2}$/);
  if (!at) throw followUpCursorInvalid();
  return { dueOn: at.key, followUpId: at.id };
}

const completedPayload = (
  f: FollowUpRow,
  result: 'done' | 'unreachable',
  at: Date,
  method: string | null,
  attempts: number,
): PayloadOf<typeof FollowUpCompleted> => ({
  followUpId: f.follow_up_id,
  episodeId: f.episode_id,
  patientId: f.patient_id,
  siteId: f.site_id,
  dayOffset: f.day_offset,
  dueOn: f.due_on,
  result,
  method: method as PayloadOf<typeof FollowUpCompleted>['method'],
  completedAt: at.toISOString(),
  daysAfterDischarge: result === 'done' ? daysBetween(f.discharged_on, localDateOf(at, f.time_zone)) : null,
  attempts,
  occurredAt: new Date().toISOString(),
});

@Injectable()
export class FollowUps {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
  ) {}

  /**
   * The site's follow-up work list: its follow-ups in one state (open = due or overdue), oldest due day first, so what
   * is overdue comes before what is due today and what is due later; keyset-paged on (due_on, follow_up_id), which an
   * index matches, so a page costs the same after years of discharges. One audit row per patient a page lists.
   */
  forSite(siteId: string, filter: WorkListFilter) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      await this.sites.require(manager, siteId, 'aftercare');
      const after = filter.cursor ? decodeWorkListCursor(filter.cursor) : null;
      const states = filter.state === 'open' ? ['due', 'overdue'] : [filter.state];
      const rows = (await manager.query(
        `${FOLLOW_UP_SQL}
          WHERE f.site_id = $1 AND f.state = ANY($2::text[]) AND ($3::date IS NULL OR f.due_on <= $3::date)
            AND ($4::date IS NULL OR (f.due_on, f.follow_up_id) > ($4::date, $5::uuid))
          ORDER BY f.due_on, f.follow_up_id LIMIT $6`,
        [siteId, states, filter.dueBy ?? null, after?.dueOn ?? null, after?.followUpId ?? null, filter.limit + 1],
      )) as FollowUpRow[];
      const page = rows.slice(0, filter.limit);
      const attempts = page.length
        ? await attemptsOf(
            manager,
            page.map((r) => r.follow_up_id),
          )
        : [];
      await this.audit.recordMany(
        manager,
        { principal, requestId },
        [...new Set(page.map((r) => r.patient_id))].map((patientId) => ({
          action: 'list' as const,
          resource: `sites/${siteId}/follow-ups`,
          patientId,
          siteId,
        })),
      );
      const last = page.at(-1);
      return {
        siteId,
        items: page.map((r) => followUpView(r, attempts)),
        nextCursor: rows.length > filter.limit && last ? encodeKeysetCursor(last.due_on, last.follow_up_id) : null,
      };
    });
  }

  /** The follow-ups of a discharged episode with their attempts (audited). */
  forEpisode(episodeId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const [discharge] = (await manager.query(`SELECT patient_id, site_id FROM aftercare.follow_up_discharges WHERE episode_id = $1`, [episodeId])) as Array<{
        patient_id: string;
        site_id: string;
      }>;
      if (!discharge) throw dischargeNotFound(episodeId);
      const rows = (await manager.query(`${FOLLOW_UP_SQL} WHERE f.episode_id = $1 ORDER BY f.day_offset`, [episodeId])) as FollowUpRow[];
      const attempts = await attemptsOf(
        manager,
        rows.map((r) => r.follow_up_id),
      );
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `follow-ups:${episodeId}`, patientId: discharge.patient_id, siteId: discharge.site_id },
      );
      return { episodeId, followUps: rows.map((r) => followUpView(r, attempts)) };
    });
  }

  get(followUpId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const row = await loadFollowUp(manager, followUpId);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `follow-up:${followUpId}`, patientId: row.patient_id, siteId: row.site_id },
      );
      return followUpView(row, await attemptsOf(manager, [followUpId]));
    });
  }

  /**
   * One contact attempt. `reached` completes the follow-up (done) at the attempt's time and publishes
   * `aftercare.follow-up-completed`; the other outcomes are kept as attempts and leave it open.
   */
  attempt(followUpId: string, body: { method: string; outcome: AttemptOutcome; at?: string | undefined }) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const f = await loadFollowUp(manager, followUpId, true);
      if (f.state === 'done' || f.state === 'unreachable') throw followUpClosed(followUpId, f.state);
      const at = body.at ? new Date(body.at) : new Date();
      if (at.getTime() > Date.now() + 5 * 60_000) throw contactOutOfRange('the attempt is in the future');
      if (localDateOf(at, f.time_zone) < f.discharged_on) throw contactOutOfRange(`the attempt is before the discharge date ${f.discharged_on}`);
      await manager.query(
        `INSERT INTO aftercare.follow_up_attempts (attempt_id, follow_up_id, site_id, method, outcome, attempted_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [randomUUID(), followUpId, f.site_id, body.method, body.outcome, at, principal.subject],
      );
      if (body.outcome === 'reached') {
        await manager.query(
          `UPDATE aftercare.follow_ups SET state = 'done', completed_at = $2, completed_method = $3, completed_by = $4, updated_at = now() WHERE follow_up_id = $1`,
          [followUpId, at, body.method, principal.subject],
        );
        const attempts = await attemptsOf(manager, [followUpId]);
        await this.outbox.add(manager, FollowUpCompleted, completedPayload(f, 'done', at, body.method, attempts.length), { correlationId: requestId });
        await publishSiteMonth(manager, f.site_id, monthOf(f.discharged_on), { correlationId: requestId });
      }
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `follow-up:${followUpId}`, patientId: f.patient_id, siteId: f.site_id },
      );
      return followUpView(await loadFollowUp(manager, followUpId), await attemptsOf(manager, [followUpId]));
    });
  }

  /** Closes a follow-up whose attempts reached nobody. */
  unreachable(followUpId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const f = await loadFollowUp(manager, followUpId, true);
      if (f.state === 'done' || f.state === 'unreachable') throw followUpClosed(followUpId, f.state);
      const attempts = await attemptsOf(manager, [followUpId]);
      if (attempts.length === 0) throw noAttemptYet(followUpId);
      const at = new Date();
      await manager.query(
        `UPDATE aftercare.follow_ups SET state = 'unreachable', completed_at = $2, completed_by = $3, updated_at = now() WHERE follow_up_id = $1`,
        [followUpId, at, principal.subject],
      );
      await this.outbox.add(manager, FollowUpCompleted, completedPayload(f, 'unreachable', at, null, attempts.length), { correlationId: requestId });
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `follow-up:${followUpId}`, patientId: f.patient_id, siteId: f.site_id },
      );
      return followUpView(await loadFollowUp(manager, followUpId), attempts);
    });
  }
}

/** Follow-ups announced or missed per pass at most; the next pass takes the rest. */
const BATCH = 500;

interface SweptRow {
  follow_up_id: string;
  episode_id: string;
  patient_id: string;
  site_id: string;
  day_offset: number;
  due_on: string;
  attempts: number;
}

/**
 * The follow-up clock: once a follow-up's local due day starts, `aftercare.follow-up-due`; once it ends with no
 * contact, the follow-up turns overdue and `aftercare.follow-up-missed` leaves. Safe on several instances: each pass
 * claims its rows with `FOR UPDATE SKIP LOCKED` and marks them in the same transaction as their events, so a row is
 * announced once whichever instance gets it, and a pass that fails rolls back whole.
 */
@Injectable()
export class FollowUpSweep extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(LOGGER) log: Logger,
  ) {
    super(log, 'follow-up-sweep');
  }

  protected intervalMs(): number {
    return Number(process.env['FOLLOW_UP_SWEEP_INTERVAL_MS'] ?? 60_000);
  }

  protected async tick(): Promise<void> {
    await this.runOnce(new Date());
  }

  /** One pass at `now`: how many follow-ups it announced as due and as missed. */
  async runOnce(now: Date): Promise<{ due: number; missed: number }> {
    return inScopedTransaction(this.dataSource, ALL_SITES, async (manager) => {
      const due = (await manager.query(
        `WITH claimed AS (
           SELECT follow_up_id FROM aftercare.follow_ups WHERE state = 'due' AND due_published_at IS NULL AND due_at <= $1
            ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE aftercare.follow_ups f SET due_published_at = $1, updated_at = now() FROM claimed WHERE f.follow_up_id = claimed.follow_up_id
         RETURNING f.follow_up_id, f.episode_id, f.patient_id, f.site_id, f.day_offset, f.due_on::text AS due_on, 0 AS attempts`,
        [now, BATCH],
      )) as unknown;
      const missed = (await manager.query(
        `WITH claimed AS (
           SELECT follow_up_id FROM aftercare.follow_ups WHERE state = 'due' AND overdue_at <= $1
            ORDER BY overdue_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE aftercare.follow_ups f SET state = 'overdue', missed_published_at = $1, updated_at = now() FROM claimed
          WHERE f.follow_up_id = claimed.follow_up_id
         RETURNING f.follow_up_id, f.episode_id, f.patient_id, f.site_id, f.day_offset, f.due_on::text AS due_on,
           (SELECT count(*)::int FROM aftercare.follow_up_attempts a WHERE a.follow_up_id = f.follow_up_id) AS attempts`,
        [now, BATCH],
      )) as unknown;
      const occurredAt = new Date().toISOString();
      const identity = (r: SweptRow) => ({
        followUpId: r.follow_up_id,
        episodeId: r.episode_id,
        patientId: r.patient_id,
        siteId: r.site_id,
        dayOffset: r.day_offset,
        dueOn: r.due_on,
      });
      const dueRows = returned<SweptRow>(due);
      const missedRows = returned<SweptRow>(missed);
      if (dueRows.length > 0)
        await this.outbox.addMany(
          manager,
          FollowUpDue,
          dueRows.map((r) => ({ ...identity(r), occurredAt })),
        );
      if (missedRows.length > 0) {
        await this.outbox.addMany(
          manager,
          FollowUpMissed,
          missedRows.map((r) => ({ ...identity(r), attempts: r.attempts, occurredAt })),
        );
      }
      if (dueRows.length + missedRows.length > 0) this.log.info({ due: dueRows.length, missed: missedRows.length }, 'follow-ups swept');
      return { due: dueRows.length, missed: missedRows.length };
    });
  }
}
