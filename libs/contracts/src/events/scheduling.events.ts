import { z } from 'zod';
import { Address, IanaTimeZone, Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';

/** A clinic's public details; not PHI. `revision` lets directories ignore stale updates. */
const SiteDetails = z.object({
  siteId: Id,
  name: z.string().min(1).max(120),
  address: Address,
  timeZone: IanaTimeZone,
  capacity: z.number().int().min(0).max(10_000),
  revision: z.number().int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
});

export const SiteRegistered = defineEvent({
  type: 'scheduling.site-registered',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingSites.name,
  schema: SiteDetails,
  key: (p) => p.siteId,
  site: (p) => p.siteId,
  description: 'A network admin registered a clinic site: its name, address, IANA time zone and patient capacity.',
});

export const SiteUpdated = defineEvent({
  type: 'scheduling.site-updated',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingSites.name,
  schema: SiteDetails,
  key: (p) => p.siteId,
  site: (p) => p.siteId,
  description: "A site's details changed; the payload is the whole new state, with a higher revision.",
});

/* Programs and tracks: topic scheduling.programs, keyed by program, so a track's definition is never read before its program's. */

export const ProgramKind = z.enum(['substance-use', 'mental-health', 'co-occurring']);
export const ProgramPopulation = z.enum(['adult', 'adolescent']);
/** ASAM levels of care a site may run: 1 (outpatient), 2.1 (intensive outpatient), 2.5 (partial hospitalisation). */
export const LevelOfCare = z.enum(['1', '2.1', '2.5']);
export const SessionDelivery = z.enum(['in-person', 'telehealth', 'hybrid']);

/** A program's rules, no name: a program's name can say what its patients are treated for. */
const ProgramDetails = z.object({
  programId: Id,
  siteId: Id,
  kind: ProgramKind,
  population: ProgramPopulation,
  levelOfCare: LevelOfCare,
  minWeeklyMinutes: z.number().int().min(0),
  maxWeeklyMinutes: z.number().int().min(0).nullable().describe('null: no upper bound (2.5 PHP)'),
  perDiemMinimumMinutes: z.number().int().min(0).max(720),
  defaultLengthWeeks: z.number().int().min(1).max(104),
  revision: z.number().int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
});

export const ProgramDefined = defineEvent({
  type: 'scheduling.program-defined',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingPrograms.name,
  schema: ProgramDetails,
  key: (p) => p.programId,
  site: (p) => p.siteId,
  description: 'A site admin defined a program: its kind, population, level of care and the weekly minutes its tracks must give.',
});

export const ProgramChanged = defineEvent({
  type: 'scheduling.program-changed',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingPrograms.name,
  schema: ProgramDetails,
  key: (p) => p.programId,
  site: (p) => p.siteId,
  description: "A program's rules changed; the payload is the whole new state, with a higher revision.",
});

const TrackSession = z.object({
  position: z.number().int().min(1),
  offsetMinutes: z.number().int().min(0).describe("Minutes after the block's start"),
  durationMinutes: z.number().int().min(1),
  modality: z.string(),
  leaderId: Id,
  coLeaderId: Id.nullable(),
  roomId: Id,
  capacity: z.number().int().min(1),
  delivery: SessionDelivery,
});

const TrackDetails = z.object({
  trackId: Id,
  programId: Id,
  siteId: Id,
  recurrence: z.string().describe('RFC 5545 RRULE body, evaluated as wall-clock time in timeZone'),
  startsOn: z.iso.date(),
  endsOn: z.iso.date().nullable(),
  blockStart: z.string().regex(/^\d{2}:\d{2}$/),
  timeZone: IanaTimeZone,
  enrolment: z.enum(['open', 'closed']),
  cohortWeeks: z.number().int().min(1).nullable(),
  weeklyMinutes: z.number().int().min(1),
  sessions: z.array(TrackSession).min(1),
  revision: z.number().int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
});

export const TrackDefined = defineEvent({
  type: 'scheduling.track-defined',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingPrograms.name,
  schema: TrackDetails,
  key: (p) => p.programId,
  site: (p) => p.siteId,
  description: "A recurring block of group sessions in a program (e.g. Mon/Tue/Thu 18:00-21:00 in the site's zone), with its weekly minutes.",
});

export const TrackChanged = defineEvent({
  type: 'scheduling.track-changed',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingPrograms.name,
  schema: TrackDetails,
  key: (p) => p.programId,
  site: (p) => p.siteId,
  description: "A track's end date, leaders or rooms changed (changes apply to its future sessions); the payload is the whole new state.",
});

/* Sessions: topic scheduling.sessions, keyed by session, the whole occurrence in every event so a roster needs nothing else. */

const SessionDetails = z.object({
  sessionId: Id,
  trackId: Id,
  programId: Id,
  siteId: Id,
  kind: z.literal('group'),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  localDate: z.iso.date().describe("The session's day in the site's zone"),
  leaderId: Id,
  coLeaderId: Id.nullable(),
  roomId: Id,
  capacity: z.number().int().min(1),
  delivery: SessionDelivery,
  revision: z.number().int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
});

export const SessionScheduled = defineEvent({
  type: 'scheduling.session-scheduled',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingSessions.name,
  schema: SessionDetails,
  key: (p) => p.sessionId,
  site: (p) => p.siteId,
  description: 'A group session of a track was put on the calendar (materialised for the rolling horizon), with its leader, room and times.',
});

export const SessionRescheduled = defineEvent({
  type: 'scheduling.session-rescheduled',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingSessions.name,
  schema: SessionDetails,
  key: (p) => p.sessionId,
  site: (p) => p.siteId,
  description: 'One group session moved, changed room, or got a substitute leader; the payload is the whole new state.',
});

export const SessionCancelled = defineEvent({
  type: 'scheduling.session-cancelled',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingSessions.name,
  schema: SessionDetails.extend({
    reason: z.string().min(1).max(500),
    /**
     * Who held a seat when the session was cancelled (their seats-released events follow on scheduling.enrolments, in no
     * order against this one). Added later: absent from events published before it, so a consumer falls back on the seats
     * it knows.
     */
    bookedPatients: z
      .array(z.object({ patientId: Id, enrolmentId: Id, episodeId: Id }))
      .optional()
      .describe('The patients who held a seat when the session was cancelled; absent in events from before this field'),
  }),
  key: (p) => p.sessionId,
  site: (p) => p.siteId,
  description: "A group session was cancelled (on its own, by a site closure, or by its track's end); every seat in it is released.",
});
