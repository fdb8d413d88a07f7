import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';
import { LevelOfCare, ProgramKind, SessionDelivery } from './scheduling.events';

/*
 * The analysts' stream (docs/analytics/README.md). These events leave the platform: an analyst, a research partner or a
 * data warehouse reads them under a data-use agreement. So every schema is strict: a field that is not listed here (a name,
 * a birth date, a member id, a note, a clinician) makes the producer's outbox refuse the event, rather than leak it.
 * Patients appear only as a pseudonymous key (HMAC-SHA256 of the patient id under a network secret), never as an id.
 */

/** `pk_` and 64 lower-case hex digits: HMAC-SHA256 of the patient id under the key named by `keyId`. */
export const PatientKey = z
  .string()
  .regex(/^pk_[0-9a-f]{64}$/, 'must be "pk_" and 64 hex digits')
  .describe('Pseudonymous patient key: HMAC-SHA256 of the platform patient id under the network secret named by keyId. Stable while the key is.');
/** Which pseudonymisation key made `patientKey`; a rotation starts a new key id (see docs/analytics/README.md). */
export const PseudonymKeyId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/)
  .describe('Id of the pseudonymisation key; keys from different key ids never match for the same patient.');
/** ISO 8601 week of the site-local service date, e.g. `2026-W09` (weeks start on Monday). */
export const IsoWeek = z
  .string()
  .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'must be an ISO week such as 2026-W09')
  .describe('ISO 8601 week (Monday to Sunday) of the site-local date, e.g. 2026-W09');

export const AnalyticsAttendanceStatus = z.enum([
  'attended',
  'late',
  'left-early',
  'no-show',
  'excused-absence',
  'cancelled-by-patient',
  'cancelled-by-clinic',
]);
export type AnalyticsAttendanceStatus = z.infer<typeof AnalyticsAttendanceStatus>;
export const ANALYTICS_ATTENDANCE_STATUSES = AnalyticsAttendanceStatus.options;

export const AnalyticsSessionKind = z
  .enum(['group', 'individual', 'family', 'psychiatric', 'medication', 'case-management'])
  .describe('group therapy, individual or family therapy, psychiatric evaluation, medication management, case management');

const Minutes = z.number().int().min(0).max(1440);
const LocalDate = z.iso.date().describe("YYYY-MM-DD in the site's own time zone");

const AttendanceFact = z
  .object({
    factId: Id.describe('Stable id of this patient-session fact; every revision and every replay carries the same one. Not a platform record id.'),
    revision: z.number().int().min(1).describe('1 when first recorded; each correction re-publishes the fact with revision + 1. Keep the highest.'),
    patientKey: PatientKey,
    keyId: PseudonymKeyId,
    siteId: Id,
    programKind: ProgramKind.nullable().describe('null when attendance has not yet learnt the program'),
    levelOfCare: LevelOfCare.nullable().describe('ASAM level of care of the program: 1, 2.1 (IOP) or 2.5 (PHP); null when not known yet'),
    sessionKind: AnalyticsSessionKind,
    modality: SessionDelivery.describe('How the session was delivered: in person, telehealth or hybrid'),
    serviceDate: LocalDate,
    isoWeek: IsoWeek,
    scheduledMinutes: Minutes.describe("The session's scheduled length"),
    attendedMinutes: Minutes.describe('Minutes the patient was present (telehealth: merged join/leave intervals); 0 when absent'),
    lateMinutes: Minutes.describe('Minutes after the scheduled start the patient arrived; 0 when on time or absent'),
    earlyMinutes: Minutes.describe('Minutes before the scheduled end the patient left; 0 when stayed or absent'),
    status: AnalyticsAttendanceStatus,
    occurredAt: z.iso.datetime({ offset: true }).describe('When this revision was recorded'),
  })
  .strict();
export type AttendanceFactPayload = z.infer<typeof AttendanceFact>;

export const AttendanceFactRecorded = defineEvent({
  type: 'analytics.attendance-fact',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.analyticsAttendance.name,
  schema: AttendanceFact,
  key: (p) => p.factId,
  site: (p) => p.siteId,
  description:
    'One fact per patient per scheduled session: pseudonymous patient key, program and session kind, site-local date and ISO week, scheduled, attended, late and early minutes, status. A correction re-publishes the fact with revision + 1: upsert by factId keeping the highest revision. Limited data set.',
});

const StatusCounts = z
  .object(Object.fromEntries(ANALYTICS_ATTENDANCE_STATUSES.map((s) => [s, z.number().int().min(0)])) as Record<AnalyticsAttendanceStatus, z.ZodNumber>)
  .strict()
  .describe('Number of sessions in the week with each status');

const AttendanceWeek = z
  .object({
    patientKey: PatientKey,
    keyId: PseudonymKeyId,
    isoWeek: IsoWeek,
    weekStart: LocalDate.describe("Monday of the ISO week, in the site's time zone"),
    siteId: Id.describe('The site of the latest session of the week'),
    scheduledMinutes: z.number().int().min(0),
    attendedMinutes: z.number().int().min(0),
    sessions: z.number().int().min(0).describe('Scheduled sessions in the week, whatever their status'),
    billableDays: z.number().int().min(0).max(7).describe("Days reaching the program's per-diem minimum of attended minutes"),
    statusCounts: StatusCounts,
    planMinimumMinutes: z.number().int().min(0).nullable().describe("The treatment plan's (else the program's) weekly minimum; null when unknown"),
    planMinimumMet: z.boolean().nullable().describe('attendedMinutes >= planMinimumMinutes; null when there is no minimum'),
    revision: z.number().int().min(1).describe('Grows each time the row is recomputed; keep the highest'),
    occurredAt: z.iso.datetime({ offset: true }),
  })
  .strict();
export type AttendanceWeekPayload = z.infer<typeof AttendanceWeek>;

export const AttendanceWeekComputed = defineEvent({
  type: 'analytics.attendance-weekly',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.analyticsAttendanceWeekly.name,
  schema: AttendanceWeek,
  key: (p) => `${p.patientKey}:${p.isoWeek}`,
  site: (p) => p.siteId,
  description:
    "A patient's week, recomputed whenever one of its facts changes: hours scheduled and attended, billable days, status counts, whether the plan's weekly minimum was met. The latest row per key is the truth (compacted topic). Limited data set.",
});

/** A count or rate that may be withheld: `value` is null exactly when `suppressed` is true. */
export const SuppressibleCell = z
  .object({ value: z.number().min(0).nullable(), suppressed: z.boolean() })
  .strict()
  .refine((c) => (c.value === null) === c.suppressed, { message: 'value must be null exactly when suppressed' })
  .describe('Counts from 1 to 10 are suppressed (value null, suppressed true), and so is every rate computed from a suppressed count');

const SiteWeek = z
  .object({
    siteId: Id,
    isoWeek: IsoWeek,
    weekStart: LocalDate.describe("Monday of the ISO week, in the site's time zone"),
    census: SuppressibleCell.describe('Patients with at least one scheduled session in the week'),
    sessionsScheduled: SuppressibleCell.describe('Patient-sessions scheduled (one per patient per session)'),
    sessionsAttended: SuppressibleCell.describe('Patient-sessions attended (attended, late or left early)'),
    noShows: SuppressibleCell.describe('Patient-sessions with status no-show'),
    attendanceRate: SuppressibleCell.describe('sessionsAttended / sessionsScheduled, 0..1, 4 decimals'),
    noShowRate: SuppressibleCell.describe('noShows / sessionsScheduled, 0..1, 4 decimals'),
    hoursPerPatient: SuppressibleCell.describe('Attended hours / census, 2 decimals'),
    revision: z.number().int().min(1).describe('Grows each time the row is recomputed; keep the highest'),
    occurredAt: z.iso.datetime({ offset: true }),
  })
  .strict();
export type SiteWeekPayload = z.infer<typeof SiteWeek>;

export const SiteWeekComputed = defineEvent({
  type: 'analytics.site-week',
  version: 1,
  producer: 'attendance',
  topic: TOPICS.analyticsSiteWeek.name,
  schema: SiteWeek,
  key: (p) => `${p.siteId}:${p.isoWeek}`,
  site: (p) => p.siteId,
  description:
    "A site's week in aggregate: census, attendance and no-show rates, attended hours per patient, with counts under 11 suppressed. No patient keys. De-identified.",
});
