import { z } from 'zod';
import { LEVELS_OF_CARE, PRESENTING_CONCERNS, type PresentingConcern } from '../domain';
import { Instant } from '@iop/contracts';

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
