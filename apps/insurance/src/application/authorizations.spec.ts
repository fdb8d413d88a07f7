import { authorizationStatus, type Authorization } from './authorizations';

const anAuthorization = (overrides: Partial<Authorization> = {}): Authorization => ({
  authorizationId: 'a1',
  siteId: 's1',
  patientId: 'p1',
  payerId: 'cigna',
  payerReference: 'AUTH-1',
  serviceCode: 'H0015',
  unitsApproved: 24,
  startDate: '2026-11-01',
  endDate: '2026-12-31',
  ...overrides,
});

describe('prior authorisation warnings', () => {
  it('no warning with units and time to spare', () => {
    expect(authorizationStatus(anAuthorization(), 10, '2026-11-22')).toMatchObject({ unitsRemaining: 14, warnings: [] });
  });

  it('warns when five or fewer units are left, and when none are', () => {
    expect(authorizationStatus(anAuthorization(), 19, '2026-11-22').warnings).toEqual(['units-low']);
    const used = authorizationStatus(anAuthorization(), 26, '2026-11-22');
    expect(used).toMatchObject({ unitsRemaining: 0, warnings: ['units-exhausted'] });
    expect(used.advice[0]).toContain('concurrent review');
  });

  it('warns a week before the end date, and after it', () => {
    expect(authorizationStatus(anAuthorization(), 0, '2026-12-24').warnings).toEqual(['ending-soon']);
    expect(authorizationStatus(anAuthorization(), 0, '2026-12-23').warnings).toEqual([]);
    expect(authorizationStatus(anAuthorization(), 0, '2027-01-01').warnings).toEqual(['ended']);
  });
});
