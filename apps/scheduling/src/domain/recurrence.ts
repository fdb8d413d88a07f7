import { DateTime } from 'luxon';
import { RRule, rrulestr } from 'rrule';

/**
 * A track's recurrence: an RFC 5545 RRULE (e.g. `FREQ=WEEKLY;BYDAY=MO,TU,TH`) of blocks that start at a local wall-clock
 * time in the site's IANA zone.
 *
 * rrule expands the rule as *floating* time (its documented "treat UTC as local" pattern: no zone is involved in the
 * expansion at all), and luxon then places each wall-clock start in the site's zone. So a Tuesday 18:00 group stays at
 * 18:00 local across the March and November changes, and its UTC instant moves by the hour instead. A start that falls
 * in a spring-forward gap (02:30 on the changeover night) is moved forward by luxon, as a wall clock would be.
 */
export interface Recurrence {
  /** The RRULE body, without `RRULE:` and without DTSTART (the track's first date and block start give that). */
  readonly rule: string;
  /** First local date of the series. */
  readonly startsOn: string;
  /** Last local date of the series, if it ends. */
  readonly endsOn?: string | null;
  /** Local wall-clock start of each block, `HH:mm`. */
  readonly blockStart: string;
  readonly timeZone: string;
}

export interface Block {
  /** The block's local date in the site's zone (the series date: what a moved occurrence keeps as its name). */
  readonly localDate: string;
  /** The block's start as an instant. */
  readonly startsAt: Date;
}

export class RecurrenceError extends Error {}

const ALLOWED_PARTS = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'COUNT', 'UNTIL', 'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST']);

/** Parses and checks a rule; throws RecurrenceError with a message a coordinator can act on. */
export function parseRule(r: Recurrence): RRule {
  const body = r.rule.trim().replace(/^RRULE:/i, '');
  if (!/^[A-Z]+=[A-Z0-9,+-]+(;[A-Z]+=[A-Z0-9,+-]+)*$/i.test(body)) {
    throw new RecurrenceError(`"${r.rule}" is not an RFC 5545 recurrence rule such as FREQ=WEEKLY;BYDAY=MO,TU,TH`);
  }
  for (const part of body.split(';')) {
    const name = part.split('=')[0]!.toUpperCase();
    if (!ALLOWED_PARTS.has(name)) {
      throw new RecurrenceError(`recurrence part ${name} is not supported for tracks (use ${[...ALLOWED_PARTS].join(', ')})`);
    }
  }
  if (!/^\d{2}:\d{2}$/.test(r.blockStart)) throw new RecurrenceError(`block start "${r.blockStart}" must be HH:mm`);
  const dtstart = `${r.startsOn.replaceAll('-', '')}T${r.blockStart.replace(':', '')}00`;
  let rule: RRule;
  try {
    rule = rrulestr(`DTSTART:${dtstart}\nRRULE:${body.toUpperCase()}`, { forceset: false }) as RRule;
  } catch (error) {
    throw new RecurrenceError(`"${r.rule}" is not a valid recurrence rule: ${(error as Error).message}`);
  }
  const freq = rule.options.freq;
  if (freq !== RRule.WEEKLY && freq !== RRule.DAILY && freq !== RRule.MONTHLY) {
    throw new RecurrenceError('a track repeats DAILY, WEEKLY or MONTHLY');
  }
  return rule;
}

/** The blocks whose local date lies in [fromDate, toDate] (inclusive, local dates). */
export function blocksBetween(r: Recurrence, fromDate: string, toDate: string): Block[] {
  const rule = parseRule(r);
  const from = floating(maxDate(fromDate, r.startsOn), '00:00');
  const lastDate = r.endsOn && r.endsOn < toDate ? r.endsOn : toDate;
  const to = floating(lastDate, '23:59');
  if (to < from) return [];
  return rule.between(from, to, true).map((d) => {
    const local = DateTime.fromObject(
      { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() },
      { zone: r.timeZone },
    );
    return { localDate: local.toISODate()!, startsAt: local.toJSDate() };
  });
}

/**
 * Blocks per week, averaged over the first `weeks` weeks of the series: what the track's weekly hours are computed
 * from (`FREQ=WEEKLY;BYDAY=MO,TU,TH` is 3; `INTERVAL=2` halves it). Throws when the rule yields no block at all.
 */
export function blocksPerWeek(r: Recurrence, weeks = 12): number {
  const end = DateTime.fromISO(r.startsOn).plus({ weeks }).minus({ days: 1 }).toISODate()!;
  const blocks = blocksBetween(r, r.startsOn, end);
  if (blocks.length === 0) {
    throw new RecurrenceError(`the recurrence yields no session between ${r.startsOn} and ${end}: check BYDAY, COUNT and UNTIL against the start date`);
  }
  const spanWeeks =
    r.endsOn && r.endsOn < end ? Math.max(1, Math.ceil((DateTime.fromISO(r.endsOn).diff(DateTime.fromISO(r.startsOn), 'days').days + 1) / 7)) : weeks;
  return blocks.length / spanWeeks;
}

function floating(date: string, time: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, d, hh, mm));
}

function maxDate(a: string, b: string): string {
  return a > b ? a : b;
}
