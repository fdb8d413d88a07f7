import { z } from 'zod';
import { Instant } from '@iop/contracts';
import { ResponseId, keysOf, nameSchemas } from '@iop/platform';
import type { PreScreenRecorded } from '../application/record-pre-screen.use-case';
import {
  PRE_SCREEN_QUESTION_IDS,
  PRE_SCREEN_ROUTING_LABELS,
  PRE_SCREEN_SECTIONS,
  REFERRAL_STAGE_LABELS,
  type PreScreenOutcome,
  type PreScreenQuestion,
  type PreScreenQuestionId,
  type ReferralStage,
  type SafetyRiskLevel,
} from '../domain';

/** Each question answered true or false; questions not asked (C-SSRS follow-ups after a "no") are left out. */
export const RecordPreScreenBody = z.strictObject({
  answers: z.partialRecord(z.enum(PRE_SCREEN_QUESTION_IDS), z.boolean()),
  at: Instant.optional(),
});
export type RecordPreScreenBody = { answers: Partial<Record<PreScreenQuestionId, boolean>>; at?: string | undefined };

/* Responses */

const QuestionId = z.enum(PRE_SCREEN_QUESTION_IDS);
const STAGES = Object.keys(REFERRAL_STAGE_LABELS) as [ReferralStage, ...ReferralStage[]];
const ROUTINGS = keysOf(PRE_SCREEN_ROUTING_LABELS);
const RISK_LEVELS = keysOf({ none: true, low: true, moderate: true, high: true } satisfies Record<SafetyRiskLevel, true>);

export const PreScreenQuestionView = z.object({
  id: QuestionId,
  section: z.enum(PRE_SCREEN_SECTIONS),
  text: z.string().describe('Paraphrased wording; the live form uses the licensed C-SSRS wording'),
  askedAfterYesTo: QuestionId.optional().describe('Asked only after a yes to this question (C-SSRS skip logic); absent when always asked'),
}) satisfies z.ZodType<PreScreenQuestion>;

export const PreScreenQuestionList = z.array(PreScreenQuestionView).describe('Every pre-screen question, in the order asked');

/** The scored pre-screen: where the caller goes next, and the safety screen's result. */
export const PreScreenOutcomeView = z.object({
  routing: z.enum(ROUTINGS).describe('Where the caller goes next: assessment, or a higher level of care or detox first'),
  reasons: z
    .array(z.object({ routing: z.enum(ROUTINGS).exclude(['proceed-to-assessment']), text: z.string() }))
    .describe('Why the caller is routed away from assessment; empty when they proceed'),
  safety: z.object({
    riskLevel: z.enum(RISK_LEVELS),
    urgentFollowUpRequired: z.boolean().describe('Any positive safety answer: a clinician must follow up now (the urgent event has been raised)'),
    positiveAnswers: z.array(QuestionId),
    summary: z.string(),
  }),
}) satisfies z.ZodType<PreScreenOutcome>;

export const PreScreenRecordedView = PreScreenOutcomeView.extend({
  preScreenId: ResponseId,
  referralId: ResponseId,
  stage: z.enum(STAGES).describe("The referral's stage after the pre-screen"),
  routingLabel: z.string().describe('The routing in words, for the coordinator'),
  safetyConcernId: ResponseId.nullable().describe('The urgent safety concern raised for a positive safety screen; null when none was needed'),
}) satisfies z.ZodType<PreScreenRecorded>;

nameSchemas({ PreScreenQuestion: PreScreenQuestionView, PreScreenOutcome: PreScreenOutcomeView, PreScreenRecorded: PreScreenRecordedView });
