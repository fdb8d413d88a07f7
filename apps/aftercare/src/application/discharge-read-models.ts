import type { EntityManager } from 'typeorm';
import { AttendanceCorrected, AttendanceRecorded, PatientAdmitted, ProgramChanged, ProgramDefined, type PayloadOf } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';

/*
 * What aftercare learns from other services to write a discharge: the episode (intake.admissions), the programs a
 * patient may step down to (scheduling.programs) and the sessions attended (attendance.sessions). Every handler is an
 * upsert a redelivery leaves as it was (the inbox drops a redelivered event first); whole-state events keep the newest.
 */

async function upsertProgram(manager: EntityManager, p: PayloadOf<typeof ProgramDefined>): Promise<void> {
  await manager.query(
    `INSERT INTO aftercare.programs (program_id, site_id, kind, level_of_care, revision) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (program_id) DO UPDATE SET kind = EXCLUDED.kind, level_of_care = EXCLUDED.level_of_care, revision = EXCLUDED.revision
     WHERE aftercare.programs.revision < EXCLUDED.revision`,
    [p.programId, p.siteId, p.kind, p.levelOfCare, p.revision],
  );
}

/**
 * A record's newest state. Attendance keys its events by patient, so one record's events arrive in order; a check-out
 * completes a record at the same revision, hence the tie broken by time.
 */
async function upsertAttendance(manager: EntityManager, r: PayloadOf<typeof AttendanceRecorded>): Promise<void> {
  await manager.query(
    `INSERT INTO aftercare.attendance_records (record_id, episode_id, patient_id, site_id, service_date, status, attended_minutes, revision, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (record_id) DO UPDATE SET episode_id = coalesce(EXCLUDED.episode_id, aftercare.attendance_records.episode_id),
       service_date = EXCLUDED.service_date, status = EXCLUDED.status, attended_minutes = EXCLUDED.attended_minutes,
       revision = EXCLUDED.revision, occurred_at = EXCLUDED.occurred_at
     WHERE (aftercare.attendance_records.revision, aftercare.attendance_records.occurred_at) < (EXCLUDED.revision, EXCLUDED.occurred_at)`,
    [r.recordId, r.episodeId, r.patientId, r.siteId, r.serviceDate, r.status, r.attendedMinutes, r.revision, r.occurredAt],
  );
}

export const dischargeReadModelHandlers: readonly EventHandler[] = [
  onEvent(PatientAdmitted, async (a, _m, manager) => {
    await manager.query(
      `INSERT INTO aftercare.episodes (episode_id, patient_id, site_id, referral_id, level_of_care, admitted_on, admitted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (episode_id) DO NOTHING`,
      [a.episodeId, a.patientId, a.siteId, a.referralId, a.levelOfCare, a.plannedStart, a.occurredAt],
    );
  }),
  onEvent(ProgramDefined, (p, _m, manager) => upsertProgram(manager, p)),
  onEvent(ProgramChanged, (p, _m, manager) => upsertProgram(manager, p)),
  onEvent(AttendanceRecorded, (r, _m, manager) => upsertAttendance(manager, r)),
  onEvent(AttendanceCorrected, (r, _m, manager) => upsertAttendance(manager, r)),
];
