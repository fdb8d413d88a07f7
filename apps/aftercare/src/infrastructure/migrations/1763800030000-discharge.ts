import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Discharge and alumni. Read models of other services' events (episodes from intake's admissions, programs from
 * scheduling, attended sessions from attendance), the reason table, the discharges (a draft, edited until a clinician
 * signs it; a signed row is never changed again), their amendments and the alumni consents (both append-only).
 */
export class Discharge1763800030000 implements MigrationInterface {
  name = 'Discharge1763800030000';

  async up(q: QueryRunner): Promise<void> {
    // Episodes: one per intake.patient-admitted; discharged when a discharge is signed.
    await q.query(`CREATE TABLE aftercare.episodes (
      episode_id     uuid PRIMARY KEY,
      patient_id     uuid NOT NULL,
      site_id        uuid NOT NULL,
      referral_id    uuid NOT NULL,
      level_of_care  text NOT NULL,
      admitted_on    date NOT NULL,
      status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'discharged')),
      discharged_on  date,
      admitted_at    timestamptz NOT NULL,
      updated_at     timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'discharged') = (discharged_on IS NOT NULL))
    )`);
    await q.query(`CREATE INDEX episodes_patient ON aftercare.episodes (patient_id, site_id)`);
    await q.query(`CREATE INDEX episodes_active ON aftercare.episodes (site_id) WHERE status = 'active'`);
    // Programs of the network a patient may step down to (scheduling.programs): no names, rules only.
    await q.query(`CREATE TABLE aftercare.programs (
      program_id     uuid PRIMARY KEY,
      site_id        uuid NOT NULL,
      kind           text NOT NULL,
      level_of_care  text NOT NULL CHECK (level_of_care IN ('1', '2.1', '2.5')),
      revision       integer NOT NULL
    )`);
    // Attendance as attendance.sessions tells it: the latest revision of each record, for the summary's totals.
    await q.query(`CREATE TABLE aftercare.attendance_records (
      record_id         uuid PRIMARY KEY,
      episode_id        uuid,
      patient_id        uuid NOT NULL,
      site_id           uuid NOT NULL,
      service_date      date NOT NULL,
      status            text NOT NULL,
      attended_minutes  integer NOT NULL CHECK (attended_minutes >= 0),
      revision          integer NOT NULL,
      occurred_at       timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX attendance_records_episode ON aftercare.attendance_records (episode_id, service_date)`);
    await q.query(`CREATE INDEX attendance_records_patient ON aftercare.attendance_records (patient_id, site_id, service_date)`);
    // The reason codes each type of discharge allows: configuration for the whole network (no site, no PHI).
    await q.query(`CREATE TABLE aftercare.discharge_reasons (
      type    text NOT NULL,
      code    text NOT NULL CHECK (code ~ '^[a-z0-9-]{2,40}$'),
      active  boolean NOT NULL DEFAULT true,
      PRIMARY KEY (type, code)
    )`);
    const reasons: Record<string, string[]> = {
      completed: ['goals-met', 'program-completed'],
      'step-down': ['goals-met', 'clinical-improvement', 'patient-preference'],
      'step-up': ['needs-higher-level', 'safety-risk', 'medical-need', 'relapse'],
      transfer: ['moved-away', 'closer-to-home', 'schedule-conflict', 'patient-preference'],
      'against-clinical-advice': ['patient-left', 'patient-request'],
      administrative: ['coverage-ended', 'program-rules', 'program-closed', 'incarcerated', 'deceased'],
      'lost-to-contact': ['non-attendance', 'unreachable'],
    };
    for (const [type, codes] of Object.entries(reasons)) {
      for (const code of codes) await q.query(`INSERT INTO aftercare.discharge_reasons (type, code) VALUES ($1, $2)`, [type, code]);
    }
    const TYPES = `('completed', 'step-down', 'step-up', 'transfer', 'against-clinical-advice', 'administrative', 'lost-to-contact')`;
    // One discharge per episode: a draft until signed; once signed the row is never changed (amendments are rows of their own).
    await q.query(`CREATE TABLE aftercare.discharges (
      discharge_id          uuid PRIMARY KEY,
      episode_id            uuid NOT NULL UNIQUE REFERENCES aftercare.episodes (episode_id),
      patient_id            uuid NOT NULL,
      site_id               uuid NOT NULL,
      status                text NOT NULL CHECK (status IN ('draft', 'signed')),
      type                  text NOT NULL CHECK (type IN ${TYPES}),
      reason_code           text NOT NULL,
      discharged_on         date NOT NULL,
      step_down_program_id  uuid,
      step_down_level       text CHECK (step_down_level IN ('1', '2.1', '2.5')),
      step_up_destination   text CHECK (step_up_destination IN ('php-2.5', 'residential', 'inpatient')),
      transfer_to_site_id   uuid,
      goals_total           integer CHECK (goals_total >= 0),
      goals_met             integer CHECK (goals_met >= 0),
      goals_partly          integer CHECK (goals_partly >= 0),
      summary_text          text,
      admitted_on           date NOT NULL,
      sessions_attended     integer NOT NULL DEFAULT 0,
      attended_minutes      integer NOT NULL DEFAULT 0,
      first_outcome         jsonb,
      last_outcome          jsonb,
      proposed_by           text NOT NULL CHECK (proposed_by IN ('clinician', 'lost-to-contact-sweep')),
      created_by            text NOT NULL,
      created_at            timestamptz NOT NULL DEFAULT now(),
      updated_by            text NOT NULL,
      updated_at            timestamptz NOT NULL DEFAULT now(),
      signed_by             text,
      signed_at             timestamptz,
      CHECK ((status = 'signed') = (signed_at IS NOT NULL)),
      FOREIGN KEY (type, reason_code) REFERENCES aftercare.discharge_reasons (type, code)
    )`);
    await q.query(`CREATE INDEX discharges_site_newest ON aftercare.discharges (site_id, created_at DESC, discharge_id DESC)`);
    // A signed discharge is a signed clinical record: whatever the code does, the database refuses to change it.
    await q.query(`CREATE FUNCTION aftercare.discharge_signed_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'discharge % is signed: amend it, never update it', OLD.discharge_id USING ERRCODE = 'check_violation';
      END $$`);
    await q.query(`CREATE TRIGGER discharges_signed_final BEFORE UPDATE OR DELETE ON aftercare.discharges
      FOR EACH ROW WHEN (OLD.status = 'signed') EXECUTE FUNCTION aftercare.discharge_signed_is_final()`);
    // Amendments of a signed discharge: each the discharge as it stands after it, with the clinician's reason. Append-only.
    await q.query(`CREATE TABLE aftercare.discharge_amendments (
      amendment_id          uuid PRIMARY KEY,
      discharge_id          uuid NOT NULL REFERENCES aftercare.discharges (discharge_id),
      amendment             integer NOT NULL CHECK (amendment >= 1),
      patient_id            uuid NOT NULL,
      site_id               uuid NOT NULL,
      type                  text NOT NULL CHECK (type IN ${TYPES}),
      reason_code           text NOT NULL,
      discharged_on         date NOT NULL,
      step_down_program_id  uuid,
      step_down_level       text,
      step_up_destination   text,
      transfer_to_site_id   uuid,
      reason                text NOT NULL,
      amended_by            text NOT NULL,
      amended_at            timestamptz NOT NULL DEFAULT now(),
      UNIQUE (discharge_id, amendment),
      FOREIGN KEY (type, reason_code) REFERENCES aftercare.discharge_reasons (type, code)
    )`);
    // Alumni contact consents: every opt-in and opt-out kept; the latest per patient and site is the answer. Append-only.
    await q.query(`CREATE TABLE aftercare.alumni_consents (
      consent_id   uuid PRIMARY KEY,
      patient_id   uuid NOT NULL,
      site_id      uuid NOT NULL,
      opt_in       boolean NOT NULL,
      recorded_by  text NOT NULL,
      recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
    await q.query(`CREATE INDEX alumni_consents_latest ON aftercare.alumni_consents (site_id, patient_id, recorded_at DESC)`);
    for (const table of ['episodes', 'programs', 'attendance_records', 'discharges', 'discharge_amendments', 'alumni_consents']) {
      for (const sql of siteIsolationSql('aftercare', table)) await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['alumni_consents', 'discharge_amendments', 'discharges', 'discharge_reasons', 'attendance_records', 'programs', 'episodes']) {
      await q.query(`DROP TABLE aftercare.${table}`);
    }
    await q.query(`DROP FUNCTION aftercare.discharge_signed_is_final()`);
  }
}
