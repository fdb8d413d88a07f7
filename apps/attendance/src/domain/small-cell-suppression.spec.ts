import { countCell, ratioCell, shown, siteWeekFigures, SUPPRESSED } from './small-cell-suppression';

describe('small-cell suppression', () => {
  it.each([1, 5, 10])('withholds a count of %i', (n) => {
    expect(countCell(n)).toEqual({ value: null, suppressed: true });
  });

  it.each([0, 11, 250])('shows a count of %i', (n) => {
    expect(countCell(n)).toEqual({ value: n, suppressed: false });
  });

  it('refuses a count that is not a whole number', () => {
    expect(() => countCell(-1)).toThrow(RangeError);
    expect(() => countCell(2.5)).toThrow(RangeError);
  });

  it('suppresses a rate computed from a suppressed count, on either side', () => {
    expect(ratioCell(SUPPRESSED, shown(40), 4)).toEqual(SUPPRESSED);
    expect(ratioCell(shown(40), SUPPRESSED, 4)).toEqual(SUPPRESSED);
  });

  it('rounds a shown rate, and gives 0 over a zero denominator', () => {
    expect(ratioCell(shown(2), shown(3), 4)).toEqual(shown(0.6667));
    expect(ratioCell(shown(0), shown(0), 4)).toEqual(shown(0));
  });
});

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
