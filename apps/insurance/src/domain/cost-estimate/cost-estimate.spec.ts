import { loadX12Fixture } from '../../../test/fixtures/x12/load-fixture';
import { summariseBenefits, TierSummary } from '../eligibility/benefit-summary';
import { parse271 } from '../eligibility/eligibility-271.parser';
import { CostEstimateInput, CostEstimateInputError, estimateEpisodeCost, TierBenefitFigures } from './cost-estimate';
import { figuresFromTier } from './figures-from-summary';
import { applyBasisPoints, formatBasisPoints, formatCents } from './money';

const UNKNOWN: TierBenefitFigures = {
  remainingDeductibleCents: undefined,
  coinsuranceBasisPoints: undefined,
  copayPerDayCents: undefined,
  remainingOutOfPocketCents: undefined,
};

function figures(overrides: Partial<TierBenefitFigures>): TierBenefitFigures {
  return { remainingDeductibleCents: 0, coinsuranceBasisPoints: 0, copayPerDayCents: 0, remainingOutOfPocketCents: 10_000_000, ...overrides };
}

function episode(overrides: Partial<CostEstimateInput> = {}): CostEstimateInput {
  return {
    plan: { weeks: 8, daysPerWeek: 3, billingCode: 'S9480', perDiemCents: 45_000 },
    inNetwork: figures({}),
    outOfNetwork: UNKNOWN,
    ...overrides,
  };
}

describe('estimateEpisodeCost, hand-worked', () => {
  it('8 weeks × 3 days at $450 = $10,800; $600 deductible, then 20% of $10,200 = $2,040; patient $2,640, plan $8,160', () => {
    const estimate = estimateEpisodeCost(
      episode({ inNetwork: figures({ remainingDeductibleCents: 60_000, coinsuranceBasisPoints: 2000, remainingOutOfPocketCents: 385_050 }) }),
    );
    expect(estimate.days).toBe(24);
    const tier = estimate.inNetwork;
    expect(tier.allowedCents).toBe(1_080_000);
    expect(tier.steps.map((s) => [s.kind, s.patientCents, s.runningPatientCents])).toEqual([
      ['allowed', 0, 0],
      ['copay', 0, 0],
      ['deductible', 60_000, 60_000],
      ['coinsurance', 204_000, 264_000],
      ['out-of-pocket-cap', 0, 264_000],
    ]);
    expect(tier.patientResponsibilityCents).toBe(264_000);
    expect(tier.planPaysCents).toBe(816_000);
    expect(tier.complete).toBe(true);
    expect(tier.steps.map((s) => s.explanation)).toEqual([
      '24 treatment days × $450.00 per day (S9480) = $10,800.00 allowed in network',
      'no copay',
      'remaining deductible $600.00: the patient pays the first $600.00 of the $10,800.00 left after copays',
      'coinsurance 20% of the remaining $10,200.00 = $2,040.00',
      'the $2,640.00 is within the remaining out-of-pocket maximum of $3,850.50: no cap applies',
    ]);
    expect(tier.summary).toBe('Estimated patient cost in network: $2,640.00 of $10,800.00; the plan pays $8,160.00.');
  });

  it('12 weeks × 4 days at $500 = $24,000; $1,500 + 30% of $22,500 = $8,250, capped at the $5,000 out-of-pocket left', () => {
    const tier = estimateEpisodeCost(
      episode({
        plan: { weeks: 12, daysPerWeek: 4, billingCode: 'H0015', perDiemCents: 50_000 },
        inNetwork: figures({ remainingDeductibleCents: 150_000, coinsuranceBasisPoints: 3000, remainingOutOfPocketCents: 500_000 }),
      }),
    ).inNetwork;
    expect(tier.steps.at(-1)).toEqual({
      kind: 'out-of-pocket-cap',
      patientCents: -325_000,
      runningPatientCents: 500_000,
      explanation: 'the $8,250.00 reaches the remaining out-of-pocket maximum of $5,000.00: the patient pays $5,000.00',
    });
    expect(tier.patientResponsibilityCents).toBe(500_000);
    expect(tier.planPaysCents).toBe(1_900_000);
  });

  it('copay and coinsurance both: 30 days × $400 = $12,000; $25 × 30 = $750 copay, $250 deductible, 10% of $11,000 = $1,100; $2,100', () => {
    const estimate = estimateEpisodeCost(
      episode({
        plan: { weeks: 10, daysPerWeek: 3, billingCode: 'H0015', perDiemCents: 40_000 },
        inNetwork: figures({ copayPerDayCents: 2_500, remainingDeductibleCents: 25_000, coinsuranceBasisPoints: 1000, remainingOutOfPocketCents: 385_050 }),
      }),
    );
    expect(estimate.inNetwork.steps.map((s) => s.patientCents)).toEqual([0, 75_000, 25_000, 110_000, 0]);
    expect(estimate.inNetwork.patientResponsibilityCents).toBe(210_000);
    expect(estimate.notes).toContainEqual(expect.stringMatching(/^The payer reports both a copay and coinsurance in network; both are applied/));
  });

  it('a $60 copay on a $50 day is capped at the day: 6 days cost the patient $300, all of it', () => {
    const tier = estimateEpisodeCost(
      episode({
        plan: { weeks: 2, daysPerWeek: 3, billingCode: 'S9480', perDiemCents: 5_000 },
        inNetwork: figures({ copayPerDayCents: 6_000, remainingDeductibleCents: 100_000, coinsuranceBasisPoints: 2000 }),
      }),
    ).inNetwork;
    expect(tier.patientResponsibilityCents).toBe(30_000);
    expect(tier.steps[1]?.explanation).toBe("copay $50.00 per treatment day × 6 days = $300.00 (the $60.00 copay is capped at the day's rate)");
  });

  it('rounds coinsurance half up to the cent: 12.5% of $999.99 = $124.99875 → $125.00', () => {
    const tier = estimateEpisodeCost(
      episode({ plan: { weeks: 1, daysPerWeek: 3, billingCode: 'S9480', perDiemCents: 33_333 }, inNetwork: figures({ coinsuranceBasisPoints: 1250 }) }),
    ).inNetwork;
    expect(tier.allowedCents).toBe(99_999);
    expect(tier.patientResponsibilityCents).toBe(12_500);
  });

  it('a deductible larger than the episode takes the whole allowed amount and leaves nothing for coinsurance', () => {
    const tier = estimateEpisodeCost(
      episode({
        plan: { weeks: 1, daysPerWeek: 3, billingCode: 'S9480', perDiemCents: 40_000 },
        inNetwork: figures({ remainingDeductibleCents: 300_000, coinsuranceBasisPoints: 2000 }),
      }),
    ).inNetwork;
    expect(tier.steps.map((s) => s.patientCents)).toEqual([0, 0, 120_000, 0, 0]);
  });
});

describe('estimateEpisodeCost with figures the payer did not report', () => {
  it('says it is incomplete when the remaining deductible is unknown, and gives only a ceiling from the out-of-pocket maximum', () => {
    const tier = estimateEpisodeCost(
      episode({ inNetwork: figures({ remainingDeductibleCents: undefined, coinsuranceBasisPoints: 2000, remainingOutOfPocketCents: 300_000 }) }),
    ).inNetwork;
    expect(tier.complete).toBe(false);
    expect(tier.missing).toEqual(['remaining deductible']);
    expect(tier.patientResponsibilityCents).toBeUndefined();
    expect(tier.planPaysCents).toBeUndefined();
    expect(tier.ceilingCents).toBe(300_000);
    expect(tier.steps.map((s) => s.patientCents)).toEqual([0, 0, undefined, undefined, undefined]);
    expect(tier.summary).toBe(
      'Estimate in network is incomplete: the payer did not report the remaining deductible. Ask the payer for it before quoting a cost; whatever it is, the patient owes at most $3,000.00.',
    );
  });

  it('with an unknown out-of-pocket maximum, the uncapped amount is the ceiling', () => {
    const tier = estimateEpisodeCost(
      episode({ inNetwork: figures({ remainingDeductibleCents: 60_000, coinsuranceBasisPoints: 2000, remainingOutOfPocketCents: undefined }) }),
    ).inNetwork;
    expect(tier.missing).toEqual(['remaining out-of-pocket maximum']);
    expect(tier.ceilingCents).toBe(264_000);
  });

  it('with nothing known, lists every missing figure and caps at the allowed amount', () => {
    const tier = estimateEpisodeCost(episode({ inNetwork: UNKNOWN })).inNetwork;
    expect(tier.missing).toEqual(['copay', 'remaining deductible', 'coinsurance', 'remaining out-of-pocket maximum']);
    expect(tier.ceilingCents).toBe(1_080_000);
  });

  it('a met out-of-pocket maximum answers $0 even when other figures are unknown', () => {
    const tier = estimateEpisodeCost(episode({ inNetwork: { ...UNKNOWN, remainingOutOfPocketCents: 0 } })).inNetwork;
    expect(tier.complete).toBe(true);
    expect(tier.patientResponsibilityCents).toBe(0);
    expect(tier.planPaysCents).toBe(1_080_000);
  });

  it('a service not covered out of network costs the patient the full rate', () => {
    const tier = estimateEpisodeCost(episode({ outOfNetwork: { ...UNKNOWN, notCovered: true } })).outOfNetwork;
    expect(tier.patientResponsibilityCents).toBe(1_080_000);
    expect(tier.steps[1]?.kind).toBe('not-covered');
  });
});

describe('estimateEpisodeCost notes and input checks', () => {
  it('warns that the clinic rate is used out of network unless the payer allowance is given', () => {
    expect(estimateEpisodeCost(episode()).notes).toContainEqual(expect.stringMatching(/^Out of network, the clinic's rate is used/));
    const withAllowance = estimateEpisodeCost(episode({ outOfNetworkAllowedPerDiemCents: 30_000 }));
    expect(withAllowance.outOfNetwork.allowedCents).toBe(720_000);
    expect(withAllowance.notes.some((n) => n.startsWith('Out of network'))).toBe(false);
  });

  it('notes that H0015 at two days a week falls below the code description', () => {
    const estimate = estimateEpisodeCost(episode({ plan: { weeks: 8, daysPerWeek: 2, billingCode: 'H0015', perDiemCents: 40_000 } }));
    expect(estimate.notes).toContainEqual(expect.stringMatching(/^H0015 describes at least 3 hours a day/));
  });

  it.each([
    ['plan.weeks', episode({ plan: { weeks: 0, daysPerWeek: 3, billingCode: 'S9480', perDiemCents: 45_000 } })],
    ['plan.daysPerWeek', episode({ plan: { weeks: 8, daysPerWeek: 8, billingCode: 'S9480', perDiemCents: 45_000 } })],
    ['plan.perDiemCents', episode({ plan: { weeks: 8, daysPerWeek: 3, billingCode: 'S9480', perDiemCents: 450.5 } })],
    ['inNetwork.coinsuranceBasisPoints', episode({ inNetwork: figures({ coinsuranceBasisPoints: 10_001 }) })],
    ['inNetwork.remainingDeductibleCents', episode({ inNetwork: figures({ remainingDeductibleCents: -1 }) })],
  ])('refuses an impossible %s', (field, input) => {
    expect(() => estimateEpisodeCost(input)).toThrow(CostEstimateInputError);
    expect(() => estimateEpisodeCost(input)).toThrow(new RegExp(`^${field.replace('.', '\\.')}:`));
  });
});

describe('figuresFromTier, from a 271 to an estimate', () => {
  const summary = summariseBenefits(parse271(loadX12Fixture('271-active-ppo-in-and-out-of-network.x12')), {
    serviceTypes: ['CH'],
    serviceDate: '2026-12-01',
    procedureCode: 'H0015',
  });
  const ch = summary.members[0]?.serviceTypes[0];
  if (ch === undefined) throw new Error('no CH summary');

  it('substance use IOP in network: $25/day copay, plan deductible $600 left, 10%, $3,850.50 OOP left → 30 days × $400 costs $2,415', () => {
    // $12,000 allowed; copay 30 × $25 = $750; deductible $600; 10% of $10,650 = $1,065; $750 + $600 + $1,065 = $2,415.
    const { figures: inNetwork, assumptions } = figuresFromTier(ch.inNetwork);
    expect(inNetwork).toEqual({
      copayPerDayCents: 2_500,
      remainingDeductibleCents: 60_000,
      coinsuranceBasisPoints: 1000,
      remainingOutOfPocketCents: 385_050,
      notCovered: false,
    });
    expect(assumptions).toContain('The deductible is the plan-wide figure; the payer gave none specific to this service.');
    const estimate = estimateEpisodeCost({
      plan: { weeks: 10, daysPerWeek: 3, billingCode: 'H0015', perDiemCents: 40_000 },
      inNetwork,
      outOfNetwork: figuresFromTier(ch.outOfNetwork).figures,
    });
    expect(estimate.inNetwork.patientResponsibilityCents).toBe(241_500);
    // Out of network: no copay reported beside 50% coinsurance; $3,000 deductible; 50% of $9,000 = $4,500; $7,500.
    expect(estimate.outOfNetwork.patientResponsibilityCents).toBe(750_000);
  });

  it('reads no copay beside reported coinsurance as "no copay", and says so', () => {
    expect(figuresFromTier(ch.outOfNetwork).assumptions).toContain('The payer reported coinsurance and no copay for this service: no copay applied.');
  });

  it("uses the family remaining deductible when it is smaller than the member's own", () => {
    const tier: TierSummary = {
      ...ch.inNetwork,
      deductible: {
        individual: {
          totalCents: 150_000,
          totalPeriod: '23',
          remainingCents: 90_000,
          metCents: undefined,
          remainingDerived: false,
          source: 'plan',
          insuranceType: undefined,
          segmentNumbers: [],
        },
        family: {
          totalCents: 300_000,
          totalPeriod: '23',
          remainingCents: 20_000,
          metCents: undefined,
          remainingDerived: false,
          source: 'plan',
          insuranceType: undefined,
          segmentNumbers: [],
        },
      },
    };
    expect(figuresFromTier(tier).figures.remainingDeductibleCents).toBe(20_000);
  });

  it('leaves both copay and coinsurance unknown when the payer reported neither', () => {
    const bare: TierSummary = { ...ch.inNetwork, copay: undefined, coinsurance: undefined };
    expect(figuresFromTier(bare).figures).toMatchObject({ copayPerDayCents: undefined, coinsuranceBasisPoints: undefined });
  });
});

describe('money helpers', () => {
  it.each([
    [0, '$0.00'],
    [5, '$0.05'],
    [385_050, '$3,850.50'],
    [123_456_789, '$1,234,567.89'],
    [-2_500, '-$25.00'],
  ])('formats %i cents as %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it('formats basis points as a percentage', () => {
    expect([2000, 1250, 1005, 0].map(formatBasisPoints)).toEqual(['20%', '12.5%', '10.05%', '0%']);
  });

  it('applies a percentage exactly, half up', () => {
    expect(applyBasisPoints(5, 5000)).toBe(3); // 2.5 → 3
    expect(applyBasisPoints(4, 5000)).toBe(2);
  });
});
