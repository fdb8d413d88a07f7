import { daysBetween, followUpOffsets, localDateOf, planFollowUp, planFollowUps } from './follow-up-schedule';

describe('follow-up due dates', () => {
  it('plans +7, +30 and +90 calendar days after the discharge date, each due from local midnight to the next', () => {
    const [week, month, quarter] = planFollowUps('2026-03-02', 'America/New_York', [7, 30, 90]);
    expect(week).toEqual({ dayOffset: 7, dueOn: '2026-03-09', dueAt: new Date('2026-03-09T04:00:00Z'), overdueAt: new Date('2026-03-10T04:00:00Z') });
    expect(month!.dueOn).toBe('2026-04-01');
    expect(quarter!.dueOn).toBe('2026-05-31');
  });

  it('keeps the local day across the end of daylight time (Los Angeles, 1 November 2026)', () => {
    const week = planFollowUp('2026-10-28', 'America/Los_Angeles', 7);
    expect(week.dueOn).toBe('2026-11-04');
    // Midnight PST is 08:00Z; the discharge day's midnight (PDT) was 07:00Z.
    expect(week.dueAt).toEqual(new Date('2026-11-04T08:00:00Z'));
    expect(week.overdueAt).toEqual(new Date('2026-11-05T08:00:00Z'));
  });

  it('gives the due day 23 hours when the clocks go forward on it', () => {
    const day = planFollowUp('2026-03-01', 'America/Los_Angeles', 7);
    expect(day.dueOn).toBe('2026-03-08');
    expect(day.overdueAt.getTime() - day.dueAt.getTime()).toBe(23 * 60 * 60 * 1000);
  });

  it('reads the offsets from the setting, and refuses a bad one', () => {
    expect(followUpOffsets(undefined)).toEqual([7, 30, 90]);
    expect(followUpOffsets('30, 7, 14')).toEqual([7, 14, 30]);
    expect(() => followUpOffsets('7,seven')).toThrow(/FOLLOW_UP_DAYS/);
    expect(() => followUpOffsets('7,7')).toThrow(/distinct/);
    expect(() => followUpOffsets('0')).toThrow(/FOLLOW_UP_DAYS/);
  });

  it('counts calendar days between local dates and finds the local date of an instant', () => {
    expect(daysBetween('2026-10-28', '2026-11-04')).toBe(7);
    expect(daysBetween('2026-01-31', '2026-03-02')).toBe(30);
    expect(localDateOf('2026-11-04T07:30:00Z', 'America/Los_Angeles')).toBe('2026-11-03');
  });
});
