import { DateTime } from 'luxon';

/** The site-local day (YYYY-MM-DD) an instant falls on. */
export function localDate(instant: Date | string, timeZone: string): string {
  const dt = typeof instant === 'string' ? DateTime.fromISO(instant, { zone: timeZone }) : DateTime.fromJSDate(instant, { zone: timeZone });
  return dt.toISODate()!;
}

/** The ISO week (e.g. 2026-W11) of a local date, and its Monday. */
export function isoWeekOf(date: string): { isoWeek: string; weekStart: string } {
  const d = DateTime.fromISO(date, { zone: 'UTC' });
  return { isoWeek: `${d.weekYear}-W${String(d.weekNumber).padStart(2, '0')}`, weekStart: d.startOf('week').toISODate()! };
}

export interface DayMinutes {
  readonly date: string;
  readonly scheduledMinutes: number;
  readonly attendedMinutes: number;
}

export interface WeekMinutes {
  readonly isoWeek: string;
  readonly weekStart: string;
  readonly scheduledMinutes: number;
  readonly attendedMinutes: number;
  readonly weeklyMinimumMinutes: number | null;
  readonly minimumMet: boolean | null;
}

/** Sums session minutes into local days and ISO weeks (service dates are already the site's local days). */
export function hoursByDayAndWeek(
  sessions: ReadonlyArray<{ serviceDate: string; scheduledMinutes: number; attendedMinutes: number }>,
  weeklyMinimumMinutes: number | null,
): { days: DayMinutes[]; weeks: WeekMinutes[] } {
  const days = new Map<string, { scheduledMinutes: number; attendedMinutes: number }>();
  for (const s of sessions) {
    const d = days.get(s.serviceDate) ?? { scheduledMinutes: 0, attendedMinutes: 0 };
    d.scheduledMinutes += s.scheduledMinutes;
    d.attendedMinutes += s.attendedMinutes;
    days.set(s.serviceDate, d);
  }
  const weeks = new Map<string, WeekMinutes & { scheduledMinutes: number; attendedMinutes: number }>();
  const sortedDays = [...days.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const [date, d] of sortedDays) {
    const { isoWeek, weekStart } = isoWeekOf(date);
    const w = weeks.get(isoWeek) ?? { isoWeek, weekStart, scheduledMinutes: 0, attendedMinutes: 0, weeklyMinimumMinutes, minimumMet: null };
    weeks.set(isoWeek, { ...w, scheduledMinutes: w.scheduledMinutes + d.scheduledMinutes, attendedMinutes: w.attendedMinutes + d.attendedMinutes });
  }
  return {
    days: sortedDays.map(([date, d]) => ({ date, ...d })),
    weeks: [...weeks.values()].map((w) => ({ ...w, minimumMet: weeklyMinimumMinutes === null ? null : w.attendedMinutes >= weeklyMinimumMinutes })),
  };
}
