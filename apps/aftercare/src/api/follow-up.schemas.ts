import { z } from 'zod';
import { FOLLOW_UP_METHODS, Instant, READMISSION_REASONS } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';
import { FOLLOW_UP_STATES } from '../domain/follow-up-schedule';
import { ATTEMPT_OUTCOMES } from '../application/follow-up.use-cases';

export const AttemptBody = z.strictObject({
  method: z.enum(FOLLOW_UP_METHODS),
  outcome: z.enum(ATTEMPT_OUTCOMES).describe('`reached` completes the follow-up; the others leave it open'),
  at: Instant.optional().describe('When the contact was tried (default: now); not before the discharge date'),
});
export type AttemptBody = z.infer<typeof AttemptBody>;

export const ReadmissionBody = z.strictObject({
  reason: z.enum(READMISSION_REASONS).describe('What the follow-up found'),
});
export type ReadmissionBody = z.infer<typeof ReadmissionBody>;

export const FollowUpView = z.object({
  followUpId: ResponseId,
  episodeId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  dayOffset: z.number().int(),
  dueOn: ResponseDate,
  dueAt: ResponseInstant,
  overdueAt: ResponseInstant,
  state: z.enum(FOLLOW_UP_STATES),
  completedAt: ResponseInstant.nullable(),
  method: z.string().nullable(),
  attempts: z.array(z.object({ attemptId: ResponseId, method: z.string(), outcome: z.enum(ATTEMPT_OUTCOMES), at: ResponseInstant })),
});

export const EpisodeFollowUpsView = z.object({ episodeId: ResponseId, followUps: z.array(FollowUpView) });

export const ReadmissionView = z.object({
  readmissionReferralId: ResponseId,
  followUpId: ResponseId,
  priorEpisodeId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  reason: z.enum(READMISSION_REASONS),
  referredAt: ResponseInstant,
});

nameSchemas({ FollowUp: FollowUpView, ReadmissionReferral: ReadmissionView });
