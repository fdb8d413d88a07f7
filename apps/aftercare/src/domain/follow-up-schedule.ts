import { DateTime } from 'luxon';

/*
 * When a discharge's follow-ups fall due. Offsets count calendar days in the site's zone from the discharge date (a
 * site-local date): the +7 follow-up of a discharge on 2026-10-28 is due on 2026-11-04, and that day starts at local
 * midnight whatever the clock did in between (Los Angeles leaves daylight time on 1 November, so 7 days later is
 * 7 × 24 + 1 hours later). A follow-up is due from the start of its day and missed when that day ends.
 */

export const DEFAULT_FOLLOW_UP_OFFSETS: readonly number[] = [7, 30, 90];

export const FOLLOW_UP_STATES = ['due', 'overdue', 'done', 'unreachable'] as const;
export type FollowUpState = (typeof FOLLOW_UP_STATES)[number];
/** A follow-up still open: the amendment of a discharge date re-plans these, never a closed one. */
export const isPending = (state: FollowUpState): boolean => state === 'due' || state === 'overdue';

export interface PlannedFollowUp {
  readonly dayOffset: number;
  /** Site-local date. */
  readonly dueOn: string;
  /** The due day's local midnight, as an instant. */
  readonly dueAt: Date;
  /** The next local midnight: past it, a follow-up with no contact is overdue. */
  readonly overdueAt: Date;
}

/** The offsets from `FOLLOW_UP_DAYS` ("7,30,90"): whole days from 1 to 365, distinct; refuses anything else so a typo stops the service. */
export function followUpOffsets(setting: string | undefined): readonly number[] {
  if (setting === undefined || setting.trim() === '') return DEFAULT_FOLLOW_UP_OFFSETS;
  const offsets = setting.split(',').map((part) => Number(part.trim()));
  if (offsets.some((n) => !Number.isInteger(n) || n < 1 || n > 365) || new Set(offsets).size !== offsets.length) {
    throw new Error(`FOLLOW_UP_DAYS must list distinct whole days from 1 to 365, such as "7,30,90" (got "${setting}")`);
  }
  return [...offsets].sort((a, b) => a - b);
}

export function planFollowUp(dischargedOn: string, timeZone: string, dayOffset: number): PlannedFollowUp {
  const discharged = DateTime.fromISO(dischargedOn, { zone: timeZone });
  if (!discharged.isValid) throw new RangeError(`cannot plan from ${dischargedOn} in ${timeZone}: ${discharged.invalidExplanation ?? 'invalid'}`);
  const dueDay = discharged.plus({ days: dayOffset }).startOf('day');
  return {
    dayOffset,
    dueOn: dueDay.toISODate()!,
    dueAt: dueDay.toJSDate(),
    overdueAt: dueDay.plus({ days: 1 }).startOf('day').toJSDate(),
  };
}

export function planFollowUps(dischargedOn: string, timeZone: string, offsets: readonly number[]): PlannedFollowUp[] {
  return offsets.map((offset) => planFollowUp(dischargedOn, timeZone, offset));
}

/** Whole calendar days from one local date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days);
}

/** The site-local date of an instant. */
export function localDateOf(instant: Date | string, timeZone: string): string {
  const dt = typeof instant === 'string' ? DateTime.fromISO(instant, { zone: timeZone }) : DateTime.fromJSDate(instant, { zone: timeZone });
  return dt.toISODate()!;
}
