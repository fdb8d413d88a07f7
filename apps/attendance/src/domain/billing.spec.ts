import { payerPerDiemFromEnv } from '../application/billing-config';
import { billDay, perDiemUnits, type PayerPerDiemRule } from './billing';
import { hoursByDayAndWeek, isoWeekOf, localDate } from './calendar';

const group = (sessionId: string, attendedMinutes: number) => ({ sessionId, sessionKind: 'group' as const, attendedMinutes });

describe('billing a patient day', () => {
  it('at the per-diem minimum (3 h) the day is one per-diem day under the program code', () => {
    expect(billDay([group('a', 90), group('b', 90)], { kind: 'substance-use' })).toEqual({
      kind: 'per-diem',
      code: 'H0015',
      revenueCode: '0906',
      attendedMinutes: 180,
      units: 1,
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

describe("a payer's per-diem rule", () => {
  const halfDays: PayerPerDiemRule = { payerId: 'HALF', minimumMinutes: 180, unit: 'half-day' };
  const twoHours: PayerPerDiemRule = { payerId: 'TWO', minimumMinutes: 120, unit: 'day' };

  it('a day payer: one unit from its minimum, none under it', () => {
    expect([0, 119, 120, 400].map((m) => perDiemUnits(m, twoHours))).toEqual([0, 0, 1, 1]);
  });

  it('a half-day payer counts half days: one unit from 1.5 h, two from 3 h, none under 1.5 h', () => {
    expect([0, 89, 90, 179, 180, 300].map((m) => perDiemUnits(m, halfDays))).toEqual([0, 0, 1, 1, 2, 2]);
    // An odd minimum: half of it rounds up, so a half day is never less than half the minimum.
    expect([82, 83].map((m) => perDiemUnits(m, { minimumMinutes: 165, unit: 'half-day' }))).toEqual([0, 1]);
  });

  it("the payer's minimum replaces the program's: 2 h is a per-diem day for a 2-hour payer, 1.5 h a half day for a half-day payer", () => {
    expect(billDay([group('a', 120)], { kind: 'substance-use' }, undefined, twoHours)).toMatchObject({ kind: 'per-diem', code: 'H0015', units: 1 });
    expect(billDay([group('a', 120)], { kind: 'substance-use' })).toMatchObject({ kind: 'discrete' });
    expect(billDay([group('a', 90)], { kind: 'mental-health' }, undefined, halfDays)).toMatchObject({ kind: 'per-diem', code: 'S9480', units: 1 });
    expect(billDay([group('a', 90), group('b', 90)], { kind: 'mental-health' }, undefined, halfDays)).toMatchObject({ units: 2 });
    // Under half the minimum the day is billed as discrete services, as for any payer.
    expect(billDay([group('a', 80)], { kind: 'substance-use' }, undefined, halfDays)).toEqual({
      kind: 'discrete',
      attendedMinutes: 80,
      lines: [{ sessionId: 'a', code: '90853', units: 1, minutes: 80 }],
    });
  });

  it('rules come from ATTENDANCE_PAYER_PER_DIEM; none when unset; a malformed table or a payer twice is refused', () => {
    expect(payerPerDiemFromEnv({}).size).toBe(0);
    const rules = payerPerDiemFromEnv({ ATTENDANCE_PAYER_PER_DIEM: JSON.stringify([halfDays, twoHours]) });
    expect(rules.get('HALF')).toEqual(halfDays);
    expect(rules.get('TWO')).toEqual(twoHours);
    expect(() => payerPerDiemFromEnv({ ATTENDANCE_PAYER_PER_DIEM: JSON.stringify([{ ...halfDays, unit: 'quarter-day' }]) })).toThrow();
    expect(() => payerPerDiemFromEnv({ ATTENDANCE_PAYER_PER_DIEM: JSON.stringify([halfDays, halfDays]) })).toThrow(/at most once/);
    expect(() => payerPerDiemFromEnv({ ATTENDANCE_PAYER_PER_DIEM: '{' })).toThrow();
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
