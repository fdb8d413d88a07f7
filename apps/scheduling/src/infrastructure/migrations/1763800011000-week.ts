import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Everything that makes a patient's week: the site's clinicians and rooms, its programs and their tracks of recurring
 * group sessions, the materialised sessions, appointments, enrolments and treatment plans.
 *
 * No double-booking is Postgres's job, not the application's: every clinician, room and patient commitment is a row of
 * `commitments`, and one exclusion constraint (btree_gist over tstzrange) refuses two overlapping rows for the same
 * holder, whichever service instance, request or site wrote them. Seats in a group session are counted in the session
 * row (`booked_seats <= capacity`), so a full group refuses the next booking whatever the race.
 *
 * Minutes, not hours, everywhere: 9 hours a week is 540 minutes, and 2.5-hour sessions stay exact.
 */
export class Week1763800011000 implements MigrationInterface {
  name = 'Week1763800011000';

  async up(q: QueryRunner): Promise<void> {
    // Trusted extension: gives uuid and text the `=` operator class that a gist exclusion constraint needs.
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA scheduling`);

    await q.query(`CREATE TABLE scheduling.clinicians (
      clinician_id uuid PRIMARY KEY,
      site_id      uuid NOT NULL REFERENCES scheduling.sites (site_id),
      subject      text NOT NULL,
      display_name text NOT NULL,
      roles        text[] NOT NULL CHECK (cardinality(roles) > 0),
      program_ids  uuid[] NOT NULL DEFAULT '{}',
      active       boolean NOT NULL DEFAULT true,
      revision     integer NOT NULL DEFAULT 1,
      created_at   timestamptz NOT NULL DEFAULT now(),
      UNIQUE (site_id, subject)
    )`);

    await q.query(`CREATE TABLE scheduling.rooms (
      room_id    uuid PRIMARY KEY,
      site_id    uuid NOT NULL REFERENCES scheduling.sites (site_id),
      name       text NOT NULL,
      capacity   integer NOT NULL CHECK (capacity BETWEEN 1 AND 500),
      virtual    boolean NOT NULL DEFAULT false,
      active     boolean NOT NULL DEFAULT true,
      revision   integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX rooms_name_unique ON scheduling.rooms (site_id, lower(name))`);

    await q.query(`CREATE TABLE scheduling.programs (
      program_id               uuid PRIMARY KEY,
      site_id                  uuid NOT NULL REFERENCES scheduling.sites (site_id),
      name                     text NOT NULL,
      kind                     text NOT NULL CHECK (kind IN ('substance-use', 'mental-health', 'co-occurring')),
      population               text NOT NULL CHECK (population IN ('adult', 'adolescent')),
      level_of_care            text NOT NULL CHECK (level_of_care IN ('1', '2.1', '2.5')),
      min_weekly_minutes       integer NOT NULL CHECK (min_weekly_minutes >= 0),
      max_weekly_minutes       integer CHECK (max_weekly_minutes IS NULL OR max_weekly_minutes >= min_weekly_minutes),
      per_diem_minimum_minutes integer NOT NULL CHECK (per_diem_minimum_minutes BETWEEN 0 AND 720),
      default_length_weeks     integer NOT NULL CHECK (default_length_weeks BETWEEN 1 AND 104),
      revision                 integer NOT NULL DEFAULT 1,
      created_at               timestamptz NOT NULL DEFAULT now(),
      updated_at               timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX programs_name_unique ON scheduling.programs (site_id, lower(name))`);

    // A track: a named recurring block ("Evening SUD adults, Mon/Tue/Thu 18:00-21:00"). The RRULE is evaluated as
    // floating wall-clock time and placed in the site's zone, so 18:00 stays 18:00 across daylight-saving changes.
    await q.query(`CREATE TABLE scheduling.tracks (
      track_id          uuid PRIMARY KEY,
      site_id           uuid NOT NULL REFERENCES scheduling.sites (site_id),
      program_id        uuid NOT NULL REFERENCES scheduling.programs (program_id),
      name              text NOT NULL,
      recurrence        text NOT NULL,
      starts_on         date NOT NULL,
      ends_on           date CHECK (ends_on IS NULL OR ends_on >= starts_on),
      block_start       time NOT NULL,
      enrolment         text NOT NULL CHECK (enrolment IN ('open', 'closed')),
      cohort_weeks      integer CHECK (cohort_weeks IS NULL OR cohort_weeks BETWEEN 1 AND 52),
      weekly_minutes    integer NOT NULL CHECK (weekly_minutes > 0),
      materialised_to   date,
      active            boolean NOT NULL DEFAULT true,
      revision          integer NOT NULL DEFAULT 1,
      created_at        timestamptz NOT NULL DEFAULT now(),
      updated_at        timestamptz NOT NULL DEFAULT now(),
      CHECK (enrolment = 'open' OR cohort_weeks IS NOT NULL)
    )`);
    await q.query(`CREATE UNIQUE INDEX tracks_name_unique ON scheduling.tracks (site_id, lower(name))`);

    // The ordered group sessions of one block, each offset from the block's start.
    await q.query(`CREATE TABLE scheduling.track_sessions (
      track_id         uuid NOT NULL REFERENCES scheduling.tracks (track_id) ON DELETE CASCADE,
      position         integer NOT NULL CHECK (position >= 1),
      site_id          uuid NOT NULL REFERENCES scheduling.sites (site_id),
      topic            text NOT NULL,
      modality         text NOT NULL,
      offset_minutes   integer NOT NULL CHECK (offset_minutes BETWEEN 0 AND 1440),
      duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 720),
      leader_id        uuid NOT NULL REFERENCES scheduling.clinicians (clinician_id),
      co_leader_id     uuid REFERENCES scheduling.clinicians (clinician_id) CHECK (co_leader_id IS DISTINCT FROM leader_id),
      room_id          uuid NOT NULL REFERENCES scheduling.rooms (room_id),
      capacity         integer NOT NULL CHECK (capacity BETWEEN 1 AND 500),
      delivery         text NOT NULL CHECK (delivery IN ('in-person', 'telehealth', 'hybrid')),
      PRIMARY KEY (track_id, position)
    )`);

    // Materialised occurrences. (track_id, position, series_date) names an occurrence of the series for ever, so
    // materialising twice is a no-op, and a moved occurrence keeps its place in the series.
    await q.query(`CREATE TABLE scheduling.sessions (
      session_id    uuid PRIMARY KEY,
      site_id       uuid NOT NULL REFERENCES scheduling.sites (site_id),
      track_id      uuid NOT NULL REFERENCES scheduling.tracks (track_id),
      position      integer NOT NULL,
      series_date   date NOT NULL,
      local_date    date NOT NULL,
      starts_at     timestamptz NOT NULL,
      ends_at       timestamptz NOT NULL,
      topic         text NOT NULL,
      modality      text NOT NULL,
      leader_id     uuid NOT NULL REFERENCES scheduling.clinicians (clinician_id),
      co_leader_id  uuid REFERENCES scheduling.clinicians (clinician_id),
      room_id       uuid NOT NULL REFERENCES scheduling.rooms (room_id),
      capacity      integer NOT NULL CHECK (capacity >= 1),
      booked_seats  integer NOT NULL DEFAULT 0 CHECK (booked_seats >= 0 AND booked_seats <= capacity),
      delivery      text NOT NULL,
      status        text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
      cancel_reason text,
      revision      integer NOT NULL DEFAULT 1,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_at > starts_at),
      UNIQUE (track_id, position, series_date)
    )`);
    await q.query(`CREATE INDEX sessions_site_time ON scheduling.sessions (site_id, starts_at, session_id)`);
    await q.query(`CREATE INDEX sessions_track_time ON scheduling.sessions (track_id, starts_at)`);

    await q.query(`CREATE TABLE scheduling.closures (
      site_id    uuid NOT NULL REFERENCES scheduling.sites (site_id),
      closed_on  date NOT NULL,
      reason     text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (site_id, closed_on)
    )`);

    // A patient's place at a site for one episode: created awaiting placement by intake's admission, placed in a track,
    // changed by transfers and steps up or down, ended with the episode. One open enrolment per episode.
    await q.query(`CREATE TABLE scheduling.enrolments (
      enrolment_id          uuid PRIMARY KEY,
      site_id               uuid NOT NULL REFERENCES scheduling.sites (site_id),
      patient_id            uuid NOT NULL,
      episode_id            uuid NOT NULL,
      referral_id           uuid NOT NULL,
      program_type          text NOT NULL,
      level_of_care         text NOT NULL,
      planned_weekly_minutes integer NOT NULL CHECK (planned_weekly_minutes >= 0),
      planned_start         date NOT NULL,
      status                text NOT NULL CHECK (status IN ('awaiting-placement', 'placed', 'ended')),
      program_id            uuid REFERENCES scheduling.programs (program_id),
      track_id              uuid REFERENCES scheduling.tracks (track_id),
      placed_from           date,
      ended_at              timestamptz,
      end_reason            text,
      revision              integer NOT NULL DEFAULT 1,
      created_at            timestamptz NOT NULL DEFAULT now(),
      updated_at            timestamptz NOT NULL DEFAULT now(),
      CHECK (status <> 'placed' OR (track_id IS NOT NULL AND placed_from IS NOT NULL))
    )`);
    await q.query(`CREATE UNIQUE INDEX enrolments_one_open_per_episode ON scheduling.enrolments (episode_id) WHERE status <> 'ended'`);
    await q.query(`CREATE INDEX enrolments_queue ON scheduling.enrolments (site_id, status, planned_start, enrolment_id)`);
    await q.query(`CREATE INDEX enrolments_patient ON scheduling.enrolments (patient_id)`);

    await q.query(`CREATE TABLE scheduling.appointments (
      appointment_id uuid PRIMARY KEY,
      site_id        uuid NOT NULL REFERENCES scheduling.sites (site_id),
      patient_id     uuid NOT NULL,
      enrolment_id   uuid NOT NULL REFERENCES scheduling.enrolments (enrolment_id),
      clinician_id   uuid NOT NULL REFERENCES scheduling.clinicians (clinician_id),
      kind           text NOT NULL CHECK (kind IN ('individual-therapy', 'family-therapy', 'psychiatric-evaluation', 'medication-management', 'case-management')),
      room_id        uuid REFERENCES scheduling.rooms (room_id),
      telehealth     boolean NOT NULL,
      starts_at      timestamptz NOT NULL,
      ends_at        timestamptz NOT NULL,
      status         text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled')),
      cancel_reason  text,
      revision       integer NOT NULL DEFAULT 1,
      created_at     timestamptz NOT NULL DEFAULT now(),
      updated_at     timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_at > starts_at),
      CHECK (telehealth OR room_id IS NOT NULL)
    )`);
    await q.query(`CREATE INDEX appointments_patient_time ON scheduling.appointments (patient_id, starts_at)`);
    await q.query(`CREATE INDEX appointments_clinician_time ON scheduling.appointments (clinician_id, starts_at)`);

    // A patient's seat in one group session.
    await q.query(`CREATE TABLE scheduling.seat_bookings (
      session_id   uuid NOT NULL REFERENCES scheduling.sessions (session_id),
      patient_id   uuid NOT NULL,
      site_id      uuid NOT NULL REFERENCES scheduling.sites (site_id),
      enrolment_id uuid NOT NULL REFERENCES scheduling.enrolments (enrolment_id),
      status       text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'released')),
      booked_at    timestamptz NOT NULL DEFAULT now(),
      released_at  timestamptz,
      PRIMARY KEY (session_id, patient_id)
    )`);
    await q.query(`CREATE INDEX seat_bookings_enrolment ON scheduling.seat_bookings (enrolment_id, status)`);
    await q.query(`CREATE INDEX seat_bookings_patient ON scheduling.seat_bookings (patient_id, status)`);

    // Every held commitment of a clinician, a room or a patient, from group sessions and appointments. A released
    // commitment is deleted (its history stays in sessions, appointments and seat_bookings). Not site-isolated on
    // purpose for the constraint: Postgres checks it against every row, so a patient cannot be booked at two sites
    // at once; the rows are still site-isolated for reading.
    await q.query(`CREATE TABLE scheduling.commitments (
      commitment_id bigserial PRIMARY KEY,
      site_id       uuid NOT NULL REFERENCES scheduling.sites (site_id),
      holder_kind   text NOT NULL CHECK (holder_kind IN ('clinician', 'room', 'patient')),
      holder_id     uuid NOT NULL,
      during        tstzrange NOT NULL CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)),
      source_kind   text NOT NULL CHECK (source_kind IN ('session', 'appointment')),
      source_id     uuid NOT NULL,
      UNIQUE (holder_kind, holder_id, source_kind, source_id),
      CONSTRAINT commitments_no_overlap EXCLUDE USING gist (holder_kind WITH =, holder_id WITH =, during WITH &&)
    )`);
    await q.query(`CREATE INDEX commitments_source ON scheduling.commitments (source_kind, source_id)`);
    await q.query(`CREATE INDEX commitments_start ON scheduling.commitments (lower(during))`);

    // Treatment plans: the current version in treatment_plans, every version (including the current one) kept in
    // treatment_plan_versions, which the service may add to but never change. Goals are PHI: never in events.
    await q.query(`CREATE TABLE scheduling.treatment_plans (
      plan_id                 uuid PRIMARY KEY,
      site_id                 uuid NOT NULL REFERENCES scheduling.sites (site_id),
      patient_id              uuid NOT NULL,
      episode_id              uuid NOT NULL,
      enrolment_id            uuid NOT NULL REFERENCES scheduling.enrolments (enrolment_id),
      version                 integer NOT NULL CHECK (version >= 1),
      weekly_group_minutes    integer NOT NULL CHECK (weekly_group_minutes >= 0),
      individual_per_week     integer NOT NULL CHECK (individual_per_week >= 0),
      family_per_month        integer NOT NULL CHECK (family_per_month >= 0),
      psychiatric_per_month   integer NOT NULL CHECK (psychiatric_per_month >= 0),
      goals                   jsonb NOT NULL DEFAULT '[]',
      effective_from          date NOT NULL,
      next_review_on          date NOT NULL,
      updated_by              text NOT NULL,
      updated_at              timestamptz NOT NULL DEFAULT now(),
      UNIQUE (enrolment_id)
    )`);
    await q.query(`CREATE TABLE scheduling.treatment_plan_versions (
      plan_id    uuid NOT NULL REFERENCES scheduling.treatment_plans (plan_id),
      version    integer NOT NULL,
      site_id    uuid NOT NULL REFERENCES scheduling.sites (site_id),
      plan       jsonb NOT NULL,
      reason     text NOT NULL,
      changed_by text NOT NULL,
      changed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (plan_id, version)
    )`);

    // Reminders emitted: the row and the outbox event commit together, so each reminder leaves exactly once.
    await q.query(`CREATE TABLE scheduling.reminders_sent (
      source_kind text NOT NULL,
      source_id   uuid NOT NULL,
      holder_kind text NOT NULL,
      holder_id   uuid NOT NULL,
      lead        text NOT NULL CHECK (lead IN ('24h', '2h')),
      site_id     uuid NOT NULL REFERENCES scheduling.sites (site_id),
      starts_at   timestamptz NOT NULL,
      sent_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source_kind, source_id, holder_kind, holder_id, lead)
    )`);

    for (const table of [
      'clinicians',
      'rooms',
      'programs',
      'tracks',
      'track_sessions',
      'sessions',
      'closures',
      'enrolments',
      'appointments',
      'seat_bookings',
      'commitments',
      'treatment_plans',
      'treatment_plan_versions',
      'reminders_sent',
    ]) {
      for (const sql of siteIsolationSql('scheduling', table)) await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'reminders_sent',
      'treatment_plan_versions',
      'treatment_plans',
      'commitments',
      'seat_bookings',
      'appointments',
      'enrolments',
      'closures',
      'sessions',
      'track_sessions',
      'tracks',
      'programs',
      'rooms',
      'clinicians',
    ]) {
      await q.query(`DROP TABLE scheduling.${table}`);
    }
  }
}
