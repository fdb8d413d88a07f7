import type { EntityManager } from 'typeorm';
import { holdCommitments, type Commitment } from '../infrastructure/commitments';

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

/** Cancels sessions' hold on everyone: staff, room, and patients, whose seats are released. */
export async function releaseEverything(manager: EntityManager, sessionIds: readonly string[]): Promise<void> {
  if (sessionIds.length === 0) return;
  await manager.query(`DELETE FROM scheduling.commitments WHERE source_kind = 'session' AND source_id = ANY($1::uuid[])`, [sessionIds]);
  await manager.query(`UPDATE scheduling.seat_bookings SET status = 'released', released_at = now() WHERE session_id = ANY($1::uuid[]) AND status = 'booked'`, [
    sessionIds,
  ]);
}
