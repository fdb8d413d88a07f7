import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import type { Delivery } from './track-repository';

/** One materialised group session, as stored, with its track's program. */
export interface Session {
  readonly sessionId: string;
  readonly siteId: string;
  readonly trackId: string;
  readonly programId: string;
  readonly position: number;
  readonly seriesDate: string;
  readonly localDate: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly topic: string;
  readonly modality: string;
  readonly leaderId: string;
  readonly coLeaderId: string | null;
  readonly roomId: string;
  readonly capacity: number;
  readonly bookedSeats: number;
  readonly delivery: Delivery;
  readonly status: 'scheduled' | 'cancelled';
  readonly cancelReason: string | null;
  readonly revision: number;
}

interface SessionRow {
  session_id: string;
  site_id: string;
  track_id: string;
  program_id: string;
  position: number;
  series_date: string;
  local_date: string;
  starts_at: Date;
  ends_at: Date;
  topic: string;
  modality: string;
  leader_id: string;
  co_leader_id: string | null;
  room_id: string;
  capacity: number;
  booked_seats: number;
  delivery: Delivery;
  status: 'scheduled' | 'cancelled';
  cancel_reason: string | null;
  revision: number;
}

export const SESSION_COLUMNS = `s.session_id, s.site_id, s.track_id, t.program_id, s.position, s.series_date::text AS series_date, s.local_date::text AS local_date,
  s.starts_at, s.ends_at, s.topic, s.modality, s.leader_id, s.co_leader_id, s.room_id, s.capacity, s.booked_seats, s.delivery, s.status, s.cancel_reason, s.revision`;

export const toSession = (r: SessionRow): Session => ({
  sessionId: r.session_id,
  siteId: r.site_id,
  trackId: r.track_id,
  programId: r.program_id,
  position: r.position,
  seriesDate: r.series_date,
  localDate: r.local_date,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  topic: r.topic,
  modality: r.modality,
  leaderId: r.leader_id,
  coLeaderId: r.co_leader_id,
  roomId: r.room_id,
  capacity: r.capacity,
  bookedSeats: r.booked_seats,
  delivery: r.delivery,
  status: r.status,
  cancelReason: r.cancel_reason,
  revision: r.revision,
});

export const sessionRepository = {
  async find(manager: EntityManager, sessionId: string, lock = false): Promise<Session | null> {
    const [row] = (await manager.query(
      `SELECT ${SESSION_COLUMNS} FROM scheduling.sessions s JOIN scheduling.tracks t USING (track_id) WHERE s.session_id = $1 ${lock ? 'FOR UPDATE OF s' : ''}`,
      [sessionId],
    )) as SessionRow[];
    return row ? toSession(row) : null;
  },
  async where(manager: EntityManager, condition: string, params: unknown[], lock = false): Promise<Session[]> {
    const rows = (await manager.query(
      `SELECT ${SESSION_COLUMNS} FROM scheduling.sessions s JOIN scheduling.tracks t USING (track_id) WHERE ${condition}
        ORDER BY s.starts_at, s.session_id ${lock ? 'FOR UPDATE OF s' : ''}`,
      params,
    )) as SessionRow[];
    return rows.map(toSession);
  },
  /** A page of a site's sessions in [from, to), after the cursor, in (starts_at, session_id) order (index sessions_site_time). */
  async page(manager: EntityManager, siteId: string, from: Date, to: Date, after: { startsAt: string; sessionId: string } | null, limit: number) {
    const rows = (await manager.query(
      `SELECT ${SESSION_COLUMNS} FROM scheduling.sessions s JOIN scheduling.tracks t USING (track_id)
        WHERE s.site_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3
          AND ($4::timestamptz IS NULL OR (s.starts_at, s.session_id) > ($4::timestamptz, $5::uuid))
        ORDER BY s.starts_at, s.session_id LIMIT $6`,
      [siteId, from, to, after?.startsAt ?? null, after?.sessionId ?? null, limit],
    )) as SessionRow[];
    return rows.map(toSession);
  },
  async save(manager: EntityManager, s: Session): Promise<void> {
    await manager.query(
      `UPDATE scheduling.sessions SET local_date = $2, starts_at = $3, ends_at = $4, leader_id = $5, co_leader_id = $6, room_id = $7, capacity = $8,
              status = $9, cancel_reason = $10, revision = $11, updated_at = now()
        WHERE session_id = $1`,
      [s.sessionId, s.localDate, s.startsAt, s.endsAt, s.leaderId, s.coLeaderId, s.roomId, s.capacity, s.status, s.cancelReason, s.revision],
    );
  },
};

/** What every session event carries: the whole occurrence, ids and times only. */
export function sessionPayload(s: Session) {
  return {
    sessionId: s.sessionId,
    trackId: s.trackId,
    programId: s.programId,
    siteId: s.siteId,
    kind: 'group' as const,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    localDate: s.localDate,
    leaderId: s.leaderId,
    coLeaderId: s.coLeaderId,
    roomId: s.roomId,
    capacity: s.capacity,
    delivery: s.delivery,
    revision: s.revision,
    occurredAt: new Date().toISOString(),
  };
}

/** The session as the API shows it: instants and, next to them, the wall-clock times in the site's zone. */
export function sessionView(s: Session, timeZone: string) {
  const local = (d: Date) => DateTime.fromJSDate(d).setZone(timeZone).toFormat("yyyy-LL-dd'T'HH:mm");
  return {
    ...s,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    localStart: local(s.startsAt),
    localEnd: local(s.endsAt),
    timeZone,
  };
}

/** The local date of an instant in a zone. */
export function localDateOf(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at).setZone(timeZone).toISODate()!;
}

/** Today's date in a zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  return localDateOf(now, timeZone);
}
