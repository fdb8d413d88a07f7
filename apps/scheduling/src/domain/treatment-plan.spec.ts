import { draftPlan, milestonesMet, nextMonday, reviewPlan, sessionsWithinBudget, type GroupSession } from './treatment-plan';

describe('the first draft of a treatment plan, from the admission', () => {
  it('takes the planned weekly hours as group minutes and reviews 30 days after the start', () => {
    expect(draftPlan({ programType: 'substance-use', levelOfCare: '2.1', plannedWeeklyHours: 9, plannedStart: '2031-03-03' })).toEqual({
      weeklyGroupMinutes: 540,
      individualPerWeek: 1,
      familyPerMonth: 1,
      psychiatricPerMonth: 1,
      goals: [],
      effectiveFrom: '2031-03-03',
      nextReviewOn: '2031-04-02',
    });
  });

  it('rounds hours to a quarter hour', () => {
    expect(draftPlan({ programType: 'mental-health', levelOfCare: '2.1', plannedWeeklyHours: 9.1, plannedStart: '2031-03-03' }).weeklyGroupMinutes).toBe(540);
  });

  it('asks for more family and psychiatric visits at partial hospitalisation (2.5)', () => {
    expect(draftPlan({ programType: 'substance-use', levelOfCare: '2.5', plannedWeeklyHours: 20, plannedStart: '2031-03-03' })).toMatchObject({
      familyPerMonth: 2,
      psychiatricPerMonth: 2,
    });
  });

  it('asks for two psychiatric visits a month for co-occurring disorders', () => {
    expect(draftPlan({ programType: 'co-occurring', levelOfCare: '2.1', plannedWeeklyHours: 9, plannedStart: '2031-03-03' }).psychiatricPerMonth).toBe(2);
  });
});

describe('a plan review', () => {
  const current = { weeklyGroupMinutes: 540, individualPerWeek: 1, familyPerMonth: 1, psychiatricPerMonth: 1 };

  it('steps hours down from the next Monday, and schedules the next review 30 days on', () => {
    expect(reviewPlan(current, { ...current, weeklyGroupMinutes: 360 }, '2031-03-05')).toEqual({
      direction: 'step-down',
      seatsChangeFrom: '2031-03-10',
      nextReviewOn: '2031-04-04',
    });
  });

  it('steps up, and keeps a next review date the clinician chose', () => {
    expect(reviewPlan(current, { ...current, weeklyGroupMinutes: 720, nextReviewOn: '2031-03-20' }, '2031-03-05')).toMatchObject({
      direction: 'step-up',
      nextReviewOn: '2031-03-20',
    });
  });

  it('a review on a Monday changes seats from the Monday after', () => {
    expect(nextMonday('2031-03-03')).toBe('2031-03-10');
    expect(nextMonday('2031-03-09')).toBe('2031-03-10');
  });

  it('counts milestones met across goals', () => {
    const goal = (met: boolean[]) => ({
      description: 'g',
      targetDate: '2031-05-01',
      milestones: met.map((m) => ({ description: 'm', targetDate: '2031-04-01', met: m })),
    });
    expect(milestonesMet([goal([true, false]), goal([true, true])])).toBe(0.75);
    expect(milestonesMet([])).toBe(0);
  });
});

describe('group sessions within the weekly minutes of the plan', () => {
  // Mon/Tue/Thu evenings of three one-hour groups, two weeks.
  const days = ['2031-03-03', '2031-03-04', '2031-03-06', '2031-03-10', '2031-03-11', '2031-03-13'];
  const sessions: GroupSession[] = days.flatMap((d) =>
    [0, 1, 2].map((i) => ({ sessionId: `${d}#${i}`, localDate: d, startsAt: new Date(`${d}T${18 + i}:00:00-05:00`), minutes: 60 })),
  );

  it('keeps every session when the plan covers the track', () => {
    expect(sessionsWithinBudget(sessions, 540)).toHaveLength(18);
  });

  it('keeps the earliest sessions of each week up to the budget: 6 hours keeps Monday and Tuesday', () => {
    const kept = sessionsWithinBudget(sessions, 360).map((s) => s.localDate);
    expect([...new Set(kept)]).toEqual(['2031-03-03', '2031-03-04', '2031-03-10', '2031-03-11']);
    expect(kept).toHaveLength(12);
  });

  it('keeps nothing for a plan of no group hours', () => {
    expect(sessionsWithinBudget(sessions, 0)).toEqual([]);
  });
});
