import { z } from 'zod';
import { Id, Instant, ServiceDate, SiteWeekComputed } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';
import { ABSENCE_STATUSES, ATTENDANCE_STATUSES, RECORD_SOURCES } from '../domain/attendance-record';

export const Status = z.enum(ATTENDANCE_STATUSES);

export const CheckInBody = z.strictObject({
  patientId: Id,
  at: Instant.optional().describe('When the patient arrived (default: now); within an hour of the session'),
});
export type CheckInBody = z.infer<typeof CheckInBody>;

export const CheckOutBody = z.strictObject({
  patientId: Id,
  at: Instant.optional().describe('When the patient left (default: now); not before their check-in'),
});
export type CheckOutBody = z.infer<typeof CheckOutBody>;

export const GroupAttendanceBody = z.strictObject({
  allPresent: z.boolean().describe('true: everyone booked and not named below was there for the whole session; false: they were no-shows'),
  exceptions: z
    .array(
      z.strictObject({
        patientId: Id,
        status: Status,
        at: Instant.optional().describe('For late: when they arrived; for left-early: when they left'),
      }),
    )
    .max(500)
    .default([])
    .refine((list) => new Set(list.map((e) => e.patientId)).size === list.length, { message: 'name each patient once' }),
});
export type GroupAttendanceBody = z.infer<typeof GroupAttendanceBody>;

export const KioskCheckInBody = z.strictObject({
  siteId: Id,
  sessionCode: z.string().regex(/^\d{6}$/, 'the 6-digit code shown on the room screen'),
  patientId: Id,
});
export type KioskCheckInBody = z.infer<typeof KioskCheckInBody>;

export const CorrectionBody = z
  .strictObject({
    status: Status.optional(),
    checkInAt: Instant.optional(),
    checkOutAt: Instant.optional(),
    reason: z.string().trim().min(1, 'say why the record is corrected').max(500),
  })
  .refine((b) => b.status !== undefined || b.checkInAt !== undefined || b.checkOutAt !== undefined, {
    message: 'name a status, checkInAt or checkOutAt to correct',
  });
export type CorrectionBody = z.infer<typeof CorrectionBody>;

export const TelehealthEventBody = z.strictObject({
  eventId: z.string().min(1).max(200),
  type: z.enum(['participant.joined', 'participant.left']),
  sessionId: Id,
  patientId: Id,
  occurredAt: Instant,
});
export type TelehealthEventBody = z.infer<typeof TelehealthEventBody>;

export const DayQuery = z.strictObject({ date: ServiceDate.describe("A local date in the site's zone") });
export type DayQuery = z.infer<typeof DayQuery>;

const Range = {
  from: ServiceDate.describe("First local date (site's zone)"),
  to: ServiceDate.describe('Last local date, inclusive'),
};
const rangeRules = <S extends z.ZodType<{ from: string; to: string }>>(schema: S) =>
  schema
    .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] })
    .refine((q) => new Date(q.to).getTime() - new Date(q.from).getTime() <= 366 * 86_400_000, { message: 'at most a year at a time', path: ['to'] });

export const PatientHoursQuery = rangeRules(z.strictObject({ ...Range, siteId: Id }));
export type PatientHoursQuery = z.infer<typeof PatientHoursQuery>;

export const ChargesQuery = rangeRules(z.strictObject({ ...Range, format: z.enum(['json', 'csv']).default('json') }));
export type ChargesQuery = z.infer<typeof ChargesQuery>;

export const SiteWeeksQuery = rangeRules(z.strictObject(Range));
export type SiteWeeksQuery = z.infer<typeof SiteWeeksQuery>;

export const SiteWeeksView = z.object({
  siteId: ResponseId,
  from: ResponseDate,
  to: ResponseDate,
  weeks: z
    .array(SiteWeekComputed.schema)
    .describe(
      'The ISO weeks (Monday in from..to) with records, oldest first, exactly as analytics.site-week publishes them: counts from 1 to 10 suppressed, and every rate computed from one',
    ),
});

export const RecordView = z.object({
  recordId: ResponseId,
  sessionId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  serviceDate: ResponseDate,
  status: Status,
  checkInAt: ResponseInstant.nullable(),
  checkOutAt: ResponseInstant.nullable(),
  scheduledMinutes: z.number().int(),
  attendedMinutes: z.number().int(),
  lateMinutes: z.number().int(),
  earlyMinutes: z.number().int(),
  revision: z.number().int().describe('1 when recorded; + 1 per correction'),
  source: z.enum(RECORD_SOURCES),
});

export const GroupAttendanceView = z.object({
  sessionId: ResponseId,
  recorded: z.array(RecordView),
  unchanged: z.array(ResponseId).describe('Patients already recorded (kiosk, telehealth, staff), left as they were'),
});

const SessionSummary = z.object({
  sessionId: ResponseId,
  siteId: ResponseId,
  source: z.enum(['group-session', 'appointment']),
  kind: z.string(),
  programId: ResponseId.nullable(),
  trackId: ResponseId.nullable(),
  startsAt: ResponseInstant,
  endsAt: ResponseInstant,
  localDate: ResponseDate,
  delivery: z.string(),
  capacity: z.number().int(),
  status: z.enum(['scheduled', 'cancelled']),
});

export const RosterView = z.object({
  session: SessionSummary,
  entries: z.array(z.object({ patientId: ResponseId, enrolmentId: ResponseId, record: RecordView.nullable() })),
});

export const DaySessionsView = z.object({
  siteId: ResponseId,
  date: ResponseDate,
  timeZone: z.string(),
  sessions: z.array(SessionSummary.extend({ booked: z.number().int(), recorded: z.number().int() })),
});

export const KioskCodeView = z.object({ sessionId: ResponseId, code: z.string(), opensAt: ResponseInstant, closesAt: ResponseInstant });

export const PatientHoursView = z.object({
  patientId: ResponseId,
  siteId: ResponseId,
  timeZone: z.string(),
  from: ResponseDate,
  to: ResponseDate,
  weeklyMinimumMinutes: z.number().int().nullable().describe("The treatment plan's weekly group minutes (or the program's minimum)"),
  sessions: z.array(
    z.object({
      sessionId: ResponseId,
      kind: z.string(),
      serviceDate: ResponseDate,
      startsAt: ResponseInstant,
      endsAt: ResponseInstant,
      scheduledMinutes: z.number().int(),
      attendedMinutes: z.number().int(),
      status: Status.nullable(),
      recordId: ResponseId.nullable(),
      revision: z.number().int().nullable(),
    }),
  ),
  days: z.array(z.object({ date: ResponseDate, scheduledMinutes: z.number().int(), attendedMinutes: z.number().int() })),
  weeks: z.array(
    z.object({
      isoWeek: z.string(),
      weekStart: ResponseDate,
      scheduledMinutes: z.number().int(),
      attendedMinutes: z.number().int(),
      weeklyMinimumMinutes: z.number().int().nullable(),
      minimumMet: z.boolean().nullable(),
    }),
  ),
});

export const ChargeView = z.object({
  chargeId: ResponseId,
  patientId: ResponseId,
  episodeId: ResponseId.nullable(),
  serviceDate: ResponseDate,
  kind: z.enum(['per-diem', 'discrete']),
  code: z.string().describe('H0015/S9480 per diem, or a CPT code (90853, 90832, 90834, 90837, 90847)'),
  revenueCode: z.string().nullable().describe('0906/0905 for a per diem'),
  units: z.number().int(),
  minutes: z.number().int(),
  sessionId: ResponseId.nullable(),
});
export const ChargesView = z.union([
  z.object({ siteId: ResponseId, from: ResponseDate, to: ResponseDate, charges: z.array(ChargeView) }),
  z.string().describe('format=csv: RFC 4180 CSV with a header row, served as text/csv'),
]);

export const OutreachView = z.object({
  siteId: ResponseId,
  items: z.array(
    z.object({
      outreachId: ResponseId,
      patientId: ResponseId,
      episodeId: ResponseId.nullable(),
      missedSessionIds: z.array(ResponseId),
      status: z.string(),
      raisedAt: ResponseInstant,
    }),
  ),
});

export const AbsenceStatus = z.enum(ABSENCE_STATUSES);

nameSchemas({ AttendanceRecord: RecordView, Roster: RosterView, PatientAttendance: PatientHoursView, Charge: ChargeView });
