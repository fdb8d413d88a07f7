import { applyBasisPoints, formatBasisPoints, formatCents, multiplyCents } from './money';

/**
 * Patient cost estimate for a planned IOP episode, one network tier at a time.
 *
 * Rules, in the order they are applied (each a documented assumption, since a 271 gives figures, not formulas):
 * 1. Allowed amount = days × per-diem rate. The rate given is taken as what the payer allows; out of network the
 *    payer usually allows less than the clinic charges and the patient may be billed the difference, which this
 *    estimate cannot know.
 * 2. Copay per treatment day, first, capped at the day's rate. IOP is billed per diem (H0015, S9480), so a copay
 *    "per visit" is a copay per day. Copays are not credited to the deductible.
 * 3. Remaining deductible, from what is left after copays.
 * 4. Coinsurance on what is left after the deductible.
 * 5. Everything the patient pays (copay, deductible, coinsurance) counts toward the out-of-pocket maximum, and the
 *    total is capped at the remaining out-of-pocket maximum.
 * When a plan reports both a copay and coinsurance for the same service, rules 2 to 4 apply both: it is the most
 * the patient can owe under the plan designs that combine them, and an estimate that turns out high is a smaller
 * harm than one that turns out low after admission. The estimate says so.
 * A figure the payer did not report is never assumed: the steps that depend on it are left uncomputed, the
 * estimate is marked incomplete, and only a ceiling that holds whatever the missing figure is, is given.
 */

export type IopBillingCode = 'H0015' | 'S9480';

export const BILLING_CODE_DESCRIPTIONS: Readonly<Record<IopBillingCode, string>> = {
  H0015: 'H0015 alcohol and/or drug intensive outpatient services (per day)',
  S9480: 'S9480 intensive outpatient psychiatric services (per diem)',
};

export interface EpisodePlan {
  readonly weeks: number;
  readonly daysPerWeek: number;
  readonly billingCode: IopBillingCode;
  /** The per-diem rate for the billed code, integer cents. */
  readonly perDiemCents: number;
}

/** One network tier's figures; undefined means the payer did not report it (not zero). */
export interface TierBenefitFigures {
  readonly remainingDeductibleCents: number | undefined;
  readonly coinsuranceBasisPoints: number | undefined;
  readonly copayPerDayCents: number | undefined;
  readonly remainingOutOfPocketCents: number | undefined;
  /** The payer said the service is not covered in this tier (EB01 I). */
  readonly notCovered?: boolean;
}

export interface CostEstimateInput {
  readonly plan: EpisodePlan;
  readonly inNetwork: TierBenefitFigures;
  readonly outOfNetwork: TierBenefitFigures;
  /** What the payer allows out of network per day, when known; the clinic's rate otherwise. */
  readonly outOfNetworkAllowedPerDiemCents?: number;
}

export type EstimateStepKind = 'allowed' | 'not-covered' | 'copay' | 'deductible' | 'coinsurance' | 'out-of-pocket-cap';
export type MissingFigure = 'copay' | 'remaining deductible' | 'coinsurance' | 'remaining out-of-pocket maximum';

export interface EstimateStep {
  readonly kind: EstimateStepKind;
  /** What this step adds to (or, for the cap, takes off) the patient's share; undefined when it cannot be computed. */
  readonly patientCents: number | undefined;
  /** The patient's share after this step. */
  readonly runningPatientCents: number | undefined;
  readonly explanation: string;
}

export type Network = 'in-network' | 'out-of-network';

export interface TierEstimate {
  readonly network: Network;
  readonly days: number;
  readonly allowedCents: number;
  readonly steps: readonly EstimateStep[];
  readonly complete: boolean;
  readonly missing: readonly MissingFigure[];
  readonly patientResponsibilityCents: number | undefined;
  readonly planPaysCents: number | undefined;
  /** The most the patient can owe whatever the missing figures are; set only when the estimate is incomplete. */
  readonly ceilingCents: number | undefined;
  readonly summary: string;
}

export interface CostEstimate {
  readonly billingCode: IopBillingCode;
  readonly description: string;
  readonly days: number;
  readonly inNetwork: TierEstimate;
  readonly outOfNetwork: TierEstimate;
  readonly notes: readonly string[];
}

export class CostEstimateInputError extends Error {
  override readonly name = 'CostEstimateInputError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

function requireInteger(field: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CostEstimateInputError(field, `must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

function checkFigures(prefix: string, figures: TierBenefitFigures): void {
  const cents = Number.MAX_SAFE_INTEGER;
  if (figures.remainingDeductibleCents !== undefined) requireInteger(`${prefix}.remainingDeductibleCents`, figures.remainingDeductibleCents, 0, cents);
  if (figures.copayPerDayCents !== undefined) requireInteger(`${prefix}.copayPerDayCents`, figures.copayPerDayCents, 0, cents);
  if (figures.remainingOutOfPocketCents !== undefined) requireInteger(`${prefix}.remainingOutOfPocketCents`, figures.remainingOutOfPocketCents, 0, cents);
  if (figures.coinsuranceBasisPoints !== undefined) requireInteger(`${prefix}.coinsuranceBasisPoints`, figures.coinsuranceBasisPoints, 0, 10000);
}

const unknownStep = (kind: EstimateStepKind, explanation: string): EstimateStep => ({
  kind,
  patientCents: undefined,
  runningPatientCents: undefined,
  explanation,
});

/** One tier, step by step. Exported for callers that have only one tier's figures. */
export function estimateTier(network: Network, days: number, perDiemCents: number, figures: TierBenefitFigures, code: IopBillingCode): TierEstimate {
  const allowed = multiplyCents(perDiemCents, days);
  const tierName = network === 'in-network' ? 'in network' : 'out of network';
  const steps: EstimateStep[] = [
    {
      kind: 'allowed',
      patientCents: 0,
      runningPatientCents: 0,
      explanation: `${days} treatment days × ${formatCents(perDiemCents)} per day (${code}) = ${formatCents(allowed)} allowed ${tierName}`,
    },
  ];
  const finish = (patient: number | undefined, missing: MissingFigure[], ceiling: number | undefined): TierEstimate => {
    const complete = patient !== undefined;
    const summary = complete
      ? `Estimated patient cost ${tierName}: ${formatCents(patient)} of ${formatCents(allowed)}; the plan pays ${formatCents(allowed - patient)}.`
      : `Estimate ${tierName} is incomplete: the payer did not report the ${missing.join(', ')}. ` +
        `Ask the payer for ${missing.length > 1 ? 'them' : 'it'} before quoting a cost` +
        (ceiling === undefined ? '.' : `; whatever ${missing.length > 1 ? 'they are' : 'it is'}, the patient owes at most ${formatCents(ceiling)}.`);
    return {
      network,
      days,
      allowedCents: allowed,
      steps,
      complete,
      missing,
      patientResponsibilityCents: patient,
      planPaysCents: patient === undefined ? undefined : allowed - patient,
      ceilingCents: complete ? undefined : ceiling,
      summary,
    };
  };

  if (figures.notCovered === true) {
    steps.push({
      kind: 'not-covered',
      patientCents: allowed,
      runningPatientCents: allowed,
      explanation: `the payer reports this service as not covered ${tierName}: the patient pays the full ${formatCents(allowed)}`,
    });
    return finish(allowed, [], undefined);
  }

  const oop = figures.remainingOutOfPocketCents;
  if (oop === 0) {
    // A met out-of-pocket maximum settles the answer whatever else is unknown.
    steps.push({
      kind: 'out-of-pocket-cap',
      patientCents: 0,
      runningPatientCents: 0,
      explanation: `the out-of-pocket maximum ${tierName} is already met: covered services cost the patient nothing more this plan year`,
    });
    return finish(0, [], undefined);
  }

  const missing: MissingFigure[] = [];
  let running: number | undefined = 0;
  let pool = allowed;

  const copay = figures.copayPerDayCents;
  if (copay === undefined) {
    missing.push('copay');
    running = undefined;
    steps.push(unknownStep('copay', 'copay: not reported by the payer, so the steps after it cannot be computed'));
  } else {
    const perDay = Math.min(copay, perDiemCents);
    const copays = multiplyCents(perDay, days);
    pool -= copays;
    running = copays;
    steps.push({
      kind: 'copay',
      patientCents: copays,
      runningPatientCents: running,
      explanation:
        copay === 0
          ? 'no copay'
          : `copay ${formatCents(perDay)} per treatment day × ${days} days = ${formatCents(copays)}` +
            (perDay < copay ? ` (the ${formatCents(copay)} copay is capped at the day's rate)` : ''),
    });
  }

  const deductible = figures.remainingDeductibleCents;
  if (deductible === undefined) missing.push('remaining deductible');
  if (running === undefined || deductible === undefined) {
    running = undefined;
    steps.push(
      unknownStep(
        'deductible',
        deductible === undefined ? 'deductible: the remaining deductible was not reported' : 'deductible: depends on the copay, which is unknown',
      ),
    );
  } else {
    const applied = Math.min(pool, deductible);
    pool -= applied;
    running += applied;
    steps.push({
      kind: 'deductible',
      patientCents: applied,
      runningPatientCents: running,
      explanation:
        deductible === 0
          ? 'deductible already met: nothing applied'
          : `remaining deductible ${formatCents(deductible)}: the patient pays the first ${formatCents(applied)} of the ${formatCents(applied + pool)} left after copays`,
    });
  }

  const coinsurance = figures.coinsuranceBasisPoints;
  if (coinsurance === undefined) missing.push('coinsurance');
  if (running === undefined || coinsurance === undefined) {
    running = undefined;
    steps.push(
      unknownStep(
        'coinsurance',
        coinsurance === undefined ? 'coinsurance: the percentage was not reported' : 'coinsurance: depends on an earlier step that is unknown',
      ),
    );
  } else {
    const share = applyBasisPoints(pool, coinsurance);
    running += share;
    steps.push({
      kind: 'coinsurance',
      patientCents: share,
      runningPatientCents: running,
      explanation:
        coinsurance === 0 ? 'no coinsurance' : `coinsurance ${formatBasisPoints(coinsurance)} of the remaining ${formatCents(pool)} = ${formatCents(share)}`,
    });
  }

  if (oop === undefined) missing.push('remaining out-of-pocket maximum');
  const uncapped = running;
  if (running === undefined || oop === undefined) {
    steps.push(
      unknownStep(
        'out-of-pocket-cap',
        oop === undefined
          ? 'out-of-pocket cap: the remaining out-of-pocket maximum was not reported'
          : `out-of-pocket cap: the patient pays at most the remaining out-of-pocket maximum of ${formatCents(oop)}`,
      ),
    );
    const ceiling = oop !== undefined ? Math.min(allowed, oop) : (uncapped ?? allowed);
    return finish(undefined, missing, ceiling);
  }
  const capped = Math.min(running, oop);
  steps.push({
    kind: 'out-of-pocket-cap',
    patientCents: capped - running,
    runningPatientCents: capped,
    explanation:
      capped < running
        ? `the ${formatCents(running)} reaches the remaining out-of-pocket maximum of ${formatCents(oop)}: the patient pays ${formatCents(capped)}`
        : `the ${formatCents(running)} is within the remaining out-of-pocket maximum of ${formatCents(oop)}: no cap applies`,
  });
  return finish(capped, missing, undefined);
}

/** Estimates an IOP episode in and out of network. Throws CostEstimateInputError for impossible inputs. */
export function estimateEpisodeCost(input: CostEstimateInput): CostEstimate {
  const { plan } = input;
  requireInteger('plan.weeks', plan.weeks, 1, 104);
  requireInteger('plan.daysPerWeek', plan.daysPerWeek, 1, 7);
  requireInteger('plan.perDiemCents', plan.perDiemCents, 1, 10_000_000);
  const outRate = input.outOfNetworkAllowedPerDiemCents ?? plan.perDiemCents;
  requireInteger('outOfNetworkAllowedPerDiemCents', outRate, 1, 10_000_000);
  checkFigures('inNetwork', input.inNetwork);
  checkFigures('outOfNetwork', input.outOfNetwork);

  const days = plan.weeks * plan.daysPerWeek;
  const notes: string[] = [
    'Copay is applied per treatment day first, then the remaining deductible, then coinsurance; all three count toward the out-of-pocket maximum.',
  ];
  for (const [name, figures] of [
    ['in network', input.inNetwork],
    ['out of network', input.outOfNetwork],
  ] as const) {
    if ((figures.copayPerDayCents ?? 0) > 0 && (figures.coinsuranceBasisPoints ?? 0) > 0) {
      notes.push(
        `The payer reports both a copay and coinsurance ${name}; both are applied, which is the most the patient could owe. ` +
          'Ask the payer whether the copay replaces the deductible and coinsurance for this service.',
      );
    }
  }
  if (input.outOfNetworkAllowedPerDiemCents === undefined) {
    notes.push("Out of network, the clinic's rate is used as the allowed amount; the payer may allow less, and the difference may be billed to the patient.");
  }
  if (plan.billingCode === 'H0015' && plan.daysPerWeek < 3) {
    notes.push('H0015 describes at least 3 hours a day on at least 3 days a week; a schedule below that may not be paid as IOP.');
  }
  return {
    billingCode: plan.billingCode,
    description: BILLING_CODE_DESCRIPTIONS[plan.billingCode],
    days,
    inNetwork: estimateTier('in-network', days, plan.perDiemCents, input.inNetwork, plan.billingCode),
    outOfNetwork: estimateTier('out-of-network', days, outRate, input.outOfNetwork, plan.billingCode),
    notes,
  };
}
