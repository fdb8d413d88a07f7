import { loadX12Fixture } from '../../../test/fixtures/x12/load-fixture';
import { BenefitSummary, MemberBenefitSummary, ServiceTypeSummary, summariseBenefits, SummaryOptions } from './benefit-summary';
import { parse271 } from './eligibility-271.parser';
import { eb, synthetic271, SyntheticMember } from './x12-271.factory';

const SERVICE_DATE = '2026-12-01';

function summaryOf(fixture: string, options: Partial<SummaryOptions> = {}): BenefitSummary {
  return summariseBenefits(parse271(loadX12Fixture(fixture)), {
    serviceTypes: ['30', 'MH', 'AI', 'CH', 'A8'],
    serviceDate: SERVICE_DATE,
    ...options,
  });
}

function summaryFor(members: SyntheticMember[], options: Partial<SummaryOptions> = {}): BenefitSummary {
  return summariseBenefits(parse271(synthetic271({ members })), { serviceTypes: ['MH'], serviceDate: SERVICE_DATE, ...options });
}

function memberOf(summary: BenefitSummary, index = 0): MemberBenefitSummary {
  const member = summary.members[index];
  if (member === undefined) throw new Error(`no member ${index}`);
  return member;
}

function service(member: MemberBenefitSummary, code: string): ServiceTypeSummary {
  const found = member.serviceTypes.find((s) => s.code === code);
  if (found === undefined) throw new Error(`no ${code}`);
  return found;
}

describe('summariseBenefits for a PPO with in- and out-of-network figures', () => {
  const patient = memberOf(summaryOf('271-active-ppo-in-and-out-of-network.x12'));

  it('says coverage is active on the service date, with the plan dates', () => {
    expect(patient.coverage).toMatchObject({ status: 'active', planBegin: '2026-01-01', planEnd: '2026-12-31' });
  });

  it('shows the plan, group number and group name', () => {
    expect(patient.plan).toEqual({
      description: 'GOLD PPO 1500',
      insuranceType: 'PR',
      groupNumber: 'GRP4410',
      groupName: 'ACME LOGISTICS EMPLOYEE PLAN',
      planNumber: 'PPO-GOLD-2026',
    });
  });

  it('reports remaining in-network deductible for substance use from the substance-use lines, not the plan', () => {
    expect(service(patient, 'AI').inNetwork.deductible.individual).toEqual({
      totalCents: 50000,
      totalPeriod: '23',
      remainingCents: 25000,
      metCents: undefined,
      remainingDerived: false,
      source: 'service-type',
      insuranceType: undefined,
      segmentNumbers: [40, 41],
    });
  });

  it('falls back to the plan-wide deductible for mental health, and says so', () => {
    expect(service(patient, 'MH').inNetwork.deductible.individual).toMatchObject({
      totalCents: 150000,
      remainingCents: 60000,
      source: 'plan',
    });
    expect(service(patient, 'MH').inNetwork.deductible.family).toMatchObject({ totalCents: 300000, remainingCents: 210000 });
  });

  it('keeps in-network and out-of-network deductibles apart', () => {
    expect(service(patient, 'MH').outOfNetwork.deductible.individual).toMatchObject({ totalCents: 300000, remainingCents: 300000 });
  });

  it('reports coinsurance per network: 20% in, 40% out for mental health; 10% in, 50% out for substance use', () => {
    expect(service(patient, 'MH').inNetwork.coinsurance).toMatchObject({ basisPoints: 2000, source: 'service-type', origin: { segmentNumber: 35 } });
    expect(service(patient, 'MH').outOfNetwork.coinsurance).toMatchObject({ basisPoints: 4000, source: 'service-type' });
    expect(service(patient, 'AI').inNetwork.coinsurance?.basisPoints).toBe(1000);
    expect(service(patient, 'AI').outOfNetwork.coinsurance?.basisPoints).toBe(5000);
  });

  it('reports the psychiatric office copay per visit with its message', () => {
    expect(service(patient, 'A8').inNetwork.copay).toMatchObject({ amountCents: 3500, per: '27', source: 'service-type' });
    expect(service(patient, 'A8').inNetwork.messages).toContain('COPAY APPLIES TO OFFICE VISITS ONLY');
    expect(service(patient, 'A8').outOfNetwork.copay).toBeUndefined();
  });

  it('reports out-of-pocket maximum total and remaining in network', () => {
    expect(service(patient, 'CH').inNetwork.outOfPocket.individual).toMatchObject({ totalCents: 500000, remainingCents: 385050 });
    expect(service(patient, 'CH').outOfNetwork.outOfPocket.individual).toMatchObject({ totalCents: 1000000, remainingCents: 1000000 });
  });

  it('says prior authorisation is required for substance use in network, and for mental health only out of network', () => {
    expect(service(patient, 'AI').inNetwork.authorization).toBe('required');
    expect(service(patient, 'MH').inNetwork.authorization).toBe('not-required');
    expect(service(patient, 'MH').outOfNetwork.authorization).toBe('required');
  });

  it('lists visit limits in words the coordinator can read out', () => {
    expect(service(patient, 'CH').inNetwork.limits.map((l) => l.description)).toEqual(['20 visits remaining; 3 days per week']);
    expect(service(patient, 'MH').inNetwork.limits.map((l) => l.description)).toEqual(['30 visits per calendar year']);
    expect(service(patient, 'MH').outOfNetwork.limits.map((l) => l.description)).toEqual(['30 visits per calendar year']);
  });

  it('marks a service as not covered out of network when the payer says so', () => {
    const inpatient = service(memberOf(summaryOf('271-active-ppo-in-and-out-of-network.x12', { serviceTypes: ['CG'] })), 'CG');
    expect(inpatient.outOfNetwork.nonCovered).toBe(true);
    expect(inpatient.outOfNetwork.messages).toEqual(['INPATIENT SUBSTANCE ABUSE FACILITY NOT COVERED OUT OF NETWORK']);
    expect(inpatient.inNetwork.nonCovered).toBe(false);
  });

  it('uses the per-diem copay tied to H0015 only when that is the billed code', () => {
    const h0015 = service(memberOf(summaryOf('271-active-ppo-in-and-out-of-network.x12', { procedureCode: 'H0015' })), 'CH');
    expect(h0015.inNetwork.copay).toMatchObject({ amountCents: 2500, per: '7' });
    const s9480 = service(memberOf(summaryOf('271-active-ppo-in-and-out-of-network.x12', { procedureCode: 'S9480' })), 'CH');
    expect(s9480.inNetwork.copay).toBeUndefined();
  });

  it('has no "network not stated" tier when every figure says its network', () => {
    expect(service(patient, 'MH').networkNotStated).toBeUndefined();
  });
});

describe('summariseBenefits for coverage status', () => {
  it('says inactive coverage is inactive', () => {
    expect(memberOf(summaryOf('271-inactive-coverage.x12')).coverage).toMatchObject({
      status: 'inactive',
      explanation: 'the payer reports the coverage as inactive (ended 2026-09-30)',
      planEnd: '2026-09-30',
    });
  });

  it('says coverage that ends before the service date is inactive on that date', () => {
    const summary = summaryFor([{ segments: [['DTP', '347', 'D8', '20261115'], eb('1', 'IND', '30')] }]);
    expect(memberOf(summary).coverage).toMatchObject({
      status: 'inactive',
      explanation: 'coverage ends 2026-11-15, before the service date 2026-12-01',
    });
  });

  it('says coverage that starts after the service date is not yet active', () => {
    const summary = summaryFor([{ segments: [['DTP', '356', 'D8', '20270101'], eb('1', 'IND', '30')] }]);
    expect(memberOf(summary).coverage.status).toBe('inactive');
  });

  it('ignores a deductible whose benefit period does not include the service date', () => {
    const summary = summaryFor([
      {
        segments: [
          eb('1', 'IND', '30'),
          eb('C', 'IND', 'MH', '', '', '29', '100', '', '', '', '', 'Y'),
          ['DTP', '292', 'RD8', '20250101-20251231'],
          eb('C', 'IND', 'MH', '', '', '29', '400', '', '', '', '', 'Y'),
          ['DTP', '292', 'RD8', '20260101-20261231'],
        ],
      },
    ]);
    expect(service(memberOf(summary), 'MH').inNetwork.deductible.individual?.remainingCents).toBe(40000);
  });

  it('reports each subscriber of a two-subscriber response on its own', () => {
    const summary = summaryOf('271-two-subscribers.x12', { serviceTypes: ['MH'] });
    expect(summary.members.map((m) => [m.memberId, m.coverage.status, m.coverage.explanation])).toEqual([
      ['KHP900121212', 'active', 'the payer reports active coverage on 2026-12-01'],
      ['KHP900343434', 'inactive', 'the payer reports the coverage as inactive (ended 2026-06-30)'],
    ]);
    expect(service(memberOf(summary), 'MH').inNetwork.deductible.individual?.remainingCents).toBe(0);
  });

  it('summarises the dependent patient and works out remaining figures from total and met', () => {
    const summary = summaryOf('271-dependent-adolescent.x12', { serviceTypes: ['MH'] });
    const dependent = memberOf(summary, 1);
    expect(dependent).toMatchObject({ role: 'dependent', firstName: 'SKYLER' });
    expect(dependent.coverage.status).toBe('active');
    const inNetwork = service(dependent, 'MH').inNetwork;
    expect(inNetwork.deductible.individual).toMatchObject({ totalCents: 100000, metCents: 100000, remainingCents: 0, remainingDerived: true });
    expect(inNetwork.outOfPocket.individual).toMatchObject({ totalCents: 400000, metCents: 145000, remainingCents: 255000 });
    expect(inNetwork.limits.map((l) => l.description)).toEqual(['40 visits; 40 visits per service year']);
    expect(memberOf(summary, 0).coverage.status).toBe('unknown');
  });

  it('puts figures without EB12 in a separate "network not stated" tier instead of guessing', () => {
    const summary = summaryFor([{ segments: [eb('1', 'IND', 'MH'), eb('A', 'IND', 'MH', '', '', '', '', '.25')] }]);
    const mh = service(memberOf(summary), 'MH');
    expect(mh.networkNotStated?.coinsurance?.basisPoints).toBe(2500);
    expect(mh.inNetwork.coinsurance).toBeUndefined();
    expect(mh.outOfNetwork.coinsurance).toBeUndefined();
  });
});

describe('summariseBenefits for rejections', () => {
  it('shows the subscriber-level reason when the member id is not recognised (72)', () => {
    const member = memberOf(summaryOf('271-rejected-72-invalid-member-id.x12'));
    expect(member.coverage.status).toBe('unknown');
    expect(member.coverage.explanation).toBe(
      'the payer did not answer for this member: member id not recognised by the payer: check the insurance card and re-enter the member id',
    );
    expect(member.rejections.map((r) => [r.reasonCode, r.followUpLabel])).toEqual([['72', 'correct the request and resend']]);
  });

  it('shows "subscriber not found" (75) with what to check', () => {
    const member = memberOf(summaryOf('271-rejected-75-subscriber-not-found.x12'));
    expect(member.rejections[0]?.coordinatorMessage).toMatch(/^the payer cannot find this subscriber/);
  });

  it('shows a payer outage (42) as a response-level rejection with no members', () => {
    const summary = summaryOf('271-rejected-42-payer-unavailable.x12');
    expect(summary.members).toEqual([]);
    expect(summary.rejections.map((r) => [r.loop, r.coordinatorMessage, r.followUpLabel])).toEqual([
      ['2100A', 'payer system unavailable: retry later or verify by phone', 'you may resend'],
    ]);
  });
});

describe('summariseBenefits for what real payers send (issue 13)', () => {
  it('reads a single D8 plan date (291) as "from that date": active on later dates, the service still covered', () => {
    const summary = summaryFor([
      {
        segments: [
          ['EB', '1', 'IND', { repeat: ['30', 'MH'] }],
          ['DTP', '291', 'D8', '20260101'],
          eb('B', 'IND', 'MH', '', '', '27', '25', '', '', '', '', 'Y'),
        ],
      },
    ]);
    const member = memberOf(summary);
    expect(member.coverage).toMatchObject({ status: 'active', planBegin: '2026-01-01', planEnd: undefined });
    expect(service(member, 'MH').coverage).toBe('covered');
  });

  it('reads a single D8 eligibility date (307) as a beginning, not an end', () => {
    const summary = summaryFor([{ segments: [['DTP', '307', 'D8', '20260301'], eb('1', 'IND', '30'), eb('1', 'IND', 'MH')] }]);
    expect(memberOf(summary).coverage).toMatchObject({ status: 'active', eligibilityBegin: '2026-03-01', eligibilityEnd: undefined });
  });

  it('still reads a D8 date before the service date as a start after which the plan applies, and an RD8 range as a window', () => {
    const ended = summaryFor([{ segments: [eb('1', 'IND', '30'), ['DTP', '291', 'RD8', '20260101-20260630'], eb('1', 'IND', 'MH')] }]);
    expect(memberOf(ended).coverage.status).toBe('inactive');
  });

  it('keeps Medicare Part A and Part B deductibles apart, preferring Part B for outpatient services', () => {
    const summary = summaryFor([
      {
        segments: [
          eb('1', 'IND', '30', 'MA'),
          eb('1', 'IND', '30', 'MB'),
          eb('C', '', '30', 'MA', '', '26', '1676'),
          eb('C', '', '30', 'MA', '', '29', '1676'),
          eb('C', '', '30', 'MB', '', '23', '257'),
          eb('C', '', '30', 'MB', '', '29', '0'),
        ],
      },
    ]);
    const deductible = service(memberOf(summary), 'MH').networkNotStated?.deductible.individual;
    expect(deductible).toMatchObject({ insuranceType: 'MB', totalCents: 25700, remainingCents: 0, source: 'plan', segmentNumbers: [15, 16] });
    expect(deductible?.otherInsuranceTypes).toEqual([
      expect.objectContaining({ insuranceType: 'MA', totalCents: 167600, remainingCents: 167600, segmentNumbers: [13, 14] }),
    ]);
  });

  it('does not report an inpatient per-day copay (III place of service 21) as the outpatient psychiatric copay', () => {
    const summary = summaryFor(
      [
        {
          segments: [
            eb('1', 'IND', '30'),
            eb('B', 'IND', '30', '', '', '7', '250', '', '', '', '', 'Y'),
            ['III', 'ZZ', '21'],
            eb('B', 'IND', '30', '', '', '27', '40', '', '', '', '', 'Y'),
          ],
        },
      ],
      { serviceTypes: ['A8'] },
    );
    expect(service(memberOf(summary), 'A8').inNetwork.copay).toMatchObject({ amountCents: 4000, source: 'plan', origin: { segmentNumber: 14 } });
  });

  it('prefers non-residential substance use treatment (place of service 57) over residential (55) for an IOP', () => {
    const summary = summaryFor(
      [
        {
          segments: [
            eb('1', 'IND', 'AI'),
            eb('B', 'IND', 'AI', '', '', '7', '100', '', '', '', '', 'Y'),
            ['III', 'ZZ', '55'],
            eb('B', 'IND', 'AI', '', '', '7', '30', '', '', '', '', 'Y'),
            ['III', 'ZZ', '57'],
          ],
        },
      ],
      { serviceTypes: ['AI'] },
    );
    expect(service(memberOf(summary), 'AI').inNetwork.copay).toMatchObject({ amountCents: 3000, origin: { placeOfService: '57', segmentNumber: 14 } });
  });

  it('ties cost-share lines to the block their EB05 names, and falls back to the plan only when no block applies', () => {
    const summary = summaryFor(
      [
        {
          segments: [
            eb('1', 'IND', '30', '', 'GOLD PLAN'),
            eb('B', 'IND', '30', '', 'GOLD PLAN', '27', '20', '', '', '', '', 'Y'),
            ['EB', '1', 'IND', { repeat: ['30', 'MH'] }, 'MC', 'MENTAL HEALTH OUTPATIENT'],
            eb('B', 'IND', '30', 'MC', 'MENTAL HEALTH OUTPATIENT', '27', '5', '', '', '', '', 'Y'),
          ],
        },
      ],
      { serviceTypes: ['MH', 'CF'] },
    );
    const member = memberOf(summary);
    expect(service(member, 'MH').inNetwork.copay).toMatchObject({ amountCents: 500, source: 'benefit-block', origin: { segmentNumber: 14 } });
    expect(service(member, 'CF').inNetwork.copay).toMatchObject({ amountCents: 2000, source: 'plan', origin: { segmentNumber: 12 } });
  });
});
