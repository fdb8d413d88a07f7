import { z } from 'zod';
import { Id, Instant, ServiceDate, SessionDelivery } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, nameSchemas, PageCursor } from '@iop/platform';

export const ChangeSessionBody = z
  .strictObject({
    startsAt: Instant.describe('New start; the session keeps its length'),
    roomId: Id,
    leaderId: Id.describe('A substitute leader'),
    coLeaderId: Id.nullable(),
    capacity: z.number().int().min(1).max(500),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type ChangeSessionBody = z.infer<typeof ChangeSessionBody>;

export const CancelSessionBody = z.strictObject({ reason: z.string().trim().min(1, 'say why the session is cancelled').max(500) });
export type CancelSessionBody = z.infer<typeof CancelSessionBody>;

export const ListSessionsQuery = z.strictObject({
  from: ServiceDate.describe("First local date (site's zone)"),
  to: ServiceDate.describe("Last local date, inclusive (site's zone)"),
  cursor: PageCursor.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListSessionsQuery = z.infer<typeof ListSessionsQuery>;

export const SessionView = z.object({
  sessionId: ResponseId,
  siteId: ResponseId,
  trackId: ResponseId,
  programId: ResponseId,
  position: z.number().int(),
  seriesDate: ResponseDate.describe('The date the series planned it for (a moved session keeps it)'),
  localDate: ResponseDate,
  startsAt: ResponseInstant,
  endsAt: ResponseInstant,
  localStart: z.string().describe("Start in the site's zone, e.g. 2027-03-16T18:00"),
  localEnd: z.string(),
  timeZone: z.string(),
  topic: z.string(),
  modality: z.string(),
  leaderId: ResponseId,
  coLeaderId: ResponseId.nullable(),
  roomId: ResponseId,
  capacity: z.number().int(),
  bookedSeats: z.number().int(),
  delivery: SessionDelivery,
  status: z.enum(['scheduled', 'cancelled']),
  cancelReason: z.string().nullable(),
  revision: z.number().int().min(1),
});
export type SessionView = z.infer<typeof SessionView>;

export const SessionPage = z.object({
  items: z.array(SessionView),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
});

export const ClosureBody = z.strictObject({
  date: ServiceDate.describe('The local date the site is closed'),
  reason: z.string().trim().min(1, 'say why the site is closed').max(200),
});
export type ClosureBody = z.infer<typeof ClosureBody>;

export const ClosureView = z.object({
  siteId: ResponseId,
  date: ResponseDate,
  reason: z.string(),
  cancelledSessions: z.number().int().min(0).optional().describe('Sessions the closure cancelled'),
});
export const ClosureList = z.array(ClosureView);

nameSchemas({ Session: SessionView, Closure: ClosureView });
