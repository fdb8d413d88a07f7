/**
 * An attendance record: one patient at one session, as it stands now. `revision` is 1 when first recorded and goes up
 * by one with each correction; every revision is kept (attendance_record_versions). Ids, times and minutes only.
 * The analysts' stream builds its fact from this (see `toAttendanceFactInput`).
 */
export const ATTENDANCE_STATUSES = ['attended', 'late', 'left-early', 'no-show', 'excused', 'cancelled-by-patient', 'cancelled-by-clinic'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

/** Statuses a person can set by hand (staff, group exceptions, corrections); the others follow from the times. */
export const ABSENCE_STATUSES = ['no-show', 'excused', 'cancelled-by-patient', 'cancelled-by-clinic'] as const;
export type AbsenceStatus = (typeof ABSENCE_STATUSES)[number];

/** `scheduling`: a cancellation scheduling published (the clinic's or the patient's), recorded with nobody at attendance involved. */
export const RECORD_SOURCES = ['staff', 'group', 'kiosk', 'telehealth', 'correction', 'scheduling'] as const;
export type RecordSource = (typeof RECORD_SOURCES)[number];

export type SessionKind = 'group' | 'individual' | 'family' | 'psychiatric' | 'medication' | 'case-management';
export type ProgramKind = 'substance-use' | 'mental-health' | 'co-occurring';
export type SessionDelivery = 'in-person' | 'telehealth' | 'hybrid';

export interface AttendanceRecord {
  readonly recordId: string;
  readonly sessionId: string;
  readonly patientId: string;
  readonly siteId: string;
  readonly enrolmentId: string | null;
  readonly episodeId: string | null;
  readonly programId: string | null;
  /** The session's day in the site's own calendar (its IANA zone), YYYY-MM-DD. */
  readonly serviceDate: string;
  readonly status: AttendanceStatus;
  readonly checkInAt: string | null;
  readonly checkOutAt: string | null;
  readonly scheduledMinutes: number;
  readonly attendedMinutes: number;
  readonly lateMinutes: number;
  readonly earlyMinutes: number;
  readonly revision: number;
  readonly source: RecordSource;
  readonly recordedAt: string;
  readonly updatedAt: string;
}

/** The record with what the roster read model knows of its session and program: all a fact for analysts needs. */
export interface AttendanceRecordInContext extends AttendanceRecord {
  readonly session: {
    readonly kind: SessionKind;
    readonly delivery: SessionDelivery;
    readonly modality: string | null;
    readonly startsAt: string;
    readonly endsAt: string;
  };
  readonly program: { readonly kind: ProgramKind; readonly levelOfCare: string; readonly perDiemMinimumMinutes: number } | null;
  /** The site's IANA time zone (from the site directory). */
  readonly timeZone: string;
}

/** A row of attendance.attendance_records as `SELECT *` returns it. */
export interface AttendanceRecordRow {
  record_id: string;
  session_id: string;
  patient_id: string;
  site_id: string;
  enrolment_id: string | null;
  episode_id: string | null;
  program_id: string | null;
  service_date: string | Date;
  status: AttendanceStatus;
  check_in_at: Date | string | null;
  check_out_at: Date | string | null;
  scheduled_minutes: number;
  attended_minutes: number;
  late_minutes: number;
  early_minutes: number;
  revision: number;
  source: RecordSource;
  recorded_at: Date | string;
  updated_at: Date | string;
}

const iso = (v: Date | string): string => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());
const day = (v: Date | string): string => (typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10));

export function recordFromRow(r: AttendanceRecordRow): AttendanceRecord {
  return {
    recordId: r.record_id,
    sessionId: r.session_id,
    patientId: r.patient_id,
    siteId: r.site_id,
    enrolmentId: r.enrolment_id,
    episodeId: r.episode_id,
    programId: r.program_id,
    serviceDate: day(r.service_date),
    status: r.status,
    checkInAt: r.check_in_at ? iso(r.check_in_at) : null,
    checkOutAt: r.check_out_at ? iso(r.check_out_at) : null,
    scheduledMinutes: r.scheduled_minutes,
    attendedMinutes: r.attended_minutes,
    lateMinutes: r.late_minutes,
    earlyMinutes: r.early_minutes,
    revision: r.revision,
    source: r.source,
    recordedAt: iso(r.recorded_at),
    updatedAt: iso(r.updated_at),
  };
}
