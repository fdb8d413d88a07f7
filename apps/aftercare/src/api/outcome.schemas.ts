import { z } from 'zod';
import { Id, Instant } from '@iop/contracts';
import { ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';

/** Answers as collected; the scoring (libs/domain) names each missing or out-of-range item in a 422. */
const Answers = z.array(z.number().nullable()).max(20);

export const CheckInBody = z
  .strictObject({
    followUpId: Id.optional().describe('The follow-up this check-in was taken at, if any'),
    takenAt: Instant.optional().describe('When (default: now); not before the discharge date'),
    phq9: Answers.optional().describe('PHQ-9: nine answers 0-3, in order'),
    gad7: Answers.optional().describe('GAD-7: seven answers 0-3, in order'),
    bam: z
      .record(z.string().max(3), z.union([z.number(), z.boolean(), z.null()]))
      .optional()
      .describe('Brief Addiction Monitor by item ("1"-"17", "7A"-"7G"): days 0-30 for day items, 0-4 for ratings, true/false for item 14'),
    daysAbstinent: z.number().int().min(0).max(36_500).optional().describe('Consecutive days without alcohol or drug use up to the check-in'),
  })
  .refine((b) => b.phq9 !== undefined || b.gad7 !== undefined || b.bam !== undefined || b.daysAbstinent !== undefined, {
    message: 'give at least one of phq9, gad7, bam or daysAbstinent',
  });
export type CheckInBody = z.infer<typeof CheckInBody>;

export const CheckInView = z.object({
  checkInId: ResponseId,
  episodeId: ResponseId,
  followUpId: ResponseId.nullable(),
  takenAt: ResponseInstant,
  phq9: z.object({ total: z.number().int(), band: z.string(), safetyFollowUpRequired: z.boolean() }).nullable(),
  gad7: z.object({ total: z.number().int(), band: z.string() }).nullable(),
  bam: z.object({ use: z.number().int(), risk: z.number().int(), protective: z.number().int(), progressSatisfaction: z.number().int() }).nullable(),
  daysAbstinent: z.number().int().nullable(),
  safetyConcernId: ResponseId.nullable(),
});

nameSchemas({ OutcomeCheckIn: CheckInView });
