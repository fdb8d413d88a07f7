import { randomInt } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  AppointmentBooked,
  AppointmentCancelled,
  AppointmentRescheduled,
  EnrolmentChanged,
  PatientEnrolled,
  ProgramChanged,
  ProgramDefined,
  SeatsBooked,
  SeatsReleased,
  SessionCancelled,
  SessionRescheduled,
  SessionScheduled,
  TreatmentPlanUpdated,
  type PayloadOf,
} from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';
import type { SessionKind } from '../domain/attendance-record';
import { localDate } from '../domain/calendar';
import { recordCancellations } from './cancellations';

/**
 * Attendance's roster: a read model of scheduling's events. Sessions, seats, enrolments and programs come on
 * different topics and keys, so nothing orders a session's events against its seats': a seat is stored on its own
 * (even for a session not heard of yet) and joined to its session when read. Every handler is an upsert that a
 * redelivery leaves as it was; whole-state events carry a revision and an older one never overwrites a newer one.
 */

/** A fresh 6-digit code for the room screen: each session its own, so a code seen in one room checks nobody into another. */
export const newKioskCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

async function upsertProgram(manager: EntityManager, p: PayloadOf<typeof ProgramDefined>): Promise<void> {
  await manager.query(
    `INSERT INTO attendance.programs (program_id, site_id, kind, population, level_of_care, min_weekly_minutes, per_diem_minimum_minutes, revision)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (program_id) DO UPDATE SET kind = EXCLUDED.kind, population = EXCLUDED.population, level_of_care = EXCLUDED.level_of_care,
       min_weekly_minutes = EXCLUDED.min_weekly_minutes, per_diem_minimum_minutes = EXCLUDED.per_diem_minimum_minutes, revision = EXCLUDED.revision
     WHERE attendance.programs.revision < EXCLUDED.revision`,
    [p.programId, p.siteId, p.kind, p.population, p.levelOfCare, p.minWeeklyMinutes, p.perDiemMinimumMinutes || 180, p.revision],
  );
}

async function upsertSession(manager: EntityManager, s: PayloadOf<typeof SessionScheduled>, status: 'scheduled' | 'cancelled'): Promise<void> {
  await manager.query(
    `INSERT INTO attendance.sessions (session_id, site_id, source, kind, program_id, track_id, starts_at, ends_at, local_date, delivery,
       leader_id, capacity, status, revision, kiosk_code)
     VALUES ($1, $2, 'group-session', 'group', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (session_id) DO UPDATE SET starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, local_date = EXCLUDED.local_date,
       delivery = EXCLUDED.delivery, leader_id = EXCLUDED.leader_id, capacity = EXCLUDED.capacity, status = EXCLUDED.status,
       revision = EXCLUDED.revision, updated_at = now()
     WHERE attendance.sessions.revision < EXCLUDED.revision
        OR (attendance.sessions.revision = EXCLUDED.revision AND EXCLUDED.status = 'cancelled')`,
    [s.sessionId, s.siteId, s.programId, s.trackId, s.startsAt, s.endsAt, s.localDate, s.delivery, s.leaderId, s.capacity, status, s.revision, newKioskCode()],
  );
}

/** A seat booked in a session after its episode's discharge date arrives released: that roster is closed for the episode. */
async function setSeats(manager: EntityManager, seats: PayloadOf<typeof SeatsBooked>, state: 'booked' | 'released'): Promise<void> {
  for (const sessionId of seats.sessionIds) {
    await manager.query(
      `INSERT INTO attendance.seats (session_id, patient_id, site_id, enrolment_id, episode_id, state)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 = 'booked' AND EXISTS (
           SELECT 1 FROM attendance.discharges d JOIN attendance.sessions s ON s.session_id = $1
            WHERE d.episode_id = $5 AND s.local_date > d.discharged_on) THEN 'released' ELSE $6 END)
       ON CONFLICT (session_id, patient_id) DO UPDATE SET state = EXCLUDED.state, enrolment_id = EXCLUDED.enrolment_id,
         episode_id = EXCLUDED.episode_id, site_id = EXCLUDED.site_id, updated_at = now()`,
      [sessionId, seats.patientId, seats.siteId, seats.enrolmentId, seats.episodeId, state],
    );
  }
}

const APPOINTMENT_KINDS: Record<PayloadOf<typeof AppointmentBooked>['kind'], SessionKind> = {
  'individual-therapy': 'individual',
  'family-therapy': 'family',
  'psychiatric-evaluation': 'psychiatric',
  'medication-management': 'medication',
  'case-management': 'case-management',
};

/** An appointment is a one-seat session: recorded, billed and counted like a group session's seat. */
async function upsertAppointment(manager: EntityManager, a: PayloadOf<typeof AppointmentBooked>, status: 'scheduled' | 'cancelled'): Promise<void> {
  const zone = ((await manager.query(`SELECT time_zone FROM attendance.site_directory WHERE site_id = $1`, [a.siteId])) as { time_zone: string }[])[0];
  const enrolment = (
    (await manager.query(`SELECT episode_id, program_id FROM attendance.enrolments WHERE enrolment_id = $1`, [a.enrolmentId])) as {
      episode_id: string;
      program_id: string | null;
    }[]
  )[0];
  await manager.query(
    `INSERT INTO attendance.sessions (session_id, site_id, source, kind, program_id, starts_at, ends_at, local_date, delivery, leader_id, capacity, status, kiosk_code)
     VALUES ($1, $2, 'appointment', $3, $4, $5, $6, $7, $8, $9, 1, $10, $11)
     ON CONFLICT (session_id) DO UPDATE SET kind = EXCLUDED.kind, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
       local_date = EXCLUDED.local_date, delivery = EXCLUDED.delivery, leader_id = EXCLUDED.leader_id,
       program_id = coalesce(EXCLUDED.program_id, attendance.sessions.program_id),
       status = CASE WHEN attendance.sessions.status = 'cancelled' THEN 'cancelled' ELSE EXCLUDED.status END, updated_at = now()`,
    [
      a.appointmentId,
      a.siteId,
      APPOINTMENT_KINDS[a.kind],
      enrolment?.program_id ?? null,
      a.startsAt,
      a.endsAt,
      localDate(a.startsAt, zone?.time_zone ?? 'UTC'),
      a.telehealth ? 'telehealth' : 'in-person',
      a.clinicianId,
      status,
      newKioskCode(),
    ],
  );
  await manager.query(
    `INSERT INTO attendance.seats (session_id, patient_id, site_id, enrolment_id, episode_id, state) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (session_id, patient_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
    [a.appointmentId, a.patientId, a.siteId, a.enrolmentId, enrolment?.episode_id ?? null, status === 'cancelled' ? 'released' : 'booked'],
  );
}

export const rosterReadModelHandlers: readonly EventHandler[] = [
  onEvent(ProgramDefined, (p, _m, manager) => upsertProgram(manager, p)),
  onEvent(ProgramChanged, (p, _m, manager) => upsertProgram(manager, p)),
  onEvent(SessionScheduled, (s, _m, manager) => upsertSession(manager, s, 'scheduled')),
  onEvent(SessionRescheduled, (s, _m, manager) => upsertSession(manager, s, 'scheduled')),
  onEvent(SessionCancelled, async (s, meta, manager) => {
    await upsertSession(manager, s, 'cancelled');
    // Always the clinic's: a group session is cancelled by the site (on its own, a closure, the track's end), never by a patient.
    await recordCancellations(manager, s.sessionId, 'cancelled-by-clinic', s.bookedPatients, meta.correlationId ?? meta.id);
  }),
  onEvent(PatientEnrolled, async (e, _m, manager) => {
    await manager.query(
      `INSERT INTO attendance.enrolments (enrolment_id, patient_id, episode_id, site_id, status) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (enrolment_id) DO NOTHING`,
      [e.enrolmentId, e.patientId, e.episodeId, e.siteId, e.status],
    );
  }),
  onEvent(EnrolmentChanged, async (e, _m, manager) => {
    await manager.query(
      `INSERT INTO attendance.enrolments (enrolment_id, patient_id, episode_id, site_id, program_id, track_id, status) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (enrolment_id) DO UPDATE SET program_id = coalesce(EXCLUDED.program_id, attendance.enrolments.program_id),
         track_id = EXCLUDED.track_id, status = EXCLUDED.status, updated_at = now()`,
      [e.enrolmentId, e.patientId, e.episodeId, e.siteId, e.programId, e.trackId, e.change === 'ended' ? 'ended' : 'placed'],
    );
  }),
  onEvent(TreatmentPlanUpdated, async (p, _m, manager) => {
    await manager.query(
      `INSERT INTO attendance.enrolments (enrolment_id, patient_id, episode_id, site_id, status, plan_id, plan_version, weekly_minimum_minutes)
       VALUES ($1, $2, $3, $4, 'placed', $5, $6, $7)
       ON CONFLICT (enrolment_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, plan_version = EXCLUDED.plan_version,
         weekly_minimum_minutes = EXCLUDED.weekly_minimum_minutes, updated_at = now()
       WHERE attendance.enrolments.plan_version < EXCLUDED.plan_version`,
      // The plan's id and version, never its goals (PHI, kept by scheduling): progress notes name goals by number in that version.
      [p.enrolmentId, p.patientId, p.episodeId, p.siteId, p.planId, p.version, p.weeklyGroupMinutes],
    );
  }),
  onEvent(SeatsBooked, (s, _m, manager) => setSeats(manager, s, 'booked')),
  onEvent(SeatsReleased, (s, _m, manager) => setSeats(manager, s, 'released')),
  onEvent(AppointmentBooked, (a, _m, manager) => upsertAppointment(manager, a, 'scheduled')),
  onEvent(AppointmentRescheduled, (a, _m, manager) => upsertAppointment(manager, a, 'scheduled')),
  onEvent(AppointmentCancelled, async (a, meta, manager) => {
    await upsertAppointment(manager, a, 'cancelled');
    // Without cancelledBy (the episode ended, or an event from before the field) nobody cancelled a visit: no record.
    if (!a.cancelledBy) return;
    const status = a.cancelledBy === 'patient' ? 'cancelled-by-patient' : 'cancelled-by-clinic';
    await recordCancellations(
      manager,
      a.appointmentId,
      status,
      [{ patientId: a.patientId, enrolmentId: a.enrolmentId, episodeId: null }],
      meta.correlationId ?? meta.id,
    );
  }),
];
