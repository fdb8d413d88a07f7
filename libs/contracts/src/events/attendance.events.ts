import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';

/** The per-diem codes an IOP day is billed under: H0015 substance use, S9480 psychiatric. */
export const PerDiemCode = z.enum(['H0015', 'S9480']);

/*
 * Attendance publishes this when a patient's attendance at a session is recorded. It is in the catalogue before the
 * attendance service produces it so that its consumers (insurance counts authorised units from it) are built against
 * the contract, not against a guess. Ids only: no names, no notes.
 */
export const SessionAttended = defineEvent({
  type: 'attendance.session-attended',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.attendanceSessions.name,
  schema: z.object({
    attendanceId: Id,
    sessionId: Id,
    episodeId: Id,
    patientId: Id,
    siteId: Id,
    sessionKind: z.enum(['group', 'individual', 'family']),
    /** The day of the session in the site's own calendar (its IANA time zone). */
    serviceDate: z.iso.date(),
    minutesAttended: z.number().int().min(1).max(720),
    /** The code the episode's days are billed under; a day with any attended session counts one unit. */
    billingCode: PerDiemCode,
    occurredAt: z.iso.datetime({ offset: true }),
  }),
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description: 'A patient attended (part of) a scheduled session; one attended day is one per-diem unit against an authorisation.',
});
