import { programDefaults } from './program';
import { blockMinutes, blockProblem, placeSessions, weeklyMinutes, weeklyRangeProblem } from './track';

const adultIop = { name: 'Evening SUD', levelOfCare: '2.1' as const, population: 'adult' as const, ...programDefaults('2.1', 'adult') };

describe('a track block', () => {
  it('sessions without offsets follow one another', () => {
    expect(placeSessions([{ durationMinutes: 60 }, { durationMinutes: 60 }, { durationMinutes: 60 }]).map((s) => s.offsetMinutes)).toEqual([0, 60, 120]);
    expect(placeSessions([{ durationMinutes: 90 }, { offsetMinutes: 105, durationMinutes: 75 }]).map((s) => s.offsetMinutes)).toEqual([0, 105]);
  });

  it('a break between sessions is fine', () => {
    expect(
      blockProblem([
        { offsetMinutes: 0, durationMinutes: 90 },
        { offsetMinutes: 100, durationMinutes: 80 },
      ]),
    ).toBeUndefined();
  });

  it('overlapping sessions are refused, named by position', () => {
    expect(
      blockProblem([
        { offsetMinutes: 0, durationMinutes: 90 },
        { offsetMinutes: 60, durationMinutes: 60 },
      ]),
    ).toMatchObject({
      code: 'track.sessions-overlap',
      status: 400,
      message: expect.stringContaining('sessions 1 and 2'),
    });
  });

  it('a session of no length is refused', () => {
    expect(blockProblem([{ offsetMinutes: 0, durationMinutes: 0 }])).toMatchObject({ code: 'track.empty-session', status: 400 });
  });
});

describe('weekly minutes', () => {
  const threeHours = placeSessions([{ durationMinutes: 60 }, { durationMinutes: 60 }, { durationMinutes: 60 }]);

  it('three 3-hour blocks a week are 9 hours', () => {
    expect(blockMinutes(threeHours)).toBe(180);
    expect(weeklyMinutes(3, threeHours)).toBe(540);
  });

  it('blocks every other week count half', () => {
    expect(weeklyMinutes(1.5, threeHours)).toBe(270);
  });

  it('a track inside its program range passes', () => {
    expect(weeklyRangeProblem(540, adultIop)).toBeUndefined();
    expect(weeklyRangeProblem(1140, adultIop)).toBeUndefined();
  });

  it('too few hours are refused with both numbers', () => {
    expect(weeklyRangeProblem(450, adultIop)).toEqual({
      code: 'track.too-few-hours',
      status: 422,
      message: 'this track gives 7 h 30 min a week; program Evening SUD (2.1 adult) needs 9 h to 19 h',
    });
  });

  it('too many hours are refused too', () => {
    expect(weeklyRangeProblem(1200, adultIop)).toMatchObject({ code: 'track.too-many-hours', message: expect.stringContaining('20 h a week') });
  });

  it('PHP has no upper bound', () => {
    expect(weeklyRangeProblem(40 * 60, { ...adultIop, ...programDefaults('2.5', 'adult') })).toBeUndefined();
  });
});
