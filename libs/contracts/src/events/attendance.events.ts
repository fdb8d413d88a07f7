import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';

/*
 * Attendance's events: ids, times, minutes and codes only. No names, no notes, no correction reasons (free text may
 * hold PHI), no program names. Keyed by patient so that one patient's records, corrections and billable days (and the
 * voids that undo them) reach consumers in order.
 */

/** The per-diem codes an IOP day is billed under: H0015 substance use (and co-occurring), S9480 psychiatric. */
export const PerDiemCode = z.enum(['H0015', 'S9480']);
/** UB-04 revenue codes for the per-diem: 0906 chemical dependency IOP, 0905 psychiatric IOP. */
export const PerDiemRevenueCode = z.enum(['0906', '0905']);

export const AttendanceStatus = z.enum(['attended', 'late', 'left-early', 'no-show', 'excused', 'cancelled-by-patient', 'cancelled-by-clinic']);
/** `scheduling`: a session or appointment scheduling cancelled, recorded as `cancelled-by-clinic` or `cancelled-by-patient`. */
export const AttendanceSource = z.enum(['staff', 'group', 'kiosk', 'telehealth', 'correction', 'scheduling']);
export const AttendedSessionKind = z.enum(['group', 'individual', 'family', 'psychiatric', 'medication', 'case-management']);

const Instant = z.iso.datetime({ offset: true });

const RecordFacts = z.object({
  recordId: Id,
  sessionId: Id,
  patientId: Id,
  episodeId: Id.nullable(),
  siteId: Id,
  programId: Id.nullable(),
  sessionKind: AttendedSessionKind,
  /** The session's day in the site's own calendar (its IANA time zone). */
  serviceDate: z.iso.date(),
  status: AttendanceStatus,
  scheduledMinutes: z.number().int().min(0).max(1440),
  attendedMinutes: z.number().int().min(0).max(1440),
  lateMinutes: z.number().int().min(0).max(1440),
  earlyMinutes: z.number().int().min(0).max(1440),
  /** 1 when first recorded; each correction adds one. Consumers keep the highest. */
  revision: z.number().int().min(1),
  source: AttendanceSource,
  occurredAt: Instant,
});

export const AttendanceRecorded = defineEvent({
  type: 'attendance.attendance-recorded',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.attendanceSessions.name,
  schema: RecordFacts,
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description:
    "A patient's attendance at a session was recorded (staff, whole group, kiosk or telehealth): status, attended, late and early minutes; revision 1, or higher when a check-out completes it.",
});

export const AttendanceCorrected = defineEvent({
  type: 'attendance.attendance-corrected',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.attendanceSessions.name,
  schema: RecordFacts.extend({ previousStatus: AttendanceStatus, previousAttendedMinutes: z.number().int().min(0).max(1440) }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: 'A recorded attendance was corrected (with a reason kept in attendance, never in the event): the whole new state with revision + 1.',
});

const DayFacts = z.object({
  billableDayId: Id,
  patientId: Id,
  episodeId: Id.nullable(),
  siteId: Id,
  programId: Id.nullable(),
  /** The day in the site's own calendar. */
  serviceDate: z.iso.date(),
  billingCode: PerDiemCode,
  revenueCode: PerDiemRevenueCode,
  /** Per-diem units: one per billable day. */
  units: z.number().int().min(1).max(1),
  /**
   * The day in the units of the patient's payer: 1 for a payer that counts days; for a payer that counts half days
   * (attendance's ATTENDANCE_PAYER_PER_DIEM), 1 for a half day and 2 for a full one. Absent in events from before it: 1.
   * A day re-recorded with other units (a half day that became a full one) carries a higher revision.
   */
  payerUnits: z
    .number()
    .int()
    .min(1)
    .max(2)
    .optional()
    .describe("The day in the payer's units: 1 a day (or a half day for a half-day payer), 2 a full day for a half-day payer; absent: 1"),
  attendedMinutes: z.number().int().min(0).max(1440),
  /** 1 the first time the day became billable; each later recount (void or re-record) adds one. Consumers keep the highest. */
  revision: z.number().int().min(1),
  occurredAt: Instant,
});

export const BillableDayRecorded = defineEvent({
  type: 'attendance.billable-day-recorded',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.attendanceSessions.name,
  schema: DayFacts,
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description:
    "A patient's attended minutes on a day reached the program's per-diem minimum (default 3 h): one billable day under H0015 or S9480, one unit against an authorisation.",
});

export const BillableDayVoided = defineEvent({
  type: 'attendance.billable-day-voided',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.attendanceSessions.name,
  schema: DayFacts,
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description:
    'A correction took a billable day below the per-diem minimum: the day is no longer billed as a per-diem (its unit is given back); discrete service lines replace it.',
});

export const WeeklyHoursAtRisk = defineEvent({
  type: 'attendance.weekly-hours-at-risk',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.attendanceSessions.name,
  schema: z.object({
    patientId: Id,
    episodeId: Id.nullable(),
    siteId: Id,
    /** ISO week in the site's calendar, e.g. 2026-W11, and its Monday. */
    isoWeek: z.string().regex(/^\d{4}-W\d{2}$/),
    weekStart: z.iso.date(),
    weeklyMinimumMinutes: z.number().int().min(0),
    attendedMinutes: z.number().int().min(0),
    remainingScheduledMinutes: z.number().int().min(0),
    /** A group session that week, in another track of the site, with a free seat (null when there is none). */
    suggestedSessionId: Id.nullable(),
    occurredAt: Instant,
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: "Mid-week, the patient's remaining scheduled sessions cannot reach the plan's weekly minimum; raised once per patient-week.",
});

export const OutreachNeeded = defineEvent({
  type: 'attendance.outreach-needed',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.attendanceSessions.name,
  schema: z.object({
    outreachId: Id,
    patientId: Id,
    episodeId: Id.nullable(),
    siteId: Id,
    missedSessionIds: z.array(Id).min(2),
    occurredAt: Instant,
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: "Two consecutive no-shows: someone at the site should reach the patient. Also on the site's outreach work queue.",
});

/*
 * Group documentation: the leader's group note and each attendee's progress note are PHI and stay in attendance; these
 * events say only that a session's documentation is complete (locked) or overdue. Keyed by session.
 */

export const GroupSessionDocumented = defineEvent({
  type: 'attendance.group-session-documented',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.attendanceDocumentation.name,
  schema: z.object({
    sessionId: Id,
    siteId: Id,
    noteId: Id,
    /** Attendees (attended, late, left early), each with a progress note in the locked record. */
    attendees: z.number().int().min(0),
    signedAt: Instant,
    /** Null when the writer needed no co-signature. */
    coSignedAt: Instant.nullable(),
    lockedAt: Instant,
    occurredAt: Instant,
  }),
  key: (p) => p.sessionId,
  site: (p) => p.siteId,
  description:
    "A group session's documentation was locked: the group note and every attendee's progress note signed (and co-signed when the writer needs it). From now on only addenda add to it.",
});

export const GroupSessionUndocumented = defineEvent({
  type: 'attendance.group-session-undocumented',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.attendanceDocumentation.name,
  schema: z.object({
    sessionId: Id,
    siteId: Id,
    endedAt: Instant,
    attendees: z.number().int().min(1),
    /** How far the documentation got: no note yet, a draft, or signed and awaiting a co-signature or the lock. */
    noteStatus: z.enum(['none', 'draft', 'signed', 'co-signed']),
    occurredAt: Instant,
  }),
  key: (p) => p.sessionId,
  site: (p) => p.siteId,
  description:
    "A group session with attendees is still not documented (its notes not locked) 24 hours after it ended; raised once per session. Also on the site's undocumented-sessions work queue.",
});
