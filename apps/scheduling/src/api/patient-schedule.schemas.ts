import { z } from 'zod';
import { Id } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';

const Day = z.iso.date({ message: 'a date, YYYY-MM-DD' });

export const MAX_SCHEDULE_DAYS = 92;

export const PatientScheduleQuery = z
  .strictObject({
    siteId: Id.describe('The site whose schedule of the patient to show (its time zone is used)'),
    from: Day.optional().describe("First local date (default: this week's Monday at the site)"),
    to: Day.optional().describe('Last local date, inclusive (default: the Sunday after from)'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'to must not be before from' })
  .refine((q) => !q.from || !q.to || (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_SCHEDULE_DAYS, {
    path: ['to'],
    message: `ask for at most ${MAX_SCHEDULE_DAYS} days at once`,
  });
export type PatientScheduleFilter = z.infer<typeof PatientScheduleQuery>;

export const PatientFeedQuery = z.strictObject({ siteId: Id });
export type PatientFeedFilter = z.infer<typeof PatientFeedQuery>;

export const ScheduleItemView = z.object({
  kind: z.enum(['group-session', 'appointment']),
  id: ResponseId.describe('The session id or appointment id'),
  siteId: ResponseId,
  title: z.string().describe("The session's topic, or the kind of appointment"),
  startsAt: ResponseInstant,
  endsAt: ResponseInstant,
  localDate: ResponseDate.describe("In the site's zone"),
  localStart: z.string().describe('HH:mm in the site zone'),
  localEnd: z.string().describe('HH:mm in the site zone'),
  clinicianId: ResponseId,
  roomId: ResponseId.nullable(),
  telehealth: z.boolean(),
  status: z.enum(['scheduled', 'cancelled']),
});

export const PatientScheduleView = z.object({
  patientId: ResponseId,
  siteId: ResponseId,
  timeZone: z.string(),
  from: ResponseDate,
  to: ResponseDate,
  items: z.array(ScheduleItemView),
});

export const ICalendarText = z.string().describe('An RFC 5545 iCalendar document (text/calendar)');

nameSchemas({ PatientSchedule: PatientScheduleView, ScheduleItem: ScheduleItemView });
