/*
 * Small-cell suppression for the de-identified site-week aggregates (analytics.site-week). As in CMS's cell size
 * suppression policy, a count from 1 to 10 is never shown: it could point at one patient in a small site's week. A zero
 * is shown (it describes nobody). A rate is suppressed when any count it is computed from is suppressed, and when the
 * week's census is itself suppressed every figure of the week is, so that no figure can be worked back from the others.
 */

/** Counts below this (and above zero) are withheld. */
export const SMALL_CELL_THRESHOLD = 11;

export interface Cell {
  readonly value: number | null;
  readonly suppressed: boolean;
}

export const SUPPRESSED: Cell = Object.freeze({ value: null, suppressed: true });

export function shown(value: number): Cell {
  return { value, suppressed: false };
}

/** A count, withheld when it is from 1 to 10. */
export function countCell(count: number): Cell {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`a count must be a whole number >= 0, not ${count}`);
  return count > 0 && count < SMALL_CELL_THRESHOLD ? SUPPRESSED : shown(count);
}

/**
 * A ratio of two counts (or of an amount to a count), rounded to `decimals`; suppressed when either side is. A zero
 * denominator gives 0 (nothing was scheduled, so nothing was missed).
 */
export function ratioCell(numerator: Cell, denominator: Cell, decimals: number): Cell {
  if (numerator.suppressed || denominator.suppressed) return SUPPRESSED;
  const den = denominator.value!;
  if (den === 0) return shown(0);
  const factor = 10 ** decimals;
  return shown(Math.round((numerator.value! / den) * factor) / factor);
}

export interface SiteWeekCounts {
  /** Distinct patients with at least one scheduled session. */
  readonly census: number;
  readonly sessionsScheduled: number;
  readonly sessionsAttended: number;
  readonly noShows: number;
  readonly attendedMinutes: number;
}

export interface SiteWeekFigures {
  readonly census: Cell;
  readonly sessionsScheduled: Cell;
  readonly sessionsAttended: Cell;
  readonly noShows: Cell;
  readonly attendanceRate: Cell;
  readonly noShowRate: Cell;
  readonly hoursPerPatient: Cell;
}

/** The publishable figures of a site's week. */
export function siteWeekFigures(counts: SiteWeekCounts): SiteWeekFigures {
  const census = countCell(counts.census);
  if (census.suppressed) {
    return {
      census,
      sessionsScheduled: SUPPRESSED,
      sessionsAttended: SUPPRESSED,
      noShows: SUPPRESSED,
      attendanceRate: SUPPRESSED,
      noShowRate: SUPPRESSED,
      hoursPerPatient: SUPPRESSED,
    };
  }
  const sessionsScheduled = countCell(counts.sessionsScheduled);
  const sessionsAttended = countCell(counts.sessionsAttended);
  const noShows = countCell(counts.noShows);
  return {
    census,
    sessionsScheduled,
    sessionsAttended,
    noShows,
    attendanceRate: ratioCell(sessionsAttended, sessionsScheduled, 4),
    noShowRate: ratioCell(noShows, sessionsScheduled, 4),
    // Minutes are not a count of people; the hours per patient hang on the census alone.
    hoursPerPatient: ratioCell(shown(counts.attendedMinutes / 60), census, 2),
  };
}
