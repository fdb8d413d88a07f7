import { z } from 'zod';
import { Instant } from '@iop/contracts';
import { ResponseId, ResponseInstant, keysOf, nameSchemas } from '@iop/platform';
import {
  ASAM_DIMENSIONS,
  ASAM_RATINGS,
  GAD7_BANDS,
  LEVELS_OF_CARE,
  PHQ9_BANDS,
  PRESENTING_CONCERNS,
  PROGRAM_TYPE_LABELS,
  type AsamDimension,
  type Gad7Band,
  type Gad7Score,
  type LevelOfCareRecommendation,
  type Phq9Band,
  type Phq9Score,
  type Population,
  type PresentingConcern,
  type WeeklyHoursPlan,
} from '../domain';
import type { StoredDecision } from '../infrastructure/assessment.repository';

const CONCERNS = Object.keys(PRESENTING_CONCERNS) as [PresentingConcern, ...PresentingConcern[]];

/* Ratings and item answers are any numbers here: the domain says which are out of range, dimension by dimension. */
const Dimension = z.strictObject({ rating: z.number(), notes: z.string().max(2000).optional() });

export const RecordAssessmentBody = z.strictObject({
  population: z.enum(['adult', 'adolescent']),
  dimensions: z.strictObject({
    '1': Dimension.optional(),
    '2': Dimension.optional(),
    '3': Dimension.optional(),
    '4': Dimension.optional(),
    '5': Dimension.optional(),
    '6': Dimension.optional(),
  }),
  phq9: z.array(z.number().nullable()).max(20),
  gad7: z.array(z.number().nullable()).max(20),
  /** Defaults to the concerns recorded on the referral. */
  presentingConcerns: z.array(z.enum(CONCERNS)).min(1).optional(),
  at: Instant.optional(),
});
export type RecordAssessmentBody = z.infer<typeof RecordAssessmentBody>;

export const OverrideLevelBody = z.strictObject({
  level: z.enum(LEVELS_OF_CARE),
  weeklyHours: z.number().min(0).max(40).optional(),
  reason: z.string().max(2000),
});
export type OverrideLevelBody = z.infer<typeof OverrideLevelBody>;

/* Responses */

const DIMENSION_KEYS = keysOf({ 1: true, 2: true, 3: true, 4: true, 5: true, 6: true } satisfies Record<AsamDimension, true>);
const Dimension6 = z.union(ASAM_DIMENSIONS.map((d) => z.literal(d)) as [z.ZodLiteral<AsamDimension>, ...z.ZodLiteral<AsamDimension>[]]);
const Rating = z.literal(ASAM_RATINGS);
const PROGRAM_TYPES = keysOf(PROGRAM_TYPE_LABELS);
const POPULATIONS = keysOf({ adult: true, adolescent: true } satisfies Record<Population, true>);
const PHQ9_BAND_NAMES = PHQ9_BANDS.map((b) => b.band) as [Phq9Band, ...Phq9Band[]];
const GAD7_BAND_NAMES = GAD7_BANDS.map((b) => b.band) as [Gad7Band, ...Gad7Band[]];
const DECIDED_BY = keysOf({ 'rule-table': true, 'clinician-override': true } satisfies Record<StoredDecision['decidedBy'], true>);

/** The six ASAM dimensions as rated, keyed "1"-"6". */
export const AsamProfileView = z.object({
  ratings: z.record(z.enum(DIMENSION_KEYS), Rating).describe('Each dimension rated 0 (no problem) to 4 (severe or imminent danger)'),
  notes: z.partialRecord(z.enum(DIMENSION_KEYS), z.string()).describe("The assessor's notes, for the dimensions that have any"),
});

export const Phq9ScoreView = z.object({
  total: z.number().int().min(0),
  band: z.enum(PHQ9_BAND_NAMES),
  bandLabel: z.string(),
  safetyFollowUpRequired: z.boolean().describe('Item 9 (thoughts of self-harm) above 0: a clinician follows up at once, whatever the total'),
}) satisfies z.ZodType<Phq9Score>;

export const Gad7ScoreView = z.object({ total: z.number().int().min(0), band: z.enum(GAD7_BAND_NAMES), bandLabel: z.string() }) satisfies z.ZodType<Gad7Score>;

export const RecommendationView = z.object({
  level: z.enum(LEVELS_OF_CARE),
  levelLabel: z.string(),
  ruleId: z.string().describe('The rule of the level-of-care table that matched (GET /assessment/rules)'),
  rationale: z.string(),
  drivingDimensions: z.array(Dimension6).describe('The dimensions whose ratings decided the level'),
  programType: z.enum(PROGRAM_TYPES),
  population: z.enum(POPULATIONS),
  hoursIntensity: z.enum(['standard', 'intensified']).describe('Whether the ratings call for the higher default weekly hours'),
  plannedWeeklyHours: z
    .object({ hours: z.number(), allowedRange: z.string().describe('e.g. "9 to under 20 h": how far the clinician may adjust') })
    .optional()
    .describe('Absent where the receiving programme plans the hours (3.x, 4, withdrawal management)'),
  disclaimer: z.string(),
}) satisfies z.ZodType<LevelOfCareRecommendation>;

export const DecisionView = z.object({
  level: z.enum(LEVELS_OF_CARE).describe('The level of care decided: the recommendation, or the clinician’s override'),
  plannedWeeklyHours: z.number().optional(),
  decidedBy: z.enum(DECIDED_BY),
  override: z
    .object({
      clinicianId: z.string().describe('The clinician who overrode the recommendation'),
      at: ResponseInstant,
      level: z.enum(LEVELS_OF_CARE),
      weeklyHours: z.number().optional(),
      reason: z.string(),
    })
    .optional()
    .describe('Present when a clinician overrode the recommendation'),
}) satisfies z.ZodType<StoredDecision>;

/** An assessment as recorded, with the recommendation and the level of care decided. */
export const AssessmentView = z.object({
  assessmentId: ResponseId,
  referralId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  ratings: AsamProfileView,
  phq9: Phq9ScoreView,
  gad7: Gad7ScoreView,
  recommendation: RecommendationView,
  decision: DecisionView,
  assessedBy: z.string().describe('The staff member who recorded the assessment'),
  assessedAt: ResponseInstant,
});

const Condition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dimension-at-least'), dimension: Dimension6, rating: Rating }),
  z.object({ kind: z.literal('any-dimension-at-least'), rating: Rating }),
  z.object({ kind: z.literal('otherwise') }),
]);

const Band = <B extends string>(names: [B, ...B[]]) => z.object({ band: z.enum(names), label: z.string(), min: z.number().int(), max: z.number().int() });

export const AssessmentRulesView = z.object({
  levelOfCareRules: z
    .array(
      z.object({
        id: z.string(),
        anyOf: z.array(Condition).describe('The rule applies when any one of these holds'),
        level: z.enum(LEVELS_OF_CARE),
        rationale: z.string(),
      }),
    )
    .describe('Evaluated top-down: the first rule that matches gives the recommendation'),
  weeklyHours: z
    .array(
      z.object({
        level: z.enum(['1', '2.1', '2.5']),
        population: z.enum(POPULATIONS),
        atLeast: z.number().describe('Inclusive lower bound of the weekly hours'),
        under: z.number().optional().describe('Exclusive upper bound; absent for partial hospitalisation'),
        standard: z.number().describe('Planned when no more-severe condition holds'),
        intensified: z.number().describe('Planned when three or more dimensions are rated 2+, or any is rated 3+'),
      }) satisfies z.ZodType<WeeklyHoursPlan>,
    )
    .describe('Weekly hours per outpatient level and population'),
  phq9Bands: z.array(Band(PHQ9_BAND_NAMES)),
  gad7Bands: z.array(Band(GAD7_BAND_NAMES)),
});

nameSchemas({
  AsamProfile: AsamProfileView,
  Phq9Score: Phq9ScoreView,
  Gad7Score: Gad7ScoreView,
  LevelOfCareRecommendation: RecommendationView,
  LevelOfCareDecision: DecisionView,
  Assessment: AssessmentView,
  AssessmentRules: AssessmentRulesView,
});
