import type { EntityManager } from 'typeorm';
import type { SessionDelivery, SessionKind } from '../domain/attendance-record';
import { notOnRoster, patientDischarged, sessionCancelled, sessionNotFound } from './attendance-errors';
import { dischargedOn } from './discharges';

export interface SessionRow {
  session_id: string;
  site_id: string;
  source: 'group-session' | 'appointment';
  kind: SessionKind;
  program_id: string | null;
  track_id: string | null;
  starts_at: Date;
  ends_at: Date;
  local_date: string;
  delivery: SessionDelivery;
  capacity: number;
  status: 'scheduled' | 'cancelled';
  kiosk_code: string;
}

export interface SeatContext {
  readonly session: SessionRow;
  readonly patientId: string;
  readonly enrolmentId: string | null;
  readonly episodeId: string | null;
  readonly programId: string | null;
}

const SESSION_COLUMNS = `session_id, site_id, source, kind, program_id, track_id, starts_at, ends_at, local_date::text AS local_date, delivery, capacity, status, kiosk_code`;

/** The session (404 when the caller's sites do not include it: row-level security hides another site's), locked for the write. */
export async function loadSession(manager: EntityManager, sessionId: string, lock = false): Promise<SessionRow> {
  const rows = (await manager.query(`SELECT ${SESSION_COLUMNS} FROM attendance.sessions WHERE session_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
    sessionId,
  ])) as SessionRow[];
  if (!rows[0]) throw sessionNotFound(sessionId);
  return rows[0];
}

export async function findSessionsByKioskCode(manager: EntityManager, siteId: string, code: string): Promise<SessionRow[]> {
  return (await manager.query(`SELECT ${SESSION_COLUMNS} FROM attendance.sessions WHERE site_id = $1 AND kiosk_code = $2 AND status = 'scheduled'`, [
    siteId,
    code,
  ])) as SessionRow[];
}

/**
 * The patient's booked seat in a scheduled session, with their enrolment's episode and program; 4xx otherwise. A seat
 * (booked or already released) of an episode discharged before the session's day is a 409: the episode has ended.
 */
export async function loadSeat(manager: EntityManager, sessionId: string, patientId: string): Promise<SeatContext> {
  const session = await loadSession(manager, sessionId, true);
  if (session.status === 'cancelled') throw sessionCancelled(sessionId);
  const seats = (await manager.query(
    `SELECT s.enrolment_id, coalesce(s.episode_id, e.episode_id) AS episode_id, e.program_id, s.state
       FROM attendance.seats s LEFT JOIN attendance.enrolments e ON e.enrolment_id = s.enrolment_id
      WHERE s.session_id = $1 AND s.patient_id = $2 AND s.site_id = $3`,
    [sessionId, patientId, session.site_id],
  )) as { enrolment_id: string; episode_id: string | null; program_id: string | null; state: 'booked' | 'released' }[];
  const held = seats[0];
  const discharged = await dischargedOn(manager, held?.episode_id ?? null);
  if (discharged !== null && session.local_date > discharged) throw patientDischarged(patientId, discharged, session.local_date);
  const seat = held?.state === 'booked' ? held : undefined;
  if (!seat) throw notOnRoster(sessionId, patientId);
  return { session, patientId, enrolmentId: seat.enrolment_id, episodeId: seat.episode_id, programId: session.program_id ?? seat.program_id };
}

/** Booked patients of a session. */
export async function bookedPatients(manager: EntityManager, sessionId: string): Promise<string[]> {
  const rows = (await manager.query(`SELECT patient_id FROM attendance.seats WHERE session_id = $1 AND state = 'booked' ORDER BY patient_id`, [sessionId])) as {
    patient_id: string;
  }[];
  return rows.map((r) => r.patient_id);
}
