import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AttendanceCorrected, AttendanceRecorded } from '@iop/contracts';
import type { Outbox } from '@iop/messaging';
import type { AbsenceStatus, AttendanceRecord, AttendanceStatus, RecordSource } from '../domain/attendance-record';
import { assessAttendance, type AttendanceOutcome, type Interval } from '../domain/attendance-rules';
import { publishAnalyticsForRecords } from './analytics-stream';
import { findRecordForSeat } from './attendance-records';
import { recomputeDay } from './billable-days';
import { watchAbsences, watchWeek } from './follow-ups';
import type { SeatContext } from './seats';

export type Change = 'check-in' | 'check-out' | 'group' | 'kiosk' | 'telehealth' | 'correction' | 'cancellation';

export interface RecordingInput {
  readonly seat: SeatContext;
  readonly intervals: readonly Interval[];
  readonly absence?: AbsenceStatus;
  /** A status set by hand over the computed one (corrections only). */
  readonly statusOverride?: AttendanceStatus;
  readonly checkInAt: Date | null;
  readonly checkOutAt: Date | null;
  readonly source: RecordSource;
  readonly change: Change;
  readonly actor: string;
  readonly reason?: string;
  readonly correlationId: string;
  /**
   * The caller publishes the analysts' stream itself, once for many records (`publishAnalyticsForRecords`): a whole
   * group recorded at once publishes each patient-week and the site-week once, not once per patient.
   */
  readonly analyticsByCaller?: boolean;
}

export function outcomeFor(input: Pick<RecordingInput, 'seat' | 'intervals' | 'absence' | 'statusOverride'>): AttendanceOutcome {
  const outcome = assessAttendance({
    scheduledStart: input.seat.session.starts_at,
    scheduledEnd: input.seat.session.ends_at,
    intervals: input.intervals,
    ...(input.absence ? { absence: input.absence } : {}),
  });
  return input.statusOverride ? { ...outcome, status: input.statusOverride } : outcome;
}

/**
 * Writes the seat's record (revision 1 when new; a correction adds one; a check-out or a telehealth leave completes
 * the revision it belongs to), appends the version, publishes attendance-recorded or -corrected, then recounts the
 * patient's day for billing and looks for absences and weekly hours at risk. All in the caller's transaction.
 */
export async function writeRecord(manager: EntityManager, outbox: Outbox, input: RecordingInput): Promise<AttendanceRecord> {
  const { seat } = input;
  const outcome = outcomeFor(input);
  const existing = await findRecordForSeat(manager, seat.session.session_id, seat.patientId);
  const correcting = input.change === 'correction';
  const revision = existing ? existing.revision + (correcting ? 1 : 0) : 1;
  const recordId = existing?.recordId ?? randomUUID();
  const values = [
    outcome.status,
    input.checkInAt,
    input.checkOutAt,
    outcome.scheduledMinutes,
    outcome.attendedMinutes,
    outcome.lateMinutes,
    outcome.earlyMinutes,
    revision,
    input.source,
  ];
  if (existing) {
    await manager.query(
      `UPDATE attendance.attendance_records SET status = $2, check_in_at = $3, check_out_at = $4, scheduled_minutes = $5, attended_minutes = $6,
         late_minutes = $7, early_minutes = $8, revision = $9, source = $10, updated_at = now() WHERE record_id = $1`,
      [recordId, ...values],
    );
  } else {
    await manager.query(
      `INSERT INTO attendance.attendance_records (record_id, session_id, patient_id, site_id, enrolment_id, episode_id, program_id, service_date,
         status, check_in_at, check_out_at, scheduled_minutes, attended_minutes, late_minutes, early_minutes, revision, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
      [
        recordId,
        seat.session.session_id,
        seat.patientId,
        seat.session.site_id,
        seat.enrolmentId,
        seat.episodeId,
        seat.programId,
        seat.session.local_date,
        ...values,
      ],
    );
  }
  await manager.query(
    `INSERT INTO attendance.attendance_record_versions (record_id, revision, change, site_id, status, check_in_at, check_out_at, attended_minutes,
       late_minutes, early_minutes, source, reason, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      recordId,
      revision,
      input.change,
      seat.session.site_id,
      outcome.status,
      input.checkInAt,
      input.checkOutAt,
      outcome.attendedMinutes,
      outcome.lateMinutes,
      outcome.earlyMinutes,
      input.source,
      input.reason ?? null,
      input.actor,
    ],
  );
  const facts = {
    recordId,
    sessionId: seat.session.session_id,
    patientId: seat.patientId,
    episodeId: seat.episodeId,
    siteId: seat.session.site_id,
    programId: seat.programId,
    sessionKind: seat.session.kind,
    serviceDate: seat.session.local_date,
    status: outcome.status,
    scheduledMinutes: outcome.scheduledMinutes,
    attendedMinutes: outcome.attendedMinutes,
    lateMinutes: outcome.lateMinutes,
    earlyMinutes: outcome.earlyMinutes,
    revision,
    source: input.source,
    occurredAt: new Date().toISOString(),
  };
  const context = { correlationId: input.correlationId };
  if (correcting && existing) {
    await outbox.add(manager, AttendanceCorrected, { ...facts, previousStatus: existing.status, previousAttendedMinutes: existing.attendedMinutes }, context);
  } else {
    await outbox.add(manager, AttendanceRecorded, facts, context);
  }
  // The analysts' stream: the record's fact (same factId, revision + 1 on every change), its patient-week and site-week.
  if (!input.analyticsByCaller) await publishAnalyticsForRecords(manager, [recordId], { context });
  await recomputeDay(manager, outbox, { siteId: seat.session.site_id, patientId: seat.patientId, serviceDate: seat.session.local_date }, input.correlationId);
  await watchAbsences(manager, outbox, { siteId: seat.session.site_id, patientId: seat.patientId, episodeId: seat.episodeId }, input.correlationId);
  await watchWeek(
    manager,
    outbox,
    { siteId: seat.session.site_id, patientId: seat.patientId, episodeId: seat.episodeId, serviceDate: seat.session.local_date, after: seat.session.starts_at },
    input.correlationId,
  );
  return (await findRecordForSeat(manager, seat.session.session_id, seat.patientId))!;
}
