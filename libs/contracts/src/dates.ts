import { z } from 'zod';

/*
 * One set of date types for every schema (HTTP bodies, queries, events). A date Postgres cannot hold
 * (year 0000) or one that makes no sense for its meaning (a birth date in the future, a treatment start
 * in 9999 holding a place) is a 400 naming the field, never a 500 from the database.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** The window, in days around today, for plan and service dates; configurable per deployment. */
export function dateWindow(): { pastDays: number; futureDays: number } {
  const read = (name: string, fallback: number) => {
    const value = Number(process.env[name]);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return { pastDays: read('IOP_DATE_WINDOW_PAST_DAYS', 10 * 366), futureDays: read('IOP_DATE_WINDOW_FUTURE_DAYS', 2 * 366) };
}

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

interface Bounds {
  /** Earliest allowed, YYYY-MM-DD, evaluated when the value is checked. */
  readonly min: () => string;
  readonly max: () => string;
  readonly tooEarly: (min: string) => string;
  readonly tooLate: (max: string) => string;
}

function boundedDate(bounds: Bounds) {
  return z.iso.date({ message: 'must be a calendar date, YYYY-MM-DD' }).superRefine((value, ctx) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return; // the format's own issue says what is wrong
    const min = bounds.min();
    const max = bounds.max();
    if (value < min) ctx.addIssue({ code: 'custom', message: bounds.tooEarly(min) });
    else if (value > max) ctx.addIssue({ code: 'custom', message: bounds.tooLate(max) });
  });
}

/** A date of birth: not before 1900, not in the future. */
export const BirthDate = boundedDate({
  min: () => '1900-01-01',
  max: () => isoDay(0),
  tooEarly: () => 'a date of birth cannot be before 1900-01-01',
  tooLate: () => 'a date of birth cannot be in the future',
});

/** A plan, coverage or service date: within the deployment's window around today (10 years back, 2 ahead by default). */
export const ServiceDate = boundedDate({
  min: () => isoDay(-dateWindow().pastDays),
  max: () => isoDay(dateWindow().futureDays),
  tooEarly: (min) => `must be on or after ${min} (dates further back are outside the platform's window)`,
  tooLate: (max) => `must be on or before ${max} (dates further ahead are outside the platform's window)`,
});

/** How far ahead an admission may be planned: a place is held for it, so not longer than this. */
export const PLANNED_START_MAX_DAYS_AHEAD = 90;

/** The first day of treatment: up to 90 days ahead (whether a past day is allowed is the domain's rule, in the site's zone). */
export const PlannedStartDate = boundedDate({
  min: () => isoDay(-dateWindow().pastDays),
  max: () => isoDay(PLANNED_START_MAX_DAYS_AHEAD),
  tooEarly: (min) => `the planned start cannot be before ${min}`,
  tooLate: (max) => `the planned start can be at most ${PLANNED_START_MAX_DAYS_AHEAD} days ahead (${max}); put the patient on the waitlist instead`,
});

/** An instant with its offset, e.g. 2026-03-01T14:30:00Z, between 1900 and 2199 (what Postgres and people can mean). */
export const Instant = z.iso.datetime({ offset: true, message: 'must be an ISO date-time with an offset, e.g. 2026-03-01T14:30:00Z' }).refine(
  (value) => {
    const ms = Date.parse(value);
    return Number.isNaN(ms) || (ms >= Date.UTC(1900, 0, 1) && ms < Date.UTC(2200, 0, 1)); // NaN: the format's own issue says it
  },
  { message: 'must be between the years 1900 and 2199' },
);
