import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { SeatsBooked, SeatsReleased } from '@iop/contracts';
import type { Outbox } from '@iop/messaging';
import { DomainError } from '@iop/platform';
import { holdCommitments, type Commitment } from '../infrastructure/commitments';
import { sessionsWithinBudget, weekOf, type GroupSession } from '../domain/treatment-plan';
import { returned } from './enrolment-store';

export interface SessionRow extends GroupSession {
  readonly sessionId: string;
  readonly siteId: string;
  readonly trackId: string;
  readonly localDate: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly minutes: number;
  readonly capacity: number;
  readonly bookedSeats: number;
}

const SESSION_COLUMNS = `s.session_id AS "sessionId", s.site_id AS "siteId", s.track_id AS "trackId", to_char(s.local_date, 'YYYY-MM-DD') AS "localDate",
  s.starts_at AS "startsAt", s.ends_at AS "endsAt", (extract(epoch FROM s.ends_at - s.starts_at) / 60)::int AS minutes, s.capacity,
  s.booked_seats AS "bookedSeats"`;

/** A track's scheduled sessions on or after a local date that have not started yet, in time order. */
export async function trackSessionsFrom(manager: EntityManager, trackId: string, fromDate: string, now = new Date()): Promise<SessionRow[]> {
  return (await manager.query(
    `SELECT ${SESSION_COLUMNS} FROM scheduling.sessions s
      WHERE s.track_id = $1 AND s.local_date >= $2 AND s.starts_at > $3 AND s.status = 'scheduled' ORDER BY s.starts_at, s.position`,
    [trackId, fromDate, now],
  )) as SessionRow[];
}

/** Sessions the enrolment holds a seat in, on or after a local date, not started yet. */
export async function bookedSessionsFrom(manager: EntityManager, enrolmentId: string, fromDate: string, now = new Date()): Promise<SessionRow[]> {
  return (await manager.query(
    `SELECT ${SESSION_COLUMNS} FROM scheduling.seat_bookings b JOIN scheduling.sessions s ON s.session_id = b.session_id
      WHERE b.enrolment_id = $1 AND b.status = 'booked' AND s.local_date >= $2 AND s.starts_at > $3 ORDER BY s.starts_at`,
    [enrolmentId, fromDate, now],
  )) as SessionRow[];
}

export interface Seating {
  readonly enrolmentId: string;
  readonly patientId: string;
  readonly siteId: string;
}

function patientCommitments(who: Seating, sessions: readonly SessionRow[]): Commitment[] {
  return sessions.map((s) => ({
    siteId: s.siteId,
    holderKind: 'patient',
    holderId: who.patientId,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    sourceKind: 'session',
    sourceId: s.sessionId,
  }));
}

async function lockSessions(manager: EntityManager, ids: readonly string[]) {
  return (await manager.query(
    `SELECT session_id AS "sessionId", capacity, booked_seats AS "bookedSeats", status, starts_at AS "startsAt"
       FROM scheduling.sessions WHERE session_id = ANY($1::uuid[]) ORDER BY session_id FOR UPDATE`,
    [ids],
  )) as Array<{ sessionId: string; capacity: number; bookedSeats: number; status: string; startsAt: Date }>;
}

async function takeSeats(manager: EntityManager, who: Seating, ids: readonly string[]): Promise<void> {
  await manager.query(`UPDATE scheduling.sessions SET booked_seats = booked_seats + 1, updated_at = now() WHERE session_id = ANY($1::uuid[])`, [ids]);
  await manager.query(
    `INSERT INTO scheduling.seat_bookings (session_id, patient_id, site_id, enrolment_id)
     SELECT unnest($1::uuid[]), $2, $3, $4
     ON CONFLICT (session_id, patient_id) DO UPDATE SET status = 'booked', released_at = NULL, booked_at = now(), enrolment_id = EXCLUDED.enrolment_id`,
    [ids, who.patientId, who.siteId, who.enrolmentId],
  );
}

/**
 * A seat in every one of these sessions, or none: a full (or cancelled) session or a clash with anything else the
 * patient holds, anywhere in the network, refuses the whole booking with 409. Session rows are locked in id order,
 * so concurrent placements into one track queue instead of deadlocking, and `booked_seats <= capacity` holds.
 */
export async function bookAllSeats(manager: EntityManager, who: Seating, sessions: readonly SessionRow[], timeZone: string): Promise<string[]> {
  if (sessions.length === 0) return [];
  const ids = sessions.map((s) => s.sessionId);
  for (const row of await lockSessions(manager, ids)) {
    if (row.status !== 'scheduled' || row.bookedSeats >= row.capacity) {
      const when = DateTime.fromJSDate(row.startsAt).setZone(timeZone).toFormat('ccc yyyy-LL-dd HH:mm');
      throw new DomainError('session.full', `the group session ${row.sessionId} on ${when} (${timeZone}) has no free seat: nothing was booked`, 409, {
        sessionId: row.sessionId,
      });
    }
  }
  await holdCommitments(manager, patientCommitments(who, sessions), timeZone);
  await takeSeats(manager, who, ids);
  return ids;
}

/** As many of these seats as can be had: a full session or a clash skips that session only. Returns the ids booked. */
export async function bookSeatsThatFit(manager: EntityManager, who: Seating, sessions: readonly SessionRow[], timeZone: string): Promise<string[]> {
  const booked: string[] = [];
  for (const s of sessions) {
    const [row] = await lockSessions(manager, [s.sessionId]);
    if (!row || row.status !== 'scheduled' || row.bookedSeats >= row.capacity) continue;
    try {
      await holdCommitments(manager, patientCommitments(who, [s]), timeZone);
    } catch (error) {
      if (error instanceof DomainError && error.status === 409) continue;
      throw error;
    }
    await takeSeats(manager, who, [s.sessionId]);
    booked.push(s.sessionId);
  }
  return booked;
}

/** Releases the enrolment's seats in these sessions (or all its seats in sessions not started by `from`); returns the session ids released. */
export async function releaseSeats(manager: EntityManager, enrolmentId: string, which: { sessionIds: readonly string[] } | { from: Date }): Promise<string[]> {
  const rows = returned<{ sessionId: string; patientId: string }>(
    await manager.query(
      `UPDATE scheduling.seat_bookings b SET status = 'released', released_at = now()
       FROM scheduling.sessions s
      WHERE s.session_id = b.session_id AND b.enrolment_id = $1 AND b.status = 'booked'
        AND (($2::uuid[] IS NOT NULL AND b.session_id = ANY($2::uuid[])) OR ($2::uuid[] IS NULL AND s.starts_at >= $3))
      RETURNING b.session_id AS "sessionId", b.patient_id AS "patientId"`,
      [enrolmentId, 'sessionIds' in which ? which.sessionIds : null, 'from' in which ? which.from : null],
    ),
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.sessionId);
  await manager.query(
    `UPDATE scheduling.sessions SET booked_seats = booked_seats - 1, updated_at = now() WHERE session_id IN (SELECT unnest($1::uuid[]) ORDER BY 1)`,
    [ids],
  );
  await manager.query(
    `DELETE FROM scheduling.commitments WHERE holder_kind = 'patient' AND holder_id = $1 AND source_kind = 'session' AND source_id = ANY($2::uuid[])`,
    [rows[0]!.patientId, ids],
  );
  return ids;
}

export interface SeatEventContext {
  readonly outbox: Outbox;
  readonly correlationId?: string;
}

export async function announceSeats(
  manager: EntityManager,
  ctx: SeatEventContext,
  kind: 'booked' | 'released',
  who: Seating & { episodeId: string },
  sessionIds: readonly string[],
): Promise<void> {
  if (sessionIds.length === 0) return;
  const payload = {
    patientId: who.patientId,
    enrolmentId: who.enrolmentId,
    episodeId: who.episodeId,
    siteId: who.siteId,
    sessionIds: [...sessionIds],
    occurredAt: new Date().toISOString(),
  };
  await ctx.outbox.add(manager, kind === 'booked' ? SeatsBooked : SeatsReleased, payload, { correlationId: ctx.correlationId });
}

/**
 * For the materialiser: when new occurrences of tracks are materialised, every patient placed in the track (from a
 * date on or before the occurrence) gets a seat in them, within their plan's weekly group minutes. A full session or
 * a clash with the patient's other commitments skips that session for that patient (never fails the materialisation).
 * Call it inside the transaction that inserted the sessions; it adds `scheduling.seats-booked` events to the outbox.
 * Returns the seats booked, per enrolment.
 */
export async function bookPlacedPatientsInto(
  manager: EntityManager,
  sessionIds: readonly string[],
  outbox: Outbox,
  correlationId?: string,
): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (sessionIds.length === 0) return result;
  const candidates = (await manager.query(
    `SELECT ${SESSION_COLUMNS}, e.enrolment_id AS "enrolmentId", e.patient_id AS "patientId", e.episode_id AS "episodeId",
            p.weekly_group_minutes AS "weeklyGroupMinutes", site.time_zone AS "timeZone"
       FROM scheduling.sessions s
       JOIN scheduling.enrolments e ON e.track_id = s.track_id AND e.status = 'placed' AND e.placed_from <= s.local_date
       JOIN scheduling.treatment_plans p ON p.enrolment_id = e.enrolment_id
       JOIN scheduling.sites site ON site.site_id = s.site_id
      WHERE s.session_id = ANY($1::uuid[]) AND s.status = 'scheduled' AND s.starts_at > now()
        AND NOT EXISTS (SELECT 1 FROM scheduling.seat_bookings b WHERE b.session_id = s.session_id AND b.patient_id = e.patient_id AND b.status = 'booked')
      ORDER BY e.enrolment_id, s.starts_at`,
    [sessionIds],
  )) as Array<SessionRow & { enrolmentId: string; patientId: string; episodeId: string; weeklyGroupMinutes: number; timeZone: string }>;
  const byEnrolment = new Map<string, typeof candidates>();
  for (const c of candidates) byEnrolment.set(c.enrolmentId, [...(byEnrolment.get(c.enrolmentId) ?? []), c]);
  for (const [enrolmentId, rows] of byEnrolment) {
    const first = rows[0]!;
    const who = { enrolmentId, patientId: first.patientId, siteId: first.siteId, episodeId: first.episodeId };
    // What the patient already holds in those weeks counts against the plan's weekly minutes.
    const weeks = [...new Set(rows.map((r) => weekOf(r.localDate)))].sort();
    const held = (await bookedSessionsFrom(manager, enrolmentId, weeks[0]!, new Date(0))).filter((s) => weeks.includes(weekOf(s.localDate)));
    const fitting = sessionsWithinBudget([...held, ...rows], first.weeklyGroupMinutes).filter((s) => rows.some((r) => r.sessionId === s.sessionId));
    const booked = await bookSeatsThatFit(manager, who, fitting, first.timeZone);
    await announceSeats(manager, { outbox, correlationId }, 'booked', who, booked);
    if (booked.length > 0) result.set(enrolmentId, booked);
  }
  return result;
}
