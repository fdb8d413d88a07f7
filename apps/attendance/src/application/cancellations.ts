import type { EntityManager } from 'typeorm';
import { Outbox } from '@iop/messaging';
import { publishAnalyticsForRecords } from './analytics-stream';
import { findRecordForSeat } from './attendance-records';
import { writeRecord } from './record-attendance';
import { loadSession } from './seats';

const outbox = new Outbox('attendance');

export type CancellationStatus = 'cancelled-by-clinic' | 'cancelled-by-patient';

/** A patient who held a seat in the cancelled session; the episode is looked up from the enrolment when not given. */
export interface CancelledSeat {
  readonly patientId: string;
  readonly enrolmentId: string;
  readonly episodeId: string | null;
}

/**
 * Scheduling cancelled a session or an appointment: everyone who held a seat in it gets a record with the cancellation's
 * status (no minutes; not a no-show), through the one write path, so the record's events, its day and its analytics fact
 * follow as for any other record. A patient who already has a record for the session (recorded before the cancellation,
 * or by a redelivery of this event) keeps it as it is. `seats` defaults to the seats attendance holds as booked (events
 * from before scheduling named who held a seat).
 */
export async function recordCancellations(
  manager: EntityManager,
  sessionId: string,
  status: CancellationStatus,
  seats: readonly CancelledSeat[] | undefined,
  correlationId: string,
): Promise<string[]> {
  const session = await loadSession(manager, sessionId, true);
  if (session.status !== 'cancelled') return [];
  const held =
    seats ??
    (
      (await manager.query(`SELECT patient_id, enrolment_id, episode_id FROM attendance.seats WHERE session_id = $1 AND state = 'booked' ORDER BY patient_id`, [
        sessionId,
      ])) as Array<{ patient_id: string; enrolment_id: string; episode_id: string | null }>
    ).map((r) => ({ patientId: r.patient_id, enrolmentId: r.enrolment_id, episodeId: r.episode_id }));
  const recorded: string[] = [];
  for (const seat of held) {
    if (await findRecordForSeat(manager, sessionId, seat.patientId)) continue;
    const enrolment = (
      (await manager.query(`SELECT episode_id, program_id FROM attendance.enrolments WHERE enrolment_id = $1`, [seat.enrolmentId])) as Array<{
        episode_id: string;
        program_id: string | null;
      }>
    )[0];
    const record = await writeRecord(manager, outbox, {
      seat: {
        session,
        patientId: seat.patientId,
        enrolmentId: seat.enrolmentId,
        episodeId: seat.episodeId ?? enrolment?.episode_id ?? null,
        programId: session.program_id ?? enrolment?.program_id ?? null,
      },
      intervals: [],
      absence: status,
      checkInAt: null,
      checkOutAt: null,
      source: 'scheduling',
      change: 'cancellation',
      actor: 'scheduling',
      correlationId,
      analyticsByCaller: true,
    });
    recorded.push(record.recordId);
  }
  // A whole group cancelled at once: each patient-week once, the site-week once.
  await publishAnalyticsForRecords(manager, recorded, { context: { correlationId } });
  return recorded;
}
