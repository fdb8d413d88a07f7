import { z } from 'zod';
import { ServiceDate } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';

export const ScheduleQuery = z.strictObject({
  from: ServiceDate.optional().describe("First local date (site's zone); default a week ago"),
  to: ServiceDate.optional().describe('Last local date, inclusive; default 12 weeks ahead'),
});
export type ScheduleQuery = z.infer<typeof ScheduleQuery>;

export const ScheduleView = z.object({
  clinicianId: ResponseId,
  siteId: ResponseId,
  siteName: z.string(),
  timeZone: z.string(),
  from: ResponseDate,
  to: ResponseDate,
  items: z.array(
    z.object({
      kind: z.enum(['group-session', 'appointment']),
      id: ResponseId.describe('The session or appointment id'),
      role: z.enum(['leader', 'co-leader', 'clinician']),
      startsAt: ResponseInstant,
      endsAt: ResponseInstant,
      localStart: z.string().describe("Start in the site's zone, e.g. 2027-03-16T18:00"),
      localEnd: z.string(),
      roomId: ResponseId.nullable(),
      telehealth: z.boolean(),
      status: z.enum(['scheduled', 'cancelled']),
      revision: z.number().int(),
    }),
  ),
});

export const IcsFeed = z.string().describe('An iCalendar (RFC 5545) document, served as text/calendar');

nameSchemas({ ClinicianSchedule: ScheduleView });

export const FeedLinkView = z.object({
  path: z.string().describe('Path of the feed on this service, e.g. /calendar-feeds/<token>/schedule.ics; anyone holding it reads the feed'),
  expiresAt: ResponseInstant,
});
