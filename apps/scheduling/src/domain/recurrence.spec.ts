import { blocksBetween, blocksPerWeek, parseRule, RecurrenceError, type Recurrence } from './recurrence';

const tuesdayEvenings = (timeZone: string): Recurrence => ({ rule: 'FREQ=WEEKLY;BYDAY=TU', startsOn: '2026-03-03', blockStart: '18:00', timeZone });

describe('a track recurrence in the site time zone', () => {
  it.each([
    ['America/New_York', '2026-03-03T23:00:00.000Z', '2026-03-10T22:00:00.000Z'],
    ['America/Los_Angeles', '2026-03-04T02:00:00.000Z', '2026-03-11T01:00:00.000Z'],
  ])('a Tuesday 18:00 group in %s stays at 18:00 local across the March change (the UTC instant moves by an hour)', (zone, before, after) => {
    const blocks = blocksBetween(tuesdayEvenings(zone), '2026-03-01', '2026-03-14');
    expect(blocks.map((b) => b.localDate)).toEqual(['2026-03-03', '2026-03-10']);
    expect(blocks.map((b) => b.startsAt.toISOString())).toEqual([before, after]);
  });

  it.each([
    ['America/New_York', '2026-10-27T22:00:00.000Z', '2026-11-03T23:00:00.000Z'],
    ['America/Los_Angeles', '2026-10-28T01:00:00.000Z', '2026-11-04T02:00:00.000Z'],
  ])('and across the November change in %s', (zone, before, after) => {
    const blocks = blocksBetween({ ...tuesdayEvenings(zone), startsOn: '2026-10-06' }, '2026-10-27', '2026-11-03');
    expect(blocks.map((b) => b.startsAt.toISOString())).toEqual([before, after]);
  });

  it('Mon/Tue/Thu evenings are three blocks a week, every other week half that', () => {
    const base = { rule: 'FREQ=WEEKLY;BYDAY=MO,TU,TH', startsOn: '2026-01-05', blockStart: '18:00', timeZone: 'America/Chicago' };
    expect(blocksPerWeek(base)).toBe(3);
    expect(blocksPerWeek({ ...base, rule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,TH' })).toBe(1.5);
  });

  it('a series that ends stops producing blocks on its last date', () => {
    const blocks = blocksBetween({ ...tuesdayEvenings('America/Chicago'), endsOn: '2026-03-17' }, '2026-03-01', '2026-04-30');
    expect(blocks.map((b) => b.localDate)).toEqual(['2026-03-03', '2026-03-10', '2026-03-17']);
  });

  it('a rule that yields no block is refused with the window it looked at', () => {
    const never = { rule: 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20260101T000000Z', startsOn: '2026-03-03', blockStart: '18:00', timeZone: 'America/Chicago' };
    expect(() => blocksPerWeek(never)).toThrow(/yields no session between 2026-03-03 and/);
  });

  it.each(['FREQ=HOURLY', 'BYDAY=MO', 'FREQ=WEEKLY;BYHOUR=9', 'not a rule', 'FREQ=WEEKLY;BYDAY=XX'])('refuses %s with a message', (rule) => {
    expect(() => parseRule({ rule, startsOn: '2026-03-03', blockStart: '18:00', timeZone: 'UTC' })).toThrow(RecurrenceError);
  });
});
