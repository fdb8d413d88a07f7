import type { EntityManager } from 'typeorm';
import { AttendanceFactRecorded, AttendanceWeekComputed, SiteWeekComputed, type SiteWeekPayload } from '@iop/contracts';
import { Outbox, type EventContext } from '@iop/messaging';
import { analyticsFactFor, attendanceWeekFor, isoWeekOf, siteWeekFor, type AnalyticsRecord } from '../domain/analytics-fact';
import { Pseudonymiser } from '../domain/pseudonym';
import { CONTEXT_SQL, inContext, type ContextRow } from './attendance-records';

/*
 * The analysts' stream (docs/analytics/README.md), written to attendance's outbox in the same transaction as the record it
 * describes: when a record is created or corrected, its fact (same factId, the record's revision) and the patient's week
 * are re-published, and the site's week is marked out of date (attendance.site_weeks_dirty); the site-weeks job
 * (site-weeks.job.ts) recomputes and publishes each marked site-week once, within its interval. Recomputing the site's
 * week in every recording made all check-ins of a site queue behind each other (the outbox holds each key it writes
 * until commit) and scan the whole week each. No payload is kept in tables of its own: every one is a function of
 * attendance's records, so a backfill (scripts/analytics-backfill.ts) re-publishes exactly the same events.
 */

const outbox = new Outbox('attendance');
let configured: Pseudonymiser | undefined;

/** The network's pseudonymiser, from ANALYTICS_PSEUDONYM_KEYS; throws (so the service does not start) when it is unusable. */
export function analyticsPseudonymiser(): Pseudonymiser {
  configured ??= Pseudonymiser.fromEnv();
  return configured;
}

/** Records with their session, program and zone (attendance's own join) and the number of changes each has had. */
async function analyticsRecords(manager: EntityManager, where: string, params: unknown[], limit?: number): Promise<AnalyticsRecord[]> {
  const rows = (await manager.query(
    `SELECT c.*, (SELECT count(*)::int FROM attendance.attendance_record_versions v WHERE v.record_id = c.record_id) AS changes
       FROM (${CONTEXT_SQL} WHERE ${where}) c ORDER BY c.record_id ${limit ? `LIMIT ${Math.trunc(limit)}` : ''}`,
    params,
  )) as Array<ContextRow & { changes: number }>;
  return rows.map((r) => ({ ...inContext(r), changes: Math.max(1, r.changes) }));
}

/** Every record in pages, by record id (pass the last id seen as `after`): what the backfill walks. */
export function pageAnalyticsRecords(manager: EntityManager, after: string | null, limit: number): Promise<AnalyticsRecord[]> {
  return analyticsRecords(manager, `($1::uuid IS NULL OR r.record_id > $1::uuid)`, [after], limit);
}

/** The weekly minimum the patient's plan asks for (else their program's); null when attendance knows neither. */
async function planMinimumMinutes(manager: EntityManager, record: AnalyticsRecord): Promise<number | null> {
  const rows = (await manager.query(
    `SELECT coalesce(
       (SELECT e.weekly_minimum_minutes FROM attendance.enrolments e WHERE e.enrolment_id = $1),
       (SELECT p.min_weekly_minutes FROM attendance.programs p
         WHERE p.program_id = coalesce($2::uuid, (SELECT e.program_id FROM attendance.enrolments e WHERE e.enrolment_id = $1)))
     ) AS minimum`,
    [record.enrolmentId, record.programId],
  )) as Array<{ minimum: number | null }>;
  return rows[0]?.minimum ?? null;
}

export interface AnalyticsOptions {
  readonly pseudonymiser?: Pseudonymiser;
  readonly context?: EventContext;
}

/**
 * Adds to the outbox the analytics events for records that were just recorded or corrected: each record's fact and each
 * patient-week they touch, once; and marks each site-week they touch for the site-weeks job. Call it in the transaction
 * that changed the records, next to `attendance.attendance-recorded`.
 */
export async function publishAnalyticsForRecords(manager: EntityManager, recordIds: readonly string[], options: AnalyticsOptions = {}): Promise<void> {
  const records = await analyticsRecords(manager, `r.record_id = ANY($1::uuid[])`, [recordIds]);
  if (records.length !== recordIds.length) throw new Error(`attendance records ${recordIds.join(', ')} not all found for the analytics stream`);
  await publishAnalyticsFor(manager, records, options);
}

/** The same for several records at once (a whole group checked in): each patient-week is published once. */
export async function publishAnalyticsFor(manager: EntityManager, records: readonly AnalyticsRecord[], options: AnalyticsOptions = {}): Promise<void> {
  await publishFacts(manager, records, options);
  const weeks = weeksOf(records);
  await publishWeeks(manager, { patientWeeks: weeks.patientWeeks.values(), siteWeeks: [] }, options);
  await markSiteWeeks(manager, records);
}

/**
 * Marks the site-weeks of `records` out of date: one new row per record, so nothing here ever waits for another
 * transaction (an upsert of one row per site-week would make every check-in of a site wait, on the insert's conflict,
 * for the transaction that first marked it). The site-weeks job deletes only the rows it saw committed, so a mark
 * committed while it recomputes stays for its next pass.
 */
export async function markSiteWeeks(manager: EntityManager, records: readonly AnalyticsRecord[]): Promise<void> {
  if (records.length === 0) return;
  await manager.query(
    `INSERT INTO attendance.site_weeks_dirty (site_id, week_start, record_id)
     SELECT * FROM unnest($1::uuid[], $2::date[], $3::uuid[])`,
    [records.map((r) => r.siteId), records.map((r) => isoWeekOf(r.serviceDate).weekStart), records.map((r) => r.recordId)],
  );
}

/** A site-week marked out of date, and the first mark's time. */
export interface DirtySiteWeek {
  readonly siteId: string;
  readonly weekStart: string;
  readonly markedAt: Date;
}

/** The site-weeks marked out of date, oldest first (at most `limit`). */
export async function dirtySiteWeeks(manager: EntityManager, limit: number): Promise<DirtySiteWeek[]> {
  const rows = (await manager.query(
    `SELECT site_id, to_char(week_start, 'YYYY-MM-DD') AS week_start, min(marked_at) AS marked_at FROM attendance.site_weeks_dirty
      GROUP BY site_id, week_start ORDER BY min(mark_id) LIMIT $1`,
    [Math.trunc(limit)],
  )) as Array<{ site_id: string; week_start: string; marked_at: Date }>;
  return rows.map((r) => ({ siteId: r.site_id, weekStart: r.week_start, markedAt: r.marked_at }));
}

/**
 * One site-week's figures are computed by one transaction at a time (the site-weeks job on any instance, a backfill),
 * so that the outbox, which orders a key's events by commit, never gets an older computation after a newer one. Held
 * until the transaction ends. Returns false, without waiting, when `wait` is false and another transaction has it.
 */
async function lockSiteWeek(manager: EntityManager, siteId: string, weekStart: string, wait: boolean): Promise<boolean> {
  const fn = wait ? 'pg_advisory_xact_lock' : 'pg_try_advisory_xact_lock';
  const [row] = (await manager.query(`SELECT ${fn}(hashtext('attendance:site-week'), hashtext($1))::text AS locked`, [`${siteId}:${weekStart}`])) as [
    { locked: string },
  ];
  return wait || row.locked === 'true';
}

/**
 * Recomputes a marked site-week from all of its records and publishes it, deleting its marks, in the caller's
 * transaction. The marks are deleted first, and the records read by a later statement, which sees at least every
 * transaction whose mark was deleted. Returns false (and does nothing) when another transaction is on the same
 * site-week or its marks are gone already.
 */
export async function refreshSiteWeek(manager: EntityManager, siteId: string, weekStart: string, options: AnalyticsOptions = {}): Promise<boolean> {
  if (!(await lockSiteWeek(manager, siteId, weekStart, false))) return false;
  const cleared = (await manager.query(`DELETE FROM attendance.site_weeks_dirty WHERE site_id = $1 AND week_start = $2::date RETURNING mark_id`, [
    siteId,
    weekStart,
  ])) as unknown[];
  if (cleared.length === 0) return false;
  await publishSiteWeek(manager, siteId, weekStart, options);
  return true;
}

async function publishSiteWeek(manager: EntityManager, siteId: string, weekStart: string, options: AnalyticsOptions): Promise<void> {
  const week = await analyticsRecords(manager, `r.site_id = $1 AND r.service_date BETWEEN $2::date AND $2::date + 6`, [siteId, weekStart]);
  // Records are never deleted, so a marked week has records; nothing to say about one without.
  if (week.length === 0) return;
  await outbox.add(manager, SiteWeekComputed, siteWeekFor(siteId, week), options.context ?? {});
}

/**
 * The site's weeks whose Monday falls between two dates, as `analytics.site-week` publishes them (small cells
 * suppressed), recomputed from the records as they stand: what the analysts' screen reads. Weeks without records are
 * left out, as they are from the stream.
 */
export async function siteWeeksBetween(manager: EntityManager, siteId: string, from: string, to: string): Promise<SiteWeekPayload[]> {
  const records = await analyticsRecords(manager, `r.site_id = $1 AND r.service_date BETWEEN $2::date AND $3::date + 6`, [
    siteId,
    isoWeekOf(from).weekStart,
    isoWeekOf(to).weekStart,
  ]);
  const byWeek = new Map<string, AnalyticsRecord[]>();
  for (const r of records) {
    const { weekStart } = isoWeekOf(r.serviceDate);
    const week = byWeek.get(weekStart);
    if (week) week.push(r);
    else byWeek.set(weekStart, [r]);
  }
  return [...byWeek.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, week]) => siteWeekFor(siteId, week));
}

/** The patient-weeks and site-weeks records fall in, each with one of its records (the last one given). */
export interface WeeksTouched {
  readonly patientWeeks: Map<string, AnalyticsRecord>;
  readonly siteWeeks: Map<string, AnalyticsRecord>;
}

/** Adds the weeks `records` fall in to `into` (a new set when not given). */
export function weeksOf(records: readonly AnalyticsRecord[], into: WeeksTouched = { patientWeeks: new Map(), siteWeeks: new Map() }): WeeksTouched {
  for (const r of records) {
    const { weekStart } = isoWeekOf(r.serviceDate);
    into.patientWeeks.set(`${r.patientId}:${weekStart}`, r);
    into.siteWeeks.set(`${r.siteId}:${weekStart}`, r);
  }
  return into;
}

/** Each record's fact, at its current revision. */
export async function publishFacts(manager: EntityManager, records: readonly AnalyticsRecord[], options: AnalyticsOptions = {}): Promise<void> {
  if (records.length === 0) return;
  const pseudonymiser = options.pseudonymiser ?? analyticsPseudonymiser();
  await outbox.addMany(
    manager,
    AttendanceFactRecorded,
    records.map((r) => analyticsFactFor(r, { pseudonymiser })),
    options.context ?? {},
  );
}

/**
 * Each patient-week and site-week, recomputed from all of its records as they stand now (a site-week waits for any
 * other transaction computing it: see lockSiteWeek). What a backfill publishes; a recording publishes only patient-weeks.
 */
export async function publishWeeks(
  manager: EntityManager,
  weeks: { readonly patientWeeks: Iterable<AnalyticsRecord>; readonly siteWeeks: Iterable<AnalyticsRecord> },
  options: AnalyticsOptions = {},
): Promise<void> {
  const pseudonymiser = options.pseudonymiser ?? analyticsPseudonymiser();
  const context = options.context ?? {};
  for (const r of weeks.patientWeeks) {
    const { weekStart } = isoWeekOf(r.serviceDate);
    const week = await analyticsRecords(manager, `r.patient_id = $1 AND r.service_date BETWEEN $2::date AND $2::date + 6`, [r.patientId, weekStart]);
    const minimum = await planMinimumMinutes(manager, r);
    await outbox.add(manager, AttendanceWeekComputed, attendanceWeekFor(week, { pseudonymiser, planMinimumMinutes: minimum }), context);
  }
  for (const r of weeks.siteWeeks) {
    const { weekStart } = isoWeekOf(r.serviceDate);
    await lockSiteWeek(manager, r.siteId, weekStart, true);
    await publishSiteWeek(manager, r.siteId, weekStart, options);
  }
}
