import { z } from 'zod';
import { PRE_SCREEN_QUESTION_IDS, type PreScreenQuestionId } from '../domain';
import { Instant } from '@iop/contracts';

/** Each question answered true or false; questions not asked (C-SSRS follow-ups after a "no") are left out. */
export const RecordPreScreenBody = z.strictObject({
  answers: z.partialRecord(z.enum(PRE_SCREEN_QUESTION_IDS), z.boolean()),
  at: Instant.optional(),
});
export type RecordPreScreenBody = { answers: Partial<Record<PreScreenQuestionId, boolean>>; at?: string | undefined };
