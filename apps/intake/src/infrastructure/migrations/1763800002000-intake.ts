import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/** Every table holds one site's patients, so every table is under row-level security. */
const SITE_TABLES = [
  'patients',
  'referrals',
  'pre_screens',
  'safety_concerns',
  'consents',
  'assessments',
  'site_capacity',
  'episodes',
  'admission_requests',
  'waitlist_entries',
  'follow_up_tasks',
] as const;

/** Names, dates of birth and phone numbers: never copied into events, logs or other services. */
const PHI_COLUMNS = [
  ['patients', 'given_name'],
  ['patients', 'family_name'],
  ['patients', 'date_of_birth'],
  ['patients', 'phone'],
  ['patients', 'phone_normalised'],
  ['referrals', 'source_detail'],
  ['referrals', 'concern_notes'],
  ['consents', 'document'],
] as const;

export class Intake1763800002000 implements MigrationInterface {
  name = 'Intake1763800002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE intake.patients (
      patient_id       uuid PRIMARY KEY,
      site_id          uuid NOT NULL,
      given_name       text NOT NULL,
      family_name      text NOT NULL,
      date_of_birth    date,
      phone            text,
      phone_normalised text,
      created_at       timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX patients_site_dob ON intake.patients (site_id, date_of_birth)`);
    await q.query(`CREATE INDEX patients_site_phone ON intake.patients (site_id, phone_normalised)`);

    await q.query(`CREATE TABLE intake.referrals (
      referral_id               uuid PRIMARY KEY,
      patient_id                uuid NOT NULL REFERENCES intake.patients,
      site_id                   uuid NOT NULL,
      source                    text NOT NULL,
      source_detail             text,
      urgency                   text NOT NULL CHECK (urgency IN ('routine', 'expedited', 'urgent')),
      presenting_concerns       text[] NOT NULL,
      concern_notes             text,
      stage                     text NOT NULL,
      received_at               timestamptz NOT NULL,
      last_changed_at           timestamptz NOT NULL,
      assessment_appointment_at timestamptz,
      closure                   jsonb,
      assessed_at               timestamptz,
      admitted_at               timestamptz,
      repeat_caller             jsonb,
      created_by                text NOT NULL
    )`);
    await q.query(`CREATE INDEX referrals_site_stage ON intake.referrals (site_id, stage, received_at)`);
    await q.query(`CREATE INDEX referrals_patient ON intake.referrals (patient_id)`);

    await q.query(`CREATE TABLE intake.pre_screens (
      pre_screen_id uuid PRIMARY KEY,
      referral_id   uuid NOT NULL REFERENCES intake.referrals,
      site_id       uuid NOT NULL,
      answers       jsonb NOT NULL,
      outcome       jsonb NOT NULL,
      recorded_by   text NOT NULL,
      recorded_at   timestamptz NOT NULL
    )`);

    await q.query(`CREATE TABLE intake.safety_concerns (
      concern_id  uuid PRIMARY KEY,
      referral_id uuid NOT NULL REFERENCES intake.referrals,
      site_id     uuid NOT NULL,
      risk_level  text NOT NULL,
      origin      text NOT NULL,
      raised_at   timestamptz NOT NULL
    )`);

    await q.query(`CREATE TABLE intake.consents (
      consent_id  uuid PRIMARY KEY,
      patient_id  uuid NOT NULL REFERENCES intake.patients,
      site_id     uuid NOT NULL,
      document    jsonb NOT NULL,
      signed_at   timestamptz NOT NULL,
      expires_at  timestamptz,
      revoked_at  timestamptz,
      recorded_by text NOT NULL,
      recorded_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX consents_patient ON intake.consents (patient_id)`);

    await q.query(`CREATE TABLE intake.assessments (
      assessment_id  uuid PRIMARY KEY,
      referral_id    uuid NOT NULL UNIQUE REFERENCES intake.referrals,
      patient_id     uuid NOT NULL REFERENCES intake.patients,
      site_id        uuid NOT NULL,
      ratings        jsonb NOT NULL,
      phq9           jsonb NOT NULL,
      gad7           jsonb NOT NULL,
      recommendation jsonb NOT NULL,
      decision       jsonb NOT NULL,
      assessed_by    text NOT NULL,
      assessed_at    timestamptz NOT NULL
    )`);

    // The row admissions to a site lock, so that two coordinators cannot both take its last place.
    await q.query(`CREATE TABLE intake.site_capacity (site_id uuid PRIMARY KEY)`);

    await q.query(`CREATE TABLE intake.episodes (
      episode_id           uuid PRIMARY KEY,
      referral_id          uuid NOT NULL UNIQUE REFERENCES intake.referrals,
      patient_id           uuid NOT NULL REFERENCES intake.patients,
      site_id              uuid NOT NULL,
      program_type         text NOT NULL,
      level_of_care        text NOT NULL,
      planned_weekly_hours numeric NOT NULL,
      planned_start        date NOT NULL,
      payment              text NOT NULL CHECK (payment IN ('insurance', 'self-pay')),
      status               text NOT NULL CHECK (status IN ('active', 'ended')),
      admitted_at          timestamptz NOT NULL,
      admitted_by          text NOT NULL,
      ended_at             timestamptz
    )`);
    await q.query(`CREATE INDEX episodes_site_active ON intake.episodes (site_id) WHERE status = 'active'`);

    await q.query(`CREATE TABLE intake.admission_requests (
      request_id    uuid PRIMARY KEY,
      referral_id   uuid NOT NULL REFERENCES intake.referrals,
      patient_id    uuid NOT NULL REFERENCES intake.patients,
      site_id       uuid NOT NULL,
      payment       text NOT NULL CHECK (payment IN ('insurance', 'self-pay')),
      payer_id      text,
      planned_start date NOT NULL,
      status        text NOT NULL,
      answer_by     timestamptz,
      outcome       jsonb,
      requested_by  text NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `CREATE UNIQUE INDEX admission_requests_one_open ON intake.admission_requests (referral_id) WHERE status IN ('awaiting-coverage', 'timed-out')`,
    );
    await q.query(`CREATE INDEX admission_requests_due ON intake.admission_requests (answer_by) WHERE status = 'awaiting-coverage'`);

    await q.query(`CREATE TABLE intake.waitlist_entries (
      entry_id        uuid PRIMARY KEY,
      referral_id     uuid NOT NULL REFERENCES intake.referrals,
      patient_id      uuid NOT NULL REFERENCES intake.patients,
      site_id         uuid NOT NULL,
      urgency         text NOT NULL,
      referral_source text NOT NULL,
      added_at        timestamptz NOT NULL,
      offer_status    text CHECK (offer_status IN ('pending', 'declined')),
      offered_at      timestamptz,
      declined_at     timestamptz,
      removed_at      timestamptz,
      removed_reason  text
    )`);
    await q.query(`CREATE UNIQUE INDEX waitlist_one_entry_per_referral ON intake.waitlist_entries (referral_id) WHERE removed_at IS NULL`);

    await q.query(`CREATE TABLE intake.follow_up_tasks (
      task_id      uuid PRIMARY KEY,
      site_id      uuid NOT NULL,
      referral_id  uuid NOT NULL REFERENCES intake.referrals,
      patient_id   uuid NOT NULL REFERENCES intake.patients,
      kind         text NOT NULL,
      detail       text NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      completed_by text
    )`);
    await q.query(`CREATE INDEX follow_up_tasks_open ON intake.follow_up_tasks (site_id, created_at) WHERE completed_at IS NULL`);

    for (const [table, column] of PHI_COLUMNS) await q.query(`COMMENT ON COLUMN intake.${table}.${column} IS 'PHI'`);
    for (const table of SITE_TABLES) for (const sql of siteIsolationSql('intake', table)) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...SITE_TABLES].reverse()) await q.query(`DROP TABLE intake.${table}`);
  }
}
