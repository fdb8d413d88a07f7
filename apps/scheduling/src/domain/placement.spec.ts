import { firstJoinDate, isCohortStart, levelChange, rankTracks, type Candidate } from './placement';

describe('when a patient may join a track', () => {
  const open = { trackId: 't', startsOn: '2031-01-06', endsOn: null, enrolment: 'open' as const, cohortWeeks: null };
  const closed = { ...open, enrolment: 'closed' as const, cohortWeeks: 4 };

  it('an open group admits any day of its run', () => {
    expect(firstJoinDate(open, '2031-02-12')).toBe('2031-02-12');
    expect(firstJoinDate(open, '2030-12-01')).toBe('2031-01-06');
  });

  it('a closed group admits only at a cohort start: its first date plus multiples of the cohort weeks', () => {
    expect(firstJoinDate(closed, '2031-01-06')).toBe('2031-01-06');
    expect(firstJoinDate(closed, '2031-01-07')).toBe('2031-02-03');
    expect(firstJoinDate(closed, '2031-02-04')).toBe('2031-03-03');
    expect(isCohortStart(closed, '2031-03-03')).toBe(true);
    expect(isCohortStart(closed, '2031-03-10')).toBe(false);
  });

  it('no date once the track has ended', () => {
    expect(firstJoinDate({ ...closed, endsOn: '2031-01-31' }, '2031-01-07')).toBeNull();
  });

  it('names steps between levels of care', () => {
    expect(levelChange('2.5', '2.1')).toBe('stepped-down');
    expect(levelChange('1', '2.1')).toBe('stepped-up');
    expect(levelChange('2.1', '2.1')).toBeNull();
  });
});

describe('ranking tracks for a patient', () => {
  const track = (over: Partial<Candidate>): Candidate => ({
    trackId: over.name ?? 'x',
    name: 'x',
    programId: 'p',
    levelOfCare: '2.1',
    weeklyMinutes: 540,
    freeSeats: 4,
    firstDate: '2031-03-03',
    ...over,
  });
  const plan = { weeklyGroupMinutes: 540, levelOfCare: '2.1' };

  it('puts tracks that can take the patient before full ones', () => {
    const ranked = rankTracks([track({ name: 'full', freeSeats: 0 }), track({ name: 'free', weeklyMinutes: 720 })], plan);
    expect(ranked.map((r) => r.name)).toEqual(['free', 'full']);
    expect(ranked[1]!.reasons[0]).toContain('full');
  });

  it('prefers the level of care admitted, then the closest hours, then the earliest start, then more seats', () => {
    const ranked = rankTracks(
      [
        track({ name: 'other level', levelOfCare: '2.5' }),
        track({ name: 'far hours', weeklyMinutes: 360 }),
        track({ name: 'later', firstDate: '2031-03-10' }),
        track({ name: 'fewer seats', freeSeats: 1 }),
        track({ name: 'best', freeSeats: 6 }),
      ],
      plan,
    );
    expect(ranked.map((r) => [r.rank, r.name])).toEqual([
      [1, 'best'],
      [2, 'fewer seats'],
      [3, 'later'],
      [4, 'far hours'],
      [5, 'other level'],
    ]);
  });
});
