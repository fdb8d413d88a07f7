import type { EntityManager } from 'typeorm';
import {
  recordFromRow,
  type AttendanceRecord,
  type AttendanceRecordInContext,
  type AttendanceRecordRow,
  type ProgramKind,
  type SessionDelivery,
  type SessionKind,
} from '../domain/attendance-record';

const RECORD_COLUMNS = `r.record_id, r.session_id, r.patient_id, r.site_id, r.enrolment_id, r.episode_id, r.program_id,
  r.service_date::text AS service_date, r.status, r.check_in_at, r.check_out_at, r.scheduled_minutes, r.attended_minutes,
  r.late_minutes, r.early_minutes, r.revision, r.source, r.recorded_at, r.updated_at`;

export async function findRecord(manager: EntityManager, recordId: string): Promise<AttendanceRecord | null> {
  const rows = (await manager.query(`SELECT ${RECORD_COLUMNS} FROM attendance.attendance_records r WHERE r.record_id = $1`, [
    recordId,
  ])) as AttendanceRecordRow[];
  return rows[0] ? recordFromRow(rows[0]) : null;
}

export async function findRecordForSeat(manager: EntityManager, sessionId: string, patientId: string): Promise<AttendanceRecord | null> {
  const rows = (await manager.query(`SELECT ${RECORD_COLUMNS} FROM attendance.attendance_records r WHERE r.session_id = $1 AND r.patient_id = $2`, [
    sessionId,
    patientId,
  ])) as AttendanceRecordRow[];
  return rows[0] ? recordFromRow(rows[0]) : null;
}

export type ContextRow = AttendanceRecordRow & {
  kind: SessionKind;
  delivery: SessionDelivery;
  modality: string | null;
  starts_at: Date;
  ends_at: Date;
  program_kind: ProgramKind | null;
  level_of_care: string | null;
  per_diem_minimum_minutes: number | null;
  time_zone: string | null;
};

export const CONTEXT_SQL = `SELECT ${RECORD_COLUMNS}, s.kind, s.delivery, s.modality, s.starts_at, s.ends_at,
    p.kind AS program_kind, p.level_of_care, p.per_diem_minimum_minutes, d.time_zone
  FROM attendance.attendance_records r
  JOIN attendance.sessions s ON s.session_id = r.session_id
  LEFT JOIN attendance.programs p ON p.program_id = coalesce(r.program_id, s.program_id)
  LEFT JOIN attendance.site_directory d ON d.site_id = r.site_id`;

export function inContext(r: ContextRow): AttendanceRecordInContext {
  return {
    ...recordFromRow(r),
    session: { kind: r.kind, delivery: r.delivery, modality: r.modality, startsAt: r.starts_at.toISOString(), endsAt: r.ends_at.toISOString() },
    program:
      r.program_kind && r.level_of_care !== null
        ? { kind: r.program_kind, levelOfCare: r.level_of_care, perDiemMinimumMinutes: r.per_diem_minimum_minutes ?? 180 }
        : null,
    timeZone: r.time_zone ?? 'UTC',
  };
}

/**
 * One record with its session, program and site zone: what the analysts' stream builds a fact from. Run it in a
 * transaction whose `app.site_ids` covers the record's site (event handlers and jobs run network-wide).
 */
export async function loadRecordInContext(manager: EntityManager, recordId: string): Promise<AttendanceRecordInContext | null> {
  const rows = (await manager.query(`${CONTEXT_SQL} WHERE r.record_id = $1`, [recordId])) as ContextRow[];
  return rows[0] ? inContext(rows[0]) : null;
}

/** Every record, oldest first, in pages (for a backfill): pass the last record id seen as `after`. */
export async function pageRecordsInContext(manager: EntityManager, after: string | null, limit = 500): Promise<AttendanceRecordInContext[]> {
  const rows = (await manager.query(`${CONTEXT_SQL} WHERE ($1::uuid IS NULL OR r.record_id > $1::uuid) ORDER BY r.record_id LIMIT $2`, [
    after,
    limit,
  ])) as ContextRow[];
  return rows.map(inContext);
}
