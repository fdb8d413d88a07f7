import { billDay } from './billing';
import { hoursByDayAndWeek, isoWeekOf, localDate } from './calendar';

const group = (sessionId: string, attendedMinutes: number) => ({ sessionId, sessionKind: 'group' as const, attendedMinutes });

describe('billing a patient day', () => {
  it('at the per-diem minimum (3 h) the day is one per-diem day under the program code', () => {
    expect(billDay([group('a', 90), group('b', 90)], { kind: 'substance-use' })).toEqual({
      kind: 'per-diem',
      code: 'H0015',
      revenueCode: '0906',
      attendedMinutes: 180,
    });
    expect(billDay([group('a', 180)], { kind: 'mental-health', perDiemMinimumMinutes: 180 })).toMatchObject({ code: 'S9480', revenueCode: '0905' });
  });

  it('2 h 50 min gives discrete lines instead: group psychotherapy per session, individual by its minutes', () => {
    const day = billDay([group('a', 110), { sessionId: 'b', sessionKind: 'individual', attendedMinutes: 60 }], { kind: 'substance-use' });
    expect(day).toEqual({
      kind: 'discrete',
      attendedMinutes: 170,
      lines: [
        { sessionId: 'a', code: '90853', units: 1, minutes: 110 },
        { sessionId: 'b', code: '90837', units: 1, minutes: 60 },
      ],
    });
  });

  it('individual 45 minutes is 90834, family 50 minutes is 90847, a sliver of individual time bills nothing', () => {
    const day = billDay(
      [
        { sessionId: 'i', sessionKind: 'individual', attendedMinutes: 45 },
        { sessionId: 'f', sessionKind: 'family', attendedMinutes: 50 },
        { sessionId: 's', sessionKind: 'individual', attendedMinutes: 10 },
      ],
      { kind: 'mental-health' },
    );
    expect(day.kind === 'discrete' && day.lines.map((l) => l.code)).toEqual(['90834', '90847']);
  });

  it('a program with a lower per-diem minimum bills its days from that minimum', () => {
    expect(billDay([group('a', 120)], { kind: 'co-occurring', perDiemMinimumMinutes: 120 })).toMatchObject({ kind: 'per-diem', code: 'H0015' });
  });
});

describe('days and weeks in the site zone', () => {
  it('an evening session in Los Angeles falls on its local day, not the UTC one', () => {
    expect(localDate('2026-03-09T04:30:00Z', 'America/Los_Angeles')).toBe('2026-03-08');
  });

  it('ISO weeks start on Monday, across the DST change of 8 March 2026', () => {
    expect(isoWeekOf('2026-03-08')).toEqual({ isoWeek: '2026-W10', weekStart: '2026-03-02' });
    expect(isoWeekOf('2026-03-09')).toEqual({ isoWeek: '2026-W11', weekStart: '2026-03-09' });
  });

  it('sums minutes per day and per week and compares each week with the plan minimum', () => {
    const { days, weeks } = hoursByDayAndWeek(
      [
        { serviceDate: '2026-03-06', scheduledMinutes: 180, attendedMinutes: 180 },
        { serviceDate: '2026-03-06', scheduledMinutes: 60, attendedMinutes: 50 },
        { serviceDate: '2026-03-09', scheduledMinutes: 180, attendedMinutes: 170 },
      ],
      540,
    );
    expect(days).toEqual([
      { date: '2026-03-06', scheduledMinutes: 240, attendedMinutes: 230 },
      { date: '2026-03-09', scheduledMinutes: 180, attendedMinutes: 170 },
    ]);
    expect(weeks.map((w) => [w.isoWeek, w.attendedMinutes, w.minimumMet])).toEqual([
      ['2026-W10', 230, false],
      ['2026-W11', 170, false],
    ]);
  });
});
