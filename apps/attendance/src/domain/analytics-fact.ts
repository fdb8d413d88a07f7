import { createHash } from 'node:crypto';
import type { AttendanceFactPayload, AnalyticsAttendanceStatus as AnalyticsStatus, AttendanceWeekPayload, SiteWeekPayload } from '@iop/contracts';
import type { AttendanceRecordInContext, AttendanceStatus } from './attendance-record';
import { isoWeekOf } from './calendar';
import type { Pseudonymiser } from './pseudonym';
import { siteWeekFigures } from './site-week-figures';

/*
 * The analysts' view of attendance (docs/analytics/README.md): what a record becomes on analytics.attendance, and the
 * weekly rows computed from a patient's or a site's records. Pure: the same records give byte-for-byte the same events,
 * so a backfill re-publishes exactly what was published live (same factId, same revision, same payload).
 */

/** Fixed namespace of analytics fact ids (UUID v5 over the record id): stable for ever, independent of the pseudonym keys. */
const FACT_NAMESPACE = 'b7a1d3e2-6c4f-5a8b-9d0e-1f2a3b4c5d6e';

/**
 * The fact id of a record: a name-based UUID (RFC 9562 v5) of the record id. Every revision and every replay of the record
 * gets the same one, also after a pseudonym key rotation; it is not the record id, so a fact cannot be looked up in the
 * platform by someone who holds only the analysts' stream.
 */
export function factIdFor(recordId: string): string {
  const namespace = Buffer.from(FACT_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(recordId.toLowerCase(), 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export { isoWeekOf };

const STATUS: Record<AttendanceStatus, AnalyticsStatus> = {
  attended: 'attended',
  late: 'late',
  'left-early': 'left-early',
  'no-show': 'no-show',
  excused: 'excused-absence',
  'cancelled-by-patient': 'cancelled-by-patient',
  'cancelled-by-clinic': 'cancelled-by-clinic',
};

/** Present for (part of) the session. */
const PRESENT: ReadonlySet<AttendanceStatus> = new Set(['attended', 'late', 'left-early']);
/** Counted against the patient: everything but the clinic's own cancellations. */
const COUNTED = (status: AttendanceStatus) => status !== 'cancelled-by-clinic';

const LEVELS = new Set(['1', '2.1', '2.5']);

export interface FactContext {
  readonly pseudonymiser: Pseudonymiser;
}

/**
 * A record as the analysts' stream sees it: with the number of changes it has had (its rows in attendance_record_versions:
 * a check-in, the check-out completing it, each correction). That number is the fact's revision, so every change a
 * consumer could see has a higher revision than the one before, also a check-out that completes the record's first
 * revision; a correction after a single recording is revision 2.
 */
export type AnalyticsRecord = AttendanceRecordInContext & { readonly changes: number };

/** The analytics fact of one attendance record at its current revision. */
export function analyticsFactFor(record: AnalyticsRecord, context: FactContext): AttendanceFactPayload {
  const { patientKey, keyId } = context.pseudonymiser.keyFor(record.patientId);
  const level = record.program?.levelOfCare ?? null;
  return {
    factId: factIdFor(record.recordId),
    revision: record.changes,
    patientKey,
    keyId,
    siteId: record.siteId,
    programKind: record.program?.kind ?? null,
    levelOfCare: level !== null && LEVELS.has(level) ? (level as '1' | '2.1' | '2.5') : null,
    sessionKind: record.session.kind,
    modality: record.session.delivery,
    serviceDate: record.serviceDate,
    isoWeek: isoWeekOf(record.serviceDate).isoWeek,
    scheduledMinutes: record.scheduledMinutes,
    attendedMinutes: PRESENT.has(record.status) ? record.attendedMinutes : 0,
    lateMinutes: PRESENT.has(record.status) ? record.lateMinutes : 0,
    earlyMinutes: PRESENT.has(record.status) ? record.earlyMinutes : 0,
    status: STATUS[record.status],
    // The record's own time, not the clock: a replay must publish the same payload.
    occurredAt: record.updatedAt,
  };
}

/**
 * A patient's week from all of their records in it. `revision` is the sum of the records' changes: it grows with every
 * new record and every change to one, and is the same when nothing changed (so a replay is recognisably the same row).
 */
export function attendanceWeekFor(
  records: readonly AnalyticsRecord[],
  context: FactContext & { readonly planMinimumMinutes: number | null },
): AttendanceWeekPayload {
  if (records.length === 0) throw new RangeError('a week needs at least one record');
  const sorted = [...records].sort((a, b) => a.session.startsAt.localeCompare(b.session.startsAt) || a.recordId.localeCompare(b.recordId));
  const latest = sorted[sorted.length - 1]!;
  const { isoWeek, weekStart } = isoWeekOf(latest.serviceDate);
  const statusCounts = Object.fromEntries(Object.values(STATUS).map((s) => [s, 0])) as Record<AnalyticsStatus, number>;
  const minutesByDay = new Map<string, { minutes: number; perDiemMinimum: number }>();
  let scheduledMinutes = 0;
  let attendedMinutes = 0;
  for (const r of sorted) {
    statusCounts[STATUS[r.status]]++;
    if (COUNTED(r.status)) scheduledMinutes += r.scheduledMinutes;
    const attended = PRESENT.has(r.status) ? r.attendedMinutes : 0;
    attendedMinutes += attended;
    const day = minutesByDay.get(r.serviceDate) ?? { minutes: 0, perDiemMinimum: r.program?.perDiemMinimumMinutes ?? 180 };
    minutesByDay.set(r.serviceDate, { minutes: day.minutes + attended, perDiemMinimum: Math.min(day.perDiemMinimum, r.program?.perDiemMinimumMinutes ?? 180) });
  }
  const billableDays = [...minutesByDay.values()].filter((d) => d.minutes > 0 && d.minutes >= d.perDiemMinimum).length;
  const { patientKey, keyId } = context.pseudonymiser.keyFor(latest.patientId);
  return {
    patientKey,
    keyId,
    isoWeek,
    weekStart,
    siteId: latest.siteId,
    scheduledMinutes,
    attendedMinutes,
    sessions: sorted.length,
    billableDays,
    statusCounts,
    planMinimumMinutes: context.planMinimumMinutes,
    planMinimumMet: context.planMinimumMinutes === null ? null : attendedMinutes >= context.planMinimumMinutes,
    revision: sorted.reduce((sum, r) => sum + r.changes, 0),
    occurredAt: sorted.reduce((max, r) => (r.updatedAt > max ? r.updatedAt : max), sorted[0]!.updatedAt),
  };
}

/** A site's week from all of its records in it, with small cells suppressed. Revision as for a patient's week. */
export function siteWeekFor(siteId: string, records: readonly AnalyticsRecord[]): SiteWeekPayload {
  if (records.length === 0) throw new RangeError('a week needs at least one record');
  const { isoWeek, weekStart } = isoWeekOf(records[0]!.serviceDate);
  const counted = records.filter((r) => COUNTED(r.status));
  const figures = siteWeekFigures({
    census: new Set(counted.map((r) => r.patientId)).size,
    sessionsScheduled: counted.length,
    sessionsAttended: counted.filter((r) => PRESENT.has(r.status)).length,
    noShows: counted.filter((r) => r.status === 'no-show').length,
    attendedMinutes: counted.reduce((sum, r) => sum + (PRESENT.has(r.status) ? r.attendedMinutes : 0), 0),
  });
  return {
    siteId,
    isoWeek,
    weekStart,
    ...figures,
    revision: records.reduce((sum, r) => sum + r.changes, 0),
    occurredAt: records.reduce((max, r) => (r.updatedAt > max ? r.updatedAt : max), records[0]!.updatedAt),
  };
}
