import type { AbsenceStatus, AttendanceStatus } from './attendance-record';

/** Minutes of lateness (or of leaving early) still counted as on time: a patient finding a seat is not late. */
export const DEFAULT_GRACE_MINUTES = 5;

export interface Interval {
  readonly from: Date;
  /** null: still in the room (or the call) — counted to the session's end. */
  readonly to: Date | null;
}

export interface AttendanceInput {
  readonly scheduledStart: Date;
  readonly scheduledEnd: Date;
  /** Staff or kiosk check-in/out is one interval; telehealth joins and leaves are several. */
  readonly intervals: readonly Interval[];
  /** A status set by hand for a patient who did not attend. */
  readonly absence?: AbsenceStatus;
  readonly graceMinutes?: number;
}

export interface AttendanceOutcome {
  readonly status: AttendanceStatus;
  readonly scheduledMinutes: number;
  readonly attendedMinutes: number;
  readonly lateMinutes: number;
  readonly earlyMinutes: number;
}

const MINUTE = 60_000;
const minutes = (ms: number): number => Math.max(0, Math.floor(ms / MINUTE));

/**
 * Merges overlapping or touching intervals, each clipped to the session's scheduled window (arriving early or
 * staying late adds nothing). An open interval runs to the session's end.
 */
export function mergeIntervals(intervals: readonly Interval[], start: Date, end: Date): Array<{ from: number; to: number }> {
  const clipped = intervals
    .map((i) => ({ from: Math.max(i.from.getTime(), start.getTime()), to: Math.min((i.to ?? end).getTime(), end.getTime()) }))
    .filter((i) => i.to > i.from)
    .sort((a, b) => a.from - b.from);
  const merged: Array<{ from: number; to: number }> = [];
  for (const i of clipped) {
    const last = merged[merged.length - 1];
    if (last && i.from <= last.to) last.to = Math.max(last.to, i.to);
    else merged.push({ ...i });
  }
  return merged;
}

/**
 * A patient's status and minutes at one session. Attended minutes are the union of their intervals inside the
 * scheduled window; late minutes run from the scheduled start to the first arrival, early minutes from the last
 * departure to the scheduled end. Beyond the grace minutes the status is `late` or `left-early` (the larger
 * shortfall names it); no interval inside the window is a no-show.
 */
export function assessAttendance(input: AttendanceInput): AttendanceOutcome {
  const scheduledMinutes = minutes(input.scheduledEnd.getTime() - input.scheduledStart.getTime());
  if (input.absence) return { status: input.absence, scheduledMinutes, attendedMinutes: 0, lateMinutes: 0, earlyMinutes: 0 };
  const merged = mergeIntervals(input.intervals, input.scheduledStart, input.scheduledEnd);
  if (merged.length === 0) return { status: 'no-show', scheduledMinutes, attendedMinutes: 0, lateMinutes: 0, earlyMinutes: 0 };
  const attendedMinutes = minutes(merged.reduce((sum, i) => sum + (i.to - i.from), 0));
  const lateMinutes = minutes(merged[0]!.from - input.scheduledStart.getTime());
  const earlyMinutes = minutes(input.scheduledEnd.getTime() - merged[merged.length - 1]!.to);
  const grace = input.graceMinutes ?? DEFAULT_GRACE_MINUTES;
  const late = lateMinutes > grace;
  const early = earlyMinutes > grace;
  const status: AttendanceStatus = late && early ? (earlyMinutes > lateMinutes ? 'left-early' : 'late') : late ? 'late' : early ? 'left-early' : 'attended';
  return { status, scheduledMinutes, attendedMinutes, lateMinutes, earlyMinutes };
}

/** Statuses under which the patient was there (some minutes count). */
export function wasPresent(status: AttendanceStatus): boolean {
  return status === 'attended' || status === 'late' || status === 'left-early';
}
