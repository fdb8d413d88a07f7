import { merge } from './discharge.use-cases';

const signed = {
  type: 'step-down' as const,
  reasonCode: 'goals-met',
  dischargedOn: '2026-03-20',
  destination: { stepDown: { programId: 'p-1', levelOfCare: '1' as const }, stepUp: null, transferToSiteId: null },
};

describe('a change to a discharge', () => {
  it('replaces only the fields it names', () => {
    expect(merge(signed, { dischargedOn: '2026-03-19' })).toEqual({ ...signed, dischargedOn: '2026-03-19' });
  });

  it("a new type brings its own destination: the old type's is cleared", () => {
    expect(merge(signed, { type: 'transfer', reasonCode: 'moved-away', transferToSiteId: 'site-b' })).toEqual({
      type: 'transfer',
      reasonCode: 'moved-away',
      dischargedOn: '2026-03-20',
      destination: { stepDown: null, stepUp: null, transferToSiteId: 'site-b' },
    });
  });

  it('a destination named under the same type replaces that destination', () => {
    expect(merge(signed, { stepDown: { programId: null, levelOfCare: '1' } }).destination.stepDown).toEqual({ programId: null, levelOfCare: '1' });
  });
});
