import { Accumulator, TierSummary } from '../eligibility/benefit-summary';
import { TierBenefitFigures } from './cost-estimate';
import { formatCents } from './money';

export interface FiguresWithAssumptions {
  readonly figures: TierBenefitFigures;
  /** Each reading of the 271 that was not literal, in words the coordinator can repeat to the patient. */
  readonly assumptions: readonly string[];
}

/**
 * A member's remaining amount under an embedded family accumulator is whichever runs out first: once the family
 * deductible is met, no member pays more deductible even if their own is not.
 */
function remaining(split: { individual: Accumulator | undefined; family: Accumulator | undefined }, what: string, notes: string[]): number | undefined {
  const own = split.individual?.remainingCents;
  const family = split.family?.remainingCents;
  if (own !== undefined && family !== undefined && family < own) {
    notes.push(`The family ${what} has less left (${formatCents(family)}) than the member's own (${formatCents(own)}); the family figure is used.`);
    return family;
  }
  return own ?? (split.individual === undefined ? family : undefined);
}

/**
 * Turns one tier of the coordinator's summary into cost-estimate figures. An absent copay is read as "no copay"
 * only when the payer reported coinsurance for the same service and tier (and the reverse), because payers list
 * the cost-sharing that applies and omit the kind that does not; with neither reported both stay unknown.
 */
export function figuresFromTier(tier: TierSummary): FiguresWithAssumptions {
  const notes: string[] = [];
  let copay: number | undefined;
  if (tier.copay !== undefined) {
    const per = tier.copay.per;
    if (per === undefined || per === '27' || per === '7') copay = tier.copay.amountCents;
    else notes.push('The copay is not per visit or per day, so it cannot be spread over treatment days; treated as unknown.');
  }
  let coinsurance = tier.coinsurance?.basisPoints;
  if (copay === undefined && tier.copay === undefined && coinsurance !== undefined) {
    copay = 0;
    notes.push('The payer reported coinsurance and no copay for this service: no copay applied.');
  }
  if (coinsurance === undefined && copay !== undefined && copay > 0) {
    coinsurance = 0;
    notes.push('The payer reported a copay and no coinsurance for this service: no coinsurance applied.');
  }
  for (const [figure, source] of [
    ['copay', tier.copay?.source],
    ['coinsurance', tier.coinsurance?.source],
    ['deductible', tier.deductible.individual?.source],
    ['out-of-pocket maximum', tier.outOfPocket.individual?.source],
  ] as const) {
    if (source === 'plan') notes.push(`The ${figure} is the plan-wide figure; the payer gave none specific to this service.`);
  }
  if (tier.deductible.individual?.remainingDerived === true) {
    notes.push('Remaining deductible = deductible minus the amount met so far (the payer did not state it directly).');
  }
  return {
    figures: {
      remainingDeductibleCents: remaining(tier.deductible, 'deductible', notes),
      coinsuranceBasisPoints: coinsurance,
      copayPerDayCents: copay,
      remainingOutOfPocketCents: remaining(tier.outOfPocket, 'out-of-pocket maximum', notes),
      notCovered: tier.nonCovered,
    },
    assumptions: notes,
  };
}
