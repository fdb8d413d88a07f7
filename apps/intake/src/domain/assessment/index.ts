export { ASAM_DIMENSIONS, ASAM_DIMENSION_NAMES, ASAM_DIMENSION_SHORT_NAMES, ASAM_RATINGS, validateAsamRatings } from './asam';
export type { AsamDimension, AsamRating, AsamDimensionInput, AsamRatingsInput, AsamProfile, AsamRatingIssue, AsamRatingsInvalid } from './asam';
export {
  LEVELS_OF_CARE,
  LEVEL_OF_CARE_LABELS,
  LEVEL_OF_CARE_RULES,
  WEEKLY_HOURS_PLANS,
  PRESENTING_CONCERNS,
  PROGRAM_TYPE_LABELS,
  matchLevelOfCareRule,
  weeklyHoursPlanFor,
  needsIntensifiedHours,
  hoursRangeLabel,
  programTypeFor,
  renderRuleTableMarkdown,
  renderWeeklyHoursTableMarkdown,
  renderProgramTypeTableMarkdown,
} from './level-of-care-rules';
export type {
  LevelOfCare,
  RuleCondition,
  LevelOfCareRule,
  RuleMatch,
  Population,
  WeeklyHoursPlan,
  PresentingConcern,
  ProgramType,
} from './level-of-care-rules';
export { DECISION_SUPPORT_DISCLAIMER, MIN_OVERRIDE_REASON_LENGTH, recommendLevelOfCare, acceptRecommendation, overrideLevelOfCare } from './level-of-care';
export type {
  PlannedWeeklyHours,
  LevelOfCareRecommendation,
  LevelOfCareInput,
  ClinicianOverride,
  LevelOfCareDecision,
  OverrideErrorCode,
} from './level-of-care';
// The PHQ-9 and GAD-7 are scored in libs/domain: aftercare scores its follow-up check-ins the same way.
export { PHQ9_BANDS, GAD7_BANDS, scorePhq9, scoreGad7, renderSeverityBandsMarkdown } from '@iop/domain';
export type { SeverityBand, Phq9Band, Gad7Band, MeasureItemIssue, MeasureInvalid, MeasureScore, Phq9Score, Gad7Score, MeasureAnswers } from '@iop/domain';
export { renderIntakeRulesMarkdown, INTAKE_RULES_DOC_MARKERS } from './intake-rules-doc';
