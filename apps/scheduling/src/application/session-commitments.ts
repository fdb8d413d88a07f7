import type { EntityManager } from 'typeorm';
import { holdCommitments, type Commitment } from '../infrastructure/commitments';
import { announceSeats, type SeatEventContext } from './seats';

interface Held {
  readonly sessionId: string;
  readonly siteId: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly leaderId: string;
  readonly coLeaderId: string | null;
  readonly roomId: string;
}

/** What a group session holds of its staff and room. */
export function staffCommitments(s: Held): Commitment[] {
  const base = { siteId: s.siteId, startsAt: s.startsAt, endsAt: s.endsAt, sourceKind: 'session' as const, sourceId: s.sessionId };
  return [
    { ...base, holderKind: 'clinician', holderId: s.leaderId },
    ...(s.coLeaderId ? [{ ...base, holderKind: 'clinician' as const, holderId: s.coLeaderId }] : []),
    { ...base, holderKind: 'room', holderId: s.roomId },
  ];
}

/** Releases what sessions hold of their staff and rooms (patients keep their seats). */
export async function releaseStaffCommitments(manager: EntityManager, sessionIds: readonly string[]): Promise<void> {
  await manager.query(
    `DELETE FROM scheduling.commitments WHERE source_kind = 'session' AND source_id = ANY($1::uuid[]) AND holder_kind IN ('clinician', 'room')`,
    [sessionIds],
  );
}

/**
 * Moves everything a session holds (staff, room and every booked patient) to its new time and holders: released and
 * held again in the caller's transaction, so a clash (409 naming it) leaves the session as it was.
 */
export async function reholdSession(manager: EntityManager, s: Held, timeZone: string): Promise<void> {
  await manager.query(`DELETE FROM scheduling.commitments WHERE source_kind = 'session' AND source_id = $1`, [s.sessionId]);
  const patients = (await manager.query(`SELECT patient_id FROM scheduling.seat_bookings WHERE session_id = $1 AND status = 'booked'`, [
    s.sessionId,
  ])) as Array<{
    patient_id: string;
  }>;
  const base = { siteId: s.siteId, startsAt: s.startsAt, endsAt: s.endsAt, sourceKind: 'session' as const, sourceId: s.sessionId };
  await holdCommitments(
    manager,
    [...staffCommitments(s), ...patients.map((p) => ({ ...base, holderKind: 'patient' as const, holderId: p.patient_id }))],
    timeZone,
  );
}

/** A seat a cancellation released: who held it, in which session. */
export interface ReleasedSeat {
  readonly sessionId: string;
  readonly patientId: string;
  readonly enrolmentId: string;
  readonly siteId: string;
  readonly episodeId: string;
}

/**
 * Cancels sessions' hold on everyone: staff, room, and patients, whose seats are released, each patient's with
 * `scheduling.seats-released` (their seats' history, on the patient's key, says why their week changed).
 */
export async function releaseEverything(manager: EntityManager, sessionIds: readonly string[], ctx: SeatEventContext): Promise<ReleasedSeat[]> {
  if (sessionIds.length === 0) return [];
  await manager.query(`DELETE FROM scheduling.commitments WHERE source_kind = 'session' AND source_id = ANY($1::uuid[])`, [sessionIds]);
  const released = (await manager.query(
    `WITH released AS (
       UPDATE scheduling.seat_bookings SET status = 'released', released_at = now()
        WHERE session_id = ANY($1::uuid[]) AND status = 'booked'
        RETURNING session_id, patient_id, enrolment_id, site_id)
     SELECT r.session_id AS "sessionId", r.patient_id AS "patientId", r.enrolment_id AS "enrolmentId", r.site_id AS "siteId", e.episode_id AS "episodeId"
       FROM released r JOIN scheduling.enrolments e USING (enrolment_id)
      ORDER BY r.enrolment_id, r.session_id`,
    [sessionIds],
  )) as ReleasedSeat[];
  const byEnrolment = new Map<string, typeof released>();
  for (const r of released) byEnrolment.set(r.enrolmentId, [...(byEnrolment.get(r.enrolmentId) ?? []), r]);
  for (const rows of byEnrolment.values()) {
    await announceSeats(
      manager,
      ctx,
      'released',
      rows[0]!,
      rows.map((r) => r.sessionId),
    );
  }
  return released;
}
