import type { EntityManager } from 'typeorm';
import { AttendanceFactRecorded, AttendanceWeekComputed, SiteWeekComputed } from '@iop/contracts';
import { Outbox, type EventContext } from '@iop/messaging';
import { analyticsFactFor, attendanceWeekFor, isoWeekOf, siteWeekFor, type AnalyticsRecord } from '../domain/analytics-fact';
import { Pseudonymiser } from '../domain/pseudonym';
import { CONTEXT_SQL, inContext, type ContextRow } from './attendance-records';

/*
 * The analysts' stream (docs/analytics/README.md), written to attendance's outbox in the same transaction as the record it
 * describes: when a record is created or corrected, its fact (same factId, the record's revision), the patient's week and
 * the site's week are all re-published. Nothing here is kept in tables of its own: every payload is a function of
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
 * Adds to the outbox the analytics events for records that were just recorded or corrected: each record's fact, and
 * each patient-week and site-week they touch, once. Call it in the transaction that changed the records, next to
 * `attendance.attendance-recorded`.
 */
export async function publishAnalyticsForRecords(manager: EntityManager, recordIds: readonly string[], options: AnalyticsOptions = {}): Promise<void> {
  const records = await analyticsRecords(manager, `r.record_id = ANY($1::uuid[])`, [recordIds]);
  if (records.length !== recordIds.length) throw new Error(`attendance records ${recordIds.join(', ')} not all found for the analytics stream`);
  await publishAnalyticsFor(manager, records, options);
}

/** The same for several records at once (a whole group checked in): each week is published once. */
export async function publishAnalyticsFor(manager: EntityManager, records: readonly AnalyticsRecord[], options: AnalyticsOptions = {}): Promise<void> {
  await publishFacts(manager, records, options);
  const weeks = weeksOf(records);
  await publishWeeks(manager, { patientWeeks: weeks.patientWeeks.values(), siteWeeks: weeks.siteWeeks.values() }, options);
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

/** Each patient-week and site-week, recomputed from all of its records as they stand now. */
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
    const week = await analyticsRecords(manager, `r.site_id = $1 AND r.service_date BETWEEN $2::date AND $2::date + 6`, [r.siteId, weekStart]);
    await outbox.add(manager, SiteWeekComputed, siteWeekFor(r.siteId, week), context);
  }
}
