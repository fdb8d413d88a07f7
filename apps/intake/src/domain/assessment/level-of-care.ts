import { err, ok, type DomainError, type Result } from '../shared';
import type { AsamDimension, AsamProfile } from './asam';
import {
  LEVEL_OF_CARE_LABELS,
  hoursRangeLabel,
  matchLevelOfCareRule,
  needsIntensifiedHours,
  programTypeFor,
  weeklyHoursPlanFor,
  type LevelOfCare,
  type Population,
  type PresentingConcern,
  type ProgramType,
} from './level-of-care-rules';

export interface PlannedWeeklyHours {
  readonly hours: number;
  /** e.g. "9 to under 20 h", so the clinician sees how far they may adjust. */
  readonly allowedRange: string;
}

export interface LevelOfCareRecommendation {
  readonly level: LevelOfCare;
  readonly levelLabel: string;
  readonly ruleId: string;
  readonly rationale: string;
  readonly drivingDimensions: readonly AsamDimension[];
  readonly programType: ProgramType;
  readonly population: Population;
  /** Whether the ratings call for the higher default hours; carried so an override to another level keeps it. */
  readonly hoursIntensity: 'standard' | 'intensified';
  /** Undefined where the receiving programme plans the hours (3.x, 4, withdrawal management). */
  readonly plannedWeeklyHours?: PlannedWeeklyHours;
  readonly disclaimer: string;
}

export const DECISION_SUPPORT_DISCLAIMER = 'Decision support from a simplified rule table, not the ASAM Criteria themselves: the clinician decides.';

export interface LevelOfCareInput {
  readonly profile: AsamProfile;
  readonly presentingConcerns: readonly PresentingConcern[];
  readonly population: Population;
}

export function recommendLevelOfCare(input: LevelOfCareInput): Result<LevelOfCareRecommendation, DomainError<'assessment.no-presenting-concern'>> {
  const programType = programTypeFor(input.presentingConcerns);
  if (!programType) {
    return err({
      code: 'assessment.no-presenting-concern',
      message: 'Record at least one presenting concern (a substance or a mental-health condition) to choose a program type.',
    });
  }
  const { rule, drivingDimensions } = matchLevelOfCareRule(input.profile);
  const plan = weeklyHoursPlanFor(rule.level, input.population);
  const hoursIntensity = needsIntensifiedHours(input.profile) ? 'intensified' : 'standard';
  const plannedWeeklyHours = plan
    ? {
        hours: plan[hoursIntensity],
        allowedRange: hoursRangeLabel(plan),
      }
    : undefined;
  return ok({
    level: rule.level,
    levelLabel: LEVEL_OF_CARE_LABELS[rule.level],
    ruleId: rule.id,
    rationale: rule.rationale,
    drivingDimensions,
    programType,
    population: input.population,
    hoursIntensity,
    ...(plannedWeeklyHours ? { plannedWeeklyHours } : {}),
    disclaimer: DECISION_SUPPORT_DISCLAIMER,
  });
}

export interface ClinicianOverride {
  readonly clinicianId: string;
  readonly at: Date;
  readonly level: LevelOfCare;
  /** Needed for outpatient levels when the default for that level is not wanted. */
  readonly weeklyHours?: number;
  readonly reason: string;
}

export interface LevelOfCareDecision {
  readonly recommendation: LevelOfCareRecommendation;
  readonly level: LevelOfCare;
  readonly plannedWeeklyHours?: number;
  readonly decidedBy: 'rule-table' | 'clinician-override';
  readonly override?: ClinicianOverride;
}

export type OverrideErrorCode =
  'assessment.override-reason-required' | 'assessment.override-unchanged' | 'assessment.hours-outside-level' | 'assessment.hours-not-planned-here';

/** Short enough not to be a burden, long enough that "ok" or "n/a" does not pass for a reason. */
export const MIN_OVERRIDE_REASON_LENGTH = 10;

export function acceptRecommendation(recommendation: LevelOfCareRecommendation): LevelOfCareDecision {
  return {
    recommendation,
    level: recommendation.level,
    ...(recommendation.plannedWeeklyHours ? { plannedWeeklyHours: recommendation.plannedWeeklyHours.hours } : {}),
    decidedBy: 'rule-table',
  };
}

/**
 * The clinician's judgement wins, but it must be written down: reviewers and payers ask why the level differs
 * from what the ratings suggest. Hours must stay within the chosen level's definition, or it is another level.
 */
export function overrideLevelOfCare(
  recommendation: LevelOfCareRecommendation,
  override: ClinicianOverride,
): Result<LevelOfCareDecision, DomainError<OverrideErrorCode>> {
  if (override.reason.trim().length < MIN_OVERRIDE_REASON_LENGTH) {
    return err({
      code: 'assessment.override-reason-required',
      message: `Give the clinical reason for choosing ${LEVEL_OF_CARE_LABELS[override.level]} instead of ${recommendation.levelLabel} (at least a short sentence).`,
    });
  }
  const plan = weeklyHoursPlanFor(override.level, recommendation.population);
  let hours: number | undefined;
  if (plan) {
    hours =
      override.weeklyHours ??
      (override.level === recommendation.level && recommendation.plannedWeeklyHours
        ? recommendation.plannedWeeklyHours.hours
        : plan[recommendation.hoursIntensity]);
    const tooFew = hours < plan.atLeast;
    const tooMany = plan.under !== undefined && hours >= plan.under;
    if (tooFew || tooMany) {
      return err({
        code: 'assessment.hours-outside-level',
        message: `${LEVEL_OF_CARE_LABELS[override.level]} for ${recommendation.population}s means ${hoursRangeLabel(plan)} a week; ${hours} h is outside it. Change the hours or the level.`,
      });
    }
  } else if (override.weeklyHours !== undefined) {
    return err({
      code: 'assessment.hours-not-planned-here',
      message: `Weekly hours for ${LEVEL_OF_CARE_LABELS[override.level]} are planned by the programme that takes the patient; leave them blank.`,
    });
  }
  if (override.level === recommendation.level && hours === recommendation.plannedWeeklyHours?.hours) {
    return err({
      code: 'assessment.override-unchanged',
      message: 'The override matches the recommendation; accept the recommendation instead.',
    });
  }
  return ok({
    recommendation,
    level: override.level,
    ...(hours === undefined ? {} : { plannedWeeklyHours: hours }),
    decidedBy: 'clinician-override',
    override,
  });
}
