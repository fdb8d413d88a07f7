import { SUPPRESSED, countCell, ratioCell, shown, type Cell } from '@iop/domain';

/*
 * The publishable figures of a site's week (analytics.site-week), under the network's small-cell suppression
 * (libs/domain): when the week's census is itself suppressed every figure of the week is.
 */

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
