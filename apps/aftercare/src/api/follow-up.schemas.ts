import { z } from 'zod';
import { FOLLOW_UP_METHODS, Instant, READMISSION_REASONS, ServiceDate } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, nameSchemas, PageCursor } from '@iop/platform';
import { FOLLOW_UP_STATES } from '../domain/follow-up-schedule';
import { ATTEMPT_OUTCOMES, WORK_LIST_STATES } from '../application/follow-up.use-cases';

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

export const WorkListQuery = z.strictObject({
  state: z.enum(WORK_LIST_STATES).default('open').describe('`open` (default): due or overdue; or one state'),
  dueBy: ServiceDate.optional().describe('Only follow-ups due on or before this site-local day (e.g. today, for what to call now)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: PageCursor.optional().describe('Keyset pagination: the nextCursor of the previous page, unchanged (oldest due day first)'),
});
export type WorkListQuery = z.infer<typeof WorkListQuery>;

export const WorkListView = z.object({ siteId: ResponseId, items: z.array(FollowUpView), nextCursor: z.string().nullable() });

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

nameSchemas({ FollowUpPage: WorkListView, FollowUp: FollowUpView, ReadmissionReferral: ReadmissionView });
