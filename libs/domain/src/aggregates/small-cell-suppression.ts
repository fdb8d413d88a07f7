/*
 * Small-cell suppression for de-identified aggregates (analytics.site-week, analytics.aftercare-site-month). As in
 * CMS's cell size suppression policy, a count from 1 to 10 is never shown: it could point at one patient in a small
 * site's week or month. A zero is shown (it describes nobody). A rate is suppressed when any count it is computed
 * from is suppressed; each aggregate also suppresses every figure when its population is itself suppressed, so that
 * no figure can be worked back from the others.
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
