import {
  checkDischargeDate,
  checkGoals,
  isRefusal,
  localToday,
  lostToContact,
  lostToContactDays,
  resolveDestination,
  type DestinationFacts,
} from './discharge';

const facts = (overrides: Partial<DestinationFacts> = {}): DestinationFacts => ({
  episodeSiteId: 'site-a',
  episodeLevel: '2.1',
  program: null,
  transferSiteKnown: true,
  ...overrides,
});
const none = { stepDown: null, stepUp: null, transferToSiteId: null };

describe('the discharge date', () => {
  it('may be any day from the admission to today, both included', () => {
    expect(checkDischargeDate('2026-03-01', '2026-03-01', '2026-03-20')).toBeNull();
    expect(checkDischargeDate('2026-03-20', '2026-03-01', '2026-03-20')).toBeNull();
  });

  it('before the admission is refused with both dates in the message', () => {
    expect(checkDischargeDate('2026-02-28', '2026-03-01', '2026-03-20')).toEqual({
      code: 'discharge.before-admission',
      status: 422,
      message: 'the discharge date 2026-02-28 is before the admission on 2026-03-01',
    });
  });

  it("after today at the site is refused, naming the site's today", () => {
    const refusal = checkDischargeDate('2026-03-21', '2026-03-01', '2026-03-20');
    expect(refusal).toMatchObject({ code: 'discharge.in-the-future', status: 422 });
    expect(refusal!.message).toContain('2026-03-21');
    expect(refusal!.message).toContain('2026-03-20');
  });

  it("today is the site's calendar day, not UTC's", () => {
    const lateEveningInLosAngeles = new Date('2026-03-21T05:30:00Z');
    expect(localToday('America/Los_Angeles', lateEveningInLosAngeles)).toBe('2026-03-20');
    expect(localToday('Europe/Berlin', lateEveningInLosAngeles)).toBe('2026-03-21');
  });
});

describe('where the patient goes', () => {
  it('a completed discharge names no destination', () => {
    expect(resolveDestination('completed', none, facts())).toEqual(none);
    expect(resolveDestination('completed', { ...none, transferToSiteId: 'site-b' }, facts())).toMatchObject({ code: 'discharge.destination-mismatch' });
  });

  it("a step-down to a program of the network takes the program's level", () => {
    const program = { programId: 'p-1', levelOfCare: '1' as const };
    expect(resolveDestination('step-down', { ...none, stepDown: { programId: 'p-1' } }, facts({ program }))).toEqual({
      ...none,
      stepDown: { programId: 'p-1', levelOfCare: '1' },
    });
  });

  it('a step-down to an unknown program is refused', () => {
    expect(resolveDestination('step-down', { ...none, stepDown: { programId: 'p-x' } }, facts())).toMatchObject({
      code: 'discharge.program-unknown',
      status: 422,
    });
  });

  it('a step-down outside the network needs its level, and the level must be below the episode', () => {
    expect(resolveDestination('step-down', { ...none, stepDown: { programId: null } }, facts())).toMatchObject({ code: 'discharge.destination-missing' });
    expect(resolveDestination('step-down', { ...none, stepDown: { programId: null, levelOfCare: '1' } }, facts())).toEqual({
      ...none,
      stepDown: { programId: null, levelOfCare: '1' },
    });
    expect(resolveDestination('step-down', { ...none, stepDown: { programId: null, levelOfCare: '2.5' } }, facts())).toMatchObject({
      code: 'discharge.not-a-step-down',
    });
    expect(isRefusal(resolveDestination('step-down', { ...none, stepDown: { programId: null, levelOfCare: '2.1' } }, facts({ episodeLevel: '2.5' })))).toBe(
      false,
    );
  });

  it('a step-up names where the patient goes', () => {
    expect(resolveDestination('step-up', none, facts())).toMatchObject({ code: 'discharge.destination-missing' });
    expect(resolveDestination('step-up', { ...none, stepUp: { destination: 'residential' } }, facts())).toEqual({
      ...none,
      stepUp: { destination: 'residential' },
    });
  });

  it('a transfer goes to another known site of the network', () => {
    expect(resolveDestination('transfer', { ...none, transferToSiteId: 'site-b' }, facts())).toEqual({ ...none, transferToSiteId: 'site-b' });
    expect(resolveDestination('transfer', { ...none, transferToSiteId: 'site-a' }, facts())).toMatchObject({
      code: 'discharge.transfer-same-site',
      status: 422,
    });
    expect(resolveDestination('transfer', { ...none, transferToSiteId: 'site-z' }, facts({ transferSiteKnown: false }))).toMatchObject({
      code: 'discharge.site-unknown',
      status: 422,
    });
  });
});

describe("the plan's goals", () => {
  it('must be stated before signing, and add up', () => {
    expect(checkGoals(null)).toMatchObject({ code: 'discharge.goals-missing' });
    expect(checkGoals({ total: 4, met: 3, partly: 1 })).toBeNull();
    expect(checkGoals({ total: 4, met: 3, partly: 2 })).toMatchObject({ code: 'discharge.goals-inconsistent' });
  });
});

describe('lost to contact', () => {
  const candidate = (episodeId: string, admittedOn: string, lastAttendedOn: string | null) => ({ episodeId, admittedOn, lastAttendedOn, today: '2026-03-30' });

  it('selects episodes whose last attendance is N days ago or more, dated on that last attendance', () => {
    const due = lostToContact([candidate('silent', '2026-02-01', '2026-03-16'), candidate('recent', '2026-02-01', '2026-03-17')], 14);
    expect(due.map((d) => [d.episodeId, d.dischargeOn, d.silentDays])).toEqual([['silent', '2026-03-16', 14]]);
  });

  it('counts from the admission when the patient never attended, and leaves an admission that has not started alone', () => {
    const due = lostToContact([candidate('never', '2026-03-01', null), candidate('new', '2026-03-20', null), candidate('future', '2026-04-05', null)], 14);
    expect(due.map((d) => [d.episodeId, d.dischargeOn])).toEqual([['never', '2026-03-01']]);
  });

  it('takes N from AFTERCARE_LOST_TO_CONTACT_DAYS, 14 when unset or not a positive whole number', () => {
    expect(lostToContactDays({})).toBe(14);
    expect(lostToContactDays({ AFTERCARE_LOST_TO_CONTACT_DAYS: '21' })).toBe(21);
    expect(lostToContactDays({ AFTERCARE_LOST_TO_CONTACT_DAYS: '-3' })).toBe(14);
    expect(lostToContactDays({ AFTERCARE_LOST_TO_CONTACT_DAYS: 'soon' })).toBe(14);
  });
});
