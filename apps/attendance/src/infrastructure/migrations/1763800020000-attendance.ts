import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Attendance's own tables. The roster is a read model of scheduling's events, which reach attendance on several
 * topics in no particular order: a seat may arrive before its session, so seats are stored apart and joined at read
 * time. One row per (session, patient) holds the current attendance record with its revision; every revision is kept
 * in `attendance_record_versions` (append-only: a correction adds a version, it never rewrites the first record).
 */
export class Attendance1763800020000 implements MigrationInterface {
  name = 'Attendance1763800020000';

  async up(q: QueryRunner): Promise<void> {
    // Programs: the rules a day is billed by (kind gives the per-diem code, the per-diem minimum the threshold).
    await q.query(`CREATE TABLE attendance.programs (
      program_id               uuid PRIMARY KEY,
      site_id                  uuid NOT NULL,
      kind                     text NOT NULL CHECK (kind IN ('substance-use', 'mental-health', 'co-occurring')),
      population               text NOT NULL,
      level_of_care            text NOT NULL,
      min_weekly_minutes       integer NOT NULL,
      per_diem_minimum_minutes integer NOT NULL DEFAULT 180,
      revision                 integer NOT NULL
    )`);
    // Sessions: scheduling's group sessions and, as one-seat sessions, its appointments (source says which).
    await q.query(`CREATE TABLE attendance.sessions (
      session_id   uuid PRIMARY KEY,
      site_id      uuid NOT NULL,
      source       text NOT NULL CHECK (source IN ('group-session', 'appointment')),
      kind         text NOT NULL CHECK (kind IN ('group', 'individual', 'family', 'psychiatric', 'medication', 'case-management')),
      program_id   uuid,
      track_id     uuid,
      starts_at    timestamptz NOT NULL,
      ends_at      timestamptz NOT NULL,
      local_date   date NOT NULL,
      delivery     text NOT NULL CHECK (delivery IN ('in-person', 'telehealth', 'hybrid')),
      modality     text,
      leader_id    uuid,
      capacity     integer NOT NULL DEFAULT 1,
      status       text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
      revision     integer NOT NULL DEFAULT 1,
      kiosk_code   text NOT NULL,
      updated_at   timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_at > starts_at)
    )`);
    await q.query(`CREATE INDEX sessions_site_day ON attendance.sessions (site_id, local_date)`);
    await q.query(`CREATE INDEX sessions_kiosk_code ON attendance.sessions (site_id, kiosk_code)`);
    // Seats: who holds a place in which session; stored even before the session is known.
    await q.query(`CREATE TABLE attendance.seats (
      session_id    uuid NOT NULL,
      patient_id    uuid NOT NULL,
      site_id       uuid NOT NULL,
      enrolment_id  uuid NOT NULL,
      episode_id    uuid,
      state         text NOT NULL CHECK (state IN ('booked', 'released')),
      updated_at    timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (session_id, patient_id)
    )`);
    await q.query(`CREATE INDEX seats_patient ON attendance.seats (patient_id)`);
    // Enrolments: the patient's program (kind and level come from programs) and the plan's weekly minimum.
    await q.query(`CREATE TABLE attendance.enrolments (
      enrolment_id        uuid PRIMARY KEY,
      patient_id          uuid NOT NULL,
      episode_id          uuid NOT NULL,
      site_id             uuid NOT NULL,
      program_id          uuid,
      track_id            uuid,
      status              text NOT NULL,
      plan_version        integer NOT NULL DEFAULT 0,
      weekly_minimum_minutes integer,
      updated_at          timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX enrolments_patient ON attendance.enrolments (patient_id, site_id)`);
    // The current record per (session, patient).
    await q.query(`CREATE TABLE attendance.attendance_records (
      record_id          uuid PRIMARY KEY,
      session_id         uuid NOT NULL REFERENCES attendance.sessions (session_id),
      patient_id         uuid NOT NULL,
      site_id            uuid NOT NULL,
      enrolment_id       uuid,
      episode_id         uuid,
      program_id         uuid,
      service_date       date NOT NULL,
      status             text NOT NULL CHECK (status IN ('attended', 'late', 'left-early', 'no-show', 'excused', 'cancelled-by-patient', 'cancelled-by-clinic')),
      check_in_at        timestamptz,
      check_out_at       timestamptz,
      scheduled_minutes  integer NOT NULL CHECK (scheduled_minutes >= 0),
      attended_minutes   integer NOT NULL DEFAULT 0 CHECK (attended_minutes >= 0),
      late_minutes       integer NOT NULL DEFAULT 0 CHECK (late_minutes >= 0),
      early_minutes      integer NOT NULL DEFAULT 0 CHECK (early_minutes >= 0),
      revision           integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
      source             text NOT NULL CHECK (source IN ('staff', 'group', 'kiosk', 'telehealth', 'correction')),
      recorded_at        timestamptz NOT NULL DEFAULT now(),
      updated_at         timestamptz NOT NULL DEFAULT now(),
      UNIQUE (session_id, patient_id),
      CHECK (check_out_at IS NULL OR check_in_at IS NULL OR check_out_at >= check_in_at)
    )`);
    await q.query(`CREATE INDEX attendance_records_patient_day ON attendance.attendance_records (patient_id, service_date)`);
    await q.query(`CREATE INDEX attendance_records_site_day ON attendance.attendance_records (site_id, service_date)`);
    // Every revision of every record, the first one included: never updated or deleted.
    // A check-out completes revision 1 (a second row at the same revision); a correction starts the next revision.
    await q.query(`CREATE TABLE attendance.attendance_record_versions (
      version_id         bigserial PRIMARY KEY,
      record_id          uuid NOT NULL REFERENCES attendance.attendance_records (record_id),
      revision           integer NOT NULL,
      change             text NOT NULL CHECK (change IN ('check-in', 'check-out', 'group', 'kiosk', 'telehealth', 'correction')),
      site_id            uuid NOT NULL,
      status             text NOT NULL,
      check_in_at        timestamptz,
      check_out_at       timestamptz,
      attended_minutes   integer NOT NULL,
      late_minutes       integer NOT NULL,
      early_minutes      integer NOT NULL,
      source             text NOT NULL,
      reason             text,
      recorded_by        text NOT NULL,
      recorded_at        timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX attendance_record_versions_record ON attendance.attendance_record_versions (record_id, version_id)`);
    // Telehealth: the video platform's join/leave intervals, merged into attended minutes; event ids refuse replays.
    await q.query(`CREATE TABLE attendance.telehealth_intervals (
      interval_id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      session_id    uuid NOT NULL,
      patient_id    uuid NOT NULL,
      site_id       uuid NOT NULL,
      joined_at     timestamptz NOT NULL,
      left_at       timestamptz,
      join_event_id text NOT NULL,
      leave_event_id text
    )`);
    await q.query(`CREATE INDEX telehealth_intervals_seat ON attendance.telehealth_intervals (session_id, patient_id)`);
    await q.query(`CREATE TABLE attendance.telehealth_webhook_events (
      event_id     text PRIMARY KEY,
      site_id      uuid NOT NULL,
      received_at  timestamptz NOT NULL DEFAULT now()
    )`);
    // Billable days: one row per patient-day at a site; state 'billable' (a per-diem day) or 'voided' (a correction took it below the minimum).
    await q.query(`CREATE TABLE attendance.billable_days (
      billable_day_id   uuid PRIMARY KEY,
      site_id           uuid NOT NULL,
      patient_id        uuid NOT NULL,
      episode_id        uuid,
      program_id        uuid,
      service_date      date NOT NULL,
      code              text NOT NULL,
      revenue_code      text NOT NULL,
      attended_minutes  integer NOT NULL,
      state             text NOT NULL CHECK (state IN ('billable', 'voided')),
      revision          integer NOT NULL DEFAULT 1,
      updated_at        timestamptz NOT NULL DEFAULT now(),
      UNIQUE (site_id, patient_id, service_date)
    )`);
    // Charges: what billing exports; a day's lines are replaced (voided, new ones added) when the day is recomputed.
    await q.query(`CREATE TABLE attendance.charges (
      charge_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      site_id          uuid NOT NULL,
      patient_id       uuid NOT NULL,
      episode_id       uuid,
      service_date     date NOT NULL,
      kind             text NOT NULL CHECK (kind IN ('per-diem', 'discrete')),
      code             text NOT NULL,
      revenue_code     text,
      units            integer NOT NULL CHECK (units >= 1),
      minutes          integer NOT NULL,
      session_id       uuid,
      billable_day_id  uuid,
      state            text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'voided')),
      created_at       timestamptz NOT NULL DEFAULT now(),
      voided_at        timestamptz
    )`);
    await q.query(`CREATE INDEX charges_site_day ON attendance.charges (site_id, service_date)`);
    await q.query(`CREATE INDEX charges_patient_day ON attendance.charges (patient_id, service_date)`);
    // Work raised once: a patient-week at risk of missing the plan's minimum, outreach after two consecutive no-shows.
    await q.query(`CREATE TABLE attendance.weekly_risks (
      site_id      uuid NOT NULL,
      patient_id   uuid NOT NULL,
      week_start   date NOT NULL,
      raised_at    timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (patient_id, week_start)
    )`);
    await q.query(`CREATE TABLE attendance.outreach (
      outreach_id       uuid PRIMARY KEY,
      site_id           uuid NOT NULL,
      patient_id        uuid NOT NULL,
      episode_id        uuid,
      last_session_id   uuid NOT NULL,
      missed_session_ids uuid[] NOT NULL,
      status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
      raised_at         timestamptz NOT NULL DEFAULT now(),
      UNIQUE (patient_id, last_session_id)
    )`);
    for (const table of [
      'programs',
      'sessions',
      'seats',
      'enrolments',
      'attendance_records',
      'attendance_record_versions',
      'telehealth_intervals',
      'telehealth_webhook_events',
      'billable_days',
      'charges',
      'weekly_risks',
      'outreach',
    ]) {
      for (const sql of siteIsolationSql('attendance', table)) await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'outreach',
      'weekly_risks',
      'charges',
      'billable_days',
      'telehealth_webhook_events',
      'telehealth_intervals',
      'attendance_record_versions',
      'attendance_records',
      'enrolments',
      'seats',
      'sessions',
      'programs',
    ]) {
      await q.query(`DROP TABLE attendance.${table}`);
    }
  }
}
