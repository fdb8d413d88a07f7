import { z } from 'zod';
import { Id, ServiceDate, SessionDelivery } from '@iop/contracts';
import { ResponseDate, ResponseId, nameSchemas } from '@iop/platform';

const WallClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:mm, e.g. "18:00"');
const Text = (what: string) => z.string().trim().min(1, `give the ${what}`).max(120);

const TrackSessionBody = z.strictObject({
  topic: Text('topic').describe('e.g. "Relapse prevention"'),
  modality: Text('modality').describe('e.g. "CBT group", "psychoeducation"'),
  offsetMinutes: z.number().int().min(0).max(1439).optional().describe("Minutes after the block's start; default: right after the session before it"),
  durationMinutes: z.number().int('whole minutes').min(1, 'a session must last at least a minute').max(720),
  leaderId: Id,
  coLeaderId: Id.nullable().optional(),
  roomId: Id,
  capacity: z.number().int().min(1).max(500).describe('Patients the group takes'),
  delivery: SessionDelivery.default('in-person'),
});
export type TrackSessionBody = z.infer<typeof TrackSessionBody>;

export const DefineTrackBody = z
  .strictObject({
    programId: Id,
    name: Text('track a name').describe('e.g. "Evening SUD adults"'),
    recurrence: z.string().trim().min(1).max(300).describe('RFC 5545 RRULE, e.g. "FREQ=WEEKLY;BYDAY=MO,TU,TH", evaluated in the site\'s time zone'),
    startsOn: ServiceDate.describe('First local date of the series; not in the past'),
    endsOn: ServiceDate.nullable().optional().describe('Last local date of the series, if it ends'),
    blockStart: WallClock.describe("Local wall-clock start of each block in the site's zone"),
    enrolment: z.enum(['open', 'closed']).default('open').describe('open: patients join any week; closed: a cohort starts together'),
    cohortWeeks: z.number().int().min(1).max(52).nullable().optional().describe('Length of a closed cohort'),
    sessions: z.array(TrackSessionBody).min(1, 'a block needs at least one session').max(12),
  })
  .refine((b) => b.enrolment === 'open' || (b.cohortWeeks ?? null) !== null, { message: 'a closed group needs cohortWeeks', path: ['cohortWeeks'] })
  .refine((b) => !b.endsOn || b.endsOn >= b.startsOn, { message: 'the track cannot end before it starts', path: ['endsOn'] })
  .refine((b) => b.sessions.every((s) => !s.coLeaderId || s.coLeaderId !== s.leaderId), {
    message: 'a co-leader must be someone else than the leader',
    path: ['sessions'],
  });
export type DefineTrackBody = z.infer<typeof DefineTrackBody>;

export const TrackSessionChange = z.strictObject({
  position: z.number().int().min(1).max(12).describe('Which session of the block, from 1'),
  leaderId: Id.optional(),
  coLeaderId: Id.nullable().optional(),
  roomId: Id.optional(),
});

export const ChangeTrackBody = z
  .strictObject({
    name: Text('track a name'),
    endsOn: ServiceDate.nullable().describe('Last local date; sessions after it are cancelled'),
    sessions: z.array(TrackSessionChange).min(1).max(12).describe('Leader, co-leader or room changes: they apply to the sessions not yet started'),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type ChangeTrackBody = z.infer<typeof ChangeTrackBody>;

/* Responses */

export const TrackSessionView = z.object({
  position: z.number().int().min(1),
  topic: z.string(),
  modality: z.string(),
  offsetMinutes: z.number().int(),
  durationMinutes: z.number().int(),
  leaderId: ResponseId,
  coLeaderId: ResponseId.nullable(),
  roomId: ResponseId,
  capacity: z.number().int(),
  delivery: SessionDelivery,
});

export const TrackView = z.object({
  trackId: ResponseId,
  siteId: ResponseId,
  programId: ResponseId,
  name: z.string(),
  recurrence: z.string(),
  startsOn: ResponseDate,
  endsOn: ResponseDate.nullable(),
  blockStart: z.string(),
  timeZone: z.string().describe("The site's zone the recurrence is evaluated in"),
  enrolment: z.enum(['open', 'closed']),
  cohortWeeks: z.number().int().nullable(),
  blockMinutes: z.number().int().describe('Group minutes in one block'),
  weeklyMinutes: z.number().int(),
  weeklyHours: z.string().describe('e.g. "9 h" or "7 h 30 min"'),
  meetsPerDiemMinimum: z.boolean().describe("Whether one block reaches the program's per-diem minimum"),
  materialisedTo: ResponseDate.nullable().describe('Sessions exist up to this local date'),
  active: z.boolean(),
  revision: z.number().int().min(1),
  sessions: z.array(TrackSessionView),
});
export const TrackList = z.array(TrackView).describe("The site's tracks by name");

nameSchemas({ Track: TrackView, TrackSession: TrackSessionView });
