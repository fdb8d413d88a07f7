import { z } from 'zod';
import { Id } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';

const CURSOR = /^\d{4}-\d{2}-\d{2}\|[0-9a-f-]{36}$/i;

export function encodeCursor(plannedStart: string, enrolmentId: string): string {
  return Buffer.from(`${plannedStart}|${enrolmentId}`).toString('base64url');
}

export function decodeCursor(cursor: string): { plannedStart: string; enrolmentId: string } {
  const [plannedStart, enrolmentId] = Buffer.from(cursor, 'base64url').toString().split('|') as [string, string];
  return { plannedStart, enrolmentId };
}

export const EnrolmentQueueQuery = z.strictObject({
  status: z.enum(['awaiting-placement', 'placed', 'ended']).default('awaiting-placement'),
  cursor: z
    .string()
    .max(200)
    .refine((c) => CURSOR.test(Buffer.from(c, 'base64url').toString()), 'cursor must be a nextCursor this list returned')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type EnrolmentQueueFilter = z.infer<typeof EnrolmentQueueQuery>;

export const PlaceBody = z.strictObject({
  trackId: Id,
  from: z.iso.date().optional().describe('First local date to book from (default: the first date the track admits on or after the planned start and today)'),
});
export type PlaceBody = z.infer<typeof PlaceBody>;

export const TransferBody = z.strictObject({
  trackId: Id.describe("The track to move to: this site's or another site's (the caller needs access to both)"),
  from: z.iso.date().optional(),
});
export type TransferBody = z.infer<typeof TransferBody>;

export const LevelChangeBody = z.strictObject({
  trackId: Id.describe('A track of a program at another level of care at the same site'),
  from: z.iso.date().optional(),
  reason: z.string().trim().min(1, 'say why the level of care changes').max(500),
});
export type LevelChangeBody = z.infer<typeof LevelChangeBody>;

/* Responses */

export const EnrolmentView = z.object({
  enrolmentId: ResponseId,
  siteId: ResponseId,
  patientId: ResponseId,
  episodeId: ResponseId,
  referralId: ResponseId,
  programType: z.enum(['substance-use', 'mental-health', 'co-occurring']),
  levelOfCare: z.string(),
  plannedWeeklyMinutes: z.number().int(),
  plannedStart: ResponseDate,
  status: z.enum(['awaiting-placement', 'placed', 'ended']),
  programId: ResponseId.nullable(),
  trackId: ResponseId.nullable(),
  placedFrom: ResponseDate.nullable(),
  endedAt: ResponseInstant.nullable(),
  endReason: z.string().nullable(),
  placementNote: z.string().nullable().describe('Set when the plan asks for more group hours than the track offers: a transfer is needed'),
  revision: z.number().int(),
});

export const EnrolmentQueueView = z.object({
  items: z.array(EnrolmentView),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

export const PlacementView = z.object({
  enrolment: EnrolmentView,
  bookedSessionIds: z.array(ResponseId),
  releasedSessionIds: z.array(ResponseId),
});

export const TrackSuggestionView = z.object({
  rank: z.number().int().min(1),
  trackId: ResponseId,
  name: z.string(),
  programId: ResponseId,
  levelOfCare: z.string(),
  weeklyMinutes: z.number().int(),
  freeSeats: z.number().int(),
  firstDate: ResponseDate.nullable(),
  reasons: z.array(z.string()),
});
export const TrackSuggestionList = z.array(TrackSuggestionView);

nameSchemas({
  Enrolment: EnrolmentView,
  EnrolmentQueue: EnrolmentQueueView,
  Placement: PlacementView,
  TrackSuggestion: TrackSuggestionView,
});
