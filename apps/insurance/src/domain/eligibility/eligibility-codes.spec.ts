import { FOLLOW_UP_ACTIONS, REJECT_REASONS, serviceTypeLabel } from './eligibility-codes';

describe('eligibility code lists', () => {
  // The reasons a 271 most often carries at the payer, clinic, subscriber and dependent levels.
  const reasonsCoordinatorsMeet = [
    '15',
    '41',
    '42',
    '43',
    '45',
    '47',
    '48',
    '51',
    '52',
    '56',
    '57',
    '58',
    '60',
    '61',
    '62',
    '63',
    '71',
    '72',
    '73',
    '74',
    '75',
    '76',
    '78',
    '79',
    '80',
  ];

  it.each(reasonsCoordinatorsMeet)('gives reject reason %s a message that says what to do', (code) => {
    const reason = Object.entries(REJECT_REASONS).find(([key]) => key === code)?.[1];
    expect(reason?.coordinatorMessage).toMatch(/: [a-z]/); // "what happened: what to do"
  });

  it('tells the coordinator to re-check the card when the member id is not recognised', () => {
    expect(REJECT_REASONS['72'].coordinatorMessage).toBe('member id not recognised by the payer: check the insurance card and re-enter the member id');
    expect(REJECT_REASONS['42'].coordinatorMessage).toBe('payer system unavailable: retry later or verify by phone');
  });

  it('covers every follow-up action a 271 may send', () => {
    expect(Object.keys(FOLLOW_UP_ACTIONS).sort()).toEqual(['C', 'N', 'P', 'R', 'S', 'W', 'X', 'Y']);
  });

  it('labels the IOP service types and keeps unknown ones readable', () => {
    expect(serviceTypeLabel('CH')).toBe('Substance abuse facility - outpatient');
    expect(serviceTypeLabel('ZZ')).toBe('service type ZZ');
  });
});
