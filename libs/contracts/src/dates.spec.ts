import { BirthDate, Instant, PlannedStartDate, ServiceDate } from './dates';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const messages = (result: { error?: { issues: Array<{ message: string }> } }) => result.error?.issues.map((i) => i.message) ?? [];

describe('dates a person can mean and Postgres can hold', () => {
  it.each(['0000-01-01', '1899-12-31', day(1), '9999-12-31'])('a birth date of %s is refused', (value) => {
    expect(BirthDate.safeParse(value).success).toBe(false);
  });

  it.each(['1900-01-01', '1987-04-02', day(0)])('a birth date of %s is accepted', (value) => {
    expect(BirthDate.safeParse(value).success).toBe(true);
  });

  it('a planned start more than 90 days ahead is refused with the limit and what to do instead', () => {
    expect(PlannedStartDate.safeParse(day(90)).success).toBe(true);
    expect(messages(PlannedStartDate.safeParse(day(91)))).toEqual([
      `the planned start can be at most 90 days ahead (${day(90)}); put the patient on the waitlist instead`,
    ]);
    expect(PlannedStartDate.safeParse('9999-12-31').success).toBe(false);
  });

  it('service dates keep to the configured window', () => {
    const saved = { ...process.env };
    try {
      process.env['IOP_DATE_WINDOW_PAST_DAYS'] = '30';
      process.env['IOP_DATE_WINDOW_FUTURE_DAYS'] = '10';
      expect(ServiceDate.safeParse(day(-30)).success).toBe(true);
      expect(ServiceDate.safeParse(day(-31)).success).toBe(false);
      expect(ServiceDate.safeParse(day(10)).success).toBe(true);
      expect(ServiceDate.safeParse(day(11)).success).toBe(false);
    } finally {
      process.env = saved;
    }
  });

  it('a malformed date gets one message saying the format, not a second about its range', () => {
    expect(messages(BirthDate.safeParse('02/04/1987'))).toEqual(['must be a calendar date, YYYY-MM-DD']);
  });

  it.each(['0000-01-01T00:00:00Z', '1899-12-31T23:59:59Z', '2200-01-01T00:00:00Z'])('an instant of %s is refused', (value) => {
    expect(messages(Instant.safeParse(value))).toEqual(['must be between the years 1900 and 2199']);
  });
});
