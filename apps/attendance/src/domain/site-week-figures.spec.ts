import { shown, SUPPRESSED } from '@iop/domain';
import { siteWeekFigures } from './site-week-figures';

describe("a site's week for analysts", () => {
  it('shows every figure of a week with enough patients and events', () => {
    expect(siteWeekFigures({ census: 12, sessionsScheduled: 48, sessionsAttended: 36, noShows: 12, attendedMinutes: 36 * 180 })).toEqual({
      census: shown(12),
      sessionsScheduled: shown(48),
      sessionsAttended: shown(36),
      noShows: shown(12),
      attendanceRate: shown(0.75),
      noShowRate: shown(0.25),
      hoursPerPatient: shown(9),
    });
  });

  it('suppresses the no-shows and the no-show rate when few patients missed, and keeps the rest', () => {
    const week = siteWeekFigures({ census: 20, sessionsScheduled: 60, sessionsAttended: 57, noShows: 3, attendedMinutes: 57 * 180 });
    expect(week.noShows).toEqual(SUPPRESSED);
    expect(week.noShowRate).toEqual(SUPPRESSED);
    expect(week.attendanceRate).toEqual(shown(0.95));
  });

  it('suppresses every figure of a week whose census is under 11', () => {
    const week = siteWeekFigures({ census: 4, sessionsScheduled: 40, sessionsAttended: 30, noShows: 10, attendedMinutes: 5400 });
    expect(Object.values(week).every((cell) => cell.suppressed && cell.value === null)).toBe(true);
  });
});
