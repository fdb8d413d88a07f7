import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Everything after the discharge: aftercare's own record of each signed discharge as its event told it (the
 * discharge itself is written by the discharge module), the follow-up contacts planned from it, the aftercare
 * plan with every version, outcome check-ins, readmission referrals, the admissions intake reports (to see
 * readmissions) and a revision counter per site-month for the analysts' aggregates. Every table carries its site
 * and is under row-level security.
 */
export class FollowUps1763800031000 implements MigrationInterface {
  name = 'FollowUps1763800031000';

  async up(q: QueryRunner): Promise<void> {
    // One row per discharged episode, from aftercare.patient-discharged (and -amended): what follow-ups are planned from.
    await q.query(`CREATE TABLE aftercare.follow_up_discharges (
      episode_id              uuid PRIMARY KEY,
      discharge_id            uuid NOT NULL,
      patient_id              uuid NOT NULL,
      site_id                 uuid NOT NULL,
      discharge_type          text NOT NULL,
      admitted_on             date NOT NULL,
      discharged_on           date NOT NULL,
      time_zone               text NOT NULL,
      amendment               integer NOT NULL DEFAULT 0,
      readmission_episode_id  uuid,
      readmitted_on           date,
      created_at              timestamptz NOT NULL DEFAULT now(),
      updated_at              timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX follow_up_discharges_site_day ON aftercare.follow_up_discharges (site_id, discharged_on)`);
    await q.query(`CREATE INDEX follow_up_discharges_patient ON aftercare.follow_up_discharges (patient_id, discharged_on)`);

    // The follow-up contacts: due on the site-local day discharged_on + day_offset, from due_at (that day's local
    // midnight) to overdue_at (the next local midnight), both instants computed in the site's zone.
    await q.query(`CREATE TABLE aftercare.follow_ups (
      follow_up_id         uuid PRIMARY KEY,
      episode_id           uuid NOT NULL REFERENCES aftercare.follow_up_discharges (episode_id),
      patient_id           uuid NOT NULL,
      site_id              uuid NOT NULL,
      day_offset           integer NOT NULL CHECK (day_offset > 0),
      due_on               date NOT NULL,
      due_at               timestamptz NOT NULL,
      overdue_at           timestamptz NOT NULL,
      state                text NOT NULL DEFAULT 'due' CHECK (state IN ('due', 'overdue', 'done', 'unreachable')),
      due_published_at     timestamptz,
      missed_published_at  timestamptz,
      completed_at         timestamptz,
      completed_method     text,
      completed_by         text,
      created_at           timestamptz NOT NULL DEFAULT now(),
      updated_at           timestamptz NOT NULL DEFAULT now(),
      UNIQUE (episode_id, day_offset),
      CHECK (overdue_at > due_at),
      CHECK ((state IN ('done', 'unreachable')) = (completed_at IS NOT NULL))
    )`);
    await q.query(`CREATE INDEX follow_ups_to_announce ON aftercare.follow_ups (due_at) WHERE due_published_at IS NULL AND state = 'due'`);
    await q.query(`CREATE INDEX follow_ups_to_miss ON aftercare.follow_ups (overdue_at) WHERE state = 'due'`);
    await q.query(`CREATE INDEX follow_ups_site_due ON aftercare.follow_ups (site_id, due_on)`);

    // Every contact attempt (append-only): method, outcome, when.
    await q.query(`CREATE TABLE aftercare.follow_up_attempts (
      attempt_id     uuid PRIMARY KEY,
      follow_up_id   uuid NOT NULL REFERENCES aftercare.follow_ups (follow_up_id),
      site_id        uuid NOT NULL,
      method         text NOT NULL,
      outcome        text NOT NULL CHECK (outcome IN ('reached', 'no-answer', 'left-message', 'wrong-number', 'declined')),
      attempted_at   timestamptz NOT NULL,
      recorded_by    text NOT NULL,
      recorded_at    timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX follow_up_attempts_follow_up ON aftercare.follow_up_attempts (follow_up_id, attempted_at)`);

    // The aftercare plan of a discharged episode; each version kept whole (append-only).
    await q.query(`CREATE TABLE aftercare.plans (
      plan_id      uuid PRIMARY KEY,
      episode_id   uuid NOT NULL UNIQUE REFERENCES aftercare.follow_up_discharges (episode_id),
      patient_id   uuid NOT NULL,
      site_id      uuid NOT NULL,
      version      integer NOT NULL CHECK (version >= 1),
      created_at   timestamptz NOT NULL DEFAULT now(),
      updated_at   timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE aftercare.plan_versions (
      plan_id      uuid NOT NULL REFERENCES aftercare.plans (plan_id),
      version      integer NOT NULL,
      site_id      uuid NOT NULL,
      items        jsonb NOT NULL,
      recorded_by  text NOT NULL,
      recorded_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (plan_id, version)
    )`);

    // Outcome check-ins (append-only): the answers as given and their scores.
    await q.query(`CREATE TABLE aftercare.outcome_check_ins (
      check_in_id     uuid PRIMARY KEY,
      episode_id      uuid NOT NULL REFERENCES aftercare.follow_up_discharges (episode_id),
      follow_up_id    uuid REFERENCES aftercare.follow_ups (follow_up_id),
      patient_id      uuid NOT NULL,
      site_id         uuid NOT NULL,
      taken_at        timestamptz NOT NULL,
      phq9_answers    smallint[],
      phq9_total      smallint,
      phq9_band       text,
      gad7_answers    smallint[],
      gad7_total      smallint,
      gad7_band       text,
      bam_answers     jsonb,
      bam_use         smallint,
      bam_risk        smallint,
      bam_protective  smallint,
      bam_progress    smallint,
      days_abstinent  integer CHECK (days_abstinent >= 0),
      recorded_by     text NOT NULL,
      recorded_at     timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX outcome_check_ins_episode ON aftercare.outcome_check_ins (episode_id, taken_at)`);
    await q.query(`CREATE TABLE aftercare.outcome_safety_concerns (
      concern_id   uuid PRIMARY KEY,
      check_in_id  uuid NOT NULL REFERENCES aftercare.outcome_check_ins (check_in_id),
      episode_id   uuid NOT NULL,
      site_id      uuid NOT NULL,
      risk_level   text NOT NULL CHECK (risk_level IN ('low', 'moderate', 'high')),
      origin       text NOT NULL,
      raised_at    timestamptz NOT NULL
    )`);

    // Readmission referrals sent to intake, at most one per follow-up.
    await q.query(`CREATE TABLE aftercare.readmission_referrals (
      readmission_referral_id  uuid PRIMARY KEY,
      follow_up_id             uuid UNIQUE REFERENCES aftercare.follow_ups (follow_up_id),
      episode_id               uuid NOT NULL REFERENCES aftercare.follow_up_discharges (episode_id),
      patient_id               uuid NOT NULL,
      site_id                  uuid NOT NULL,
      reason                   text NOT NULL CHECK (reason IN ('relapse', 'high-risk', 'patient-request')),
      referred_by              text NOT NULL,
      referred_at              timestamptz NOT NULL DEFAULT now()
    )`);
    // Admissions as intake reports them (intake.patient-admitted), at any site: a new admission after a discharge is a readmission.
    await q.query(`CREATE TABLE aftercare.readmission_admissions (
      episode_id      uuid PRIMARY KEY,
      patient_id      uuid NOT NULL,
      site_id         uuid NOT NULL,
      admitted_on     date NOT NULL,
      readmission_of  uuid,
      received_at     timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX readmission_admissions_patient ON aftercare.readmission_admissions (patient_id, admitted_on)`);

    // The revision of each site-month the analysts' aggregate was published at.
    await q.query(`CREATE TABLE aftercare.measure_site_months (
      site_id      uuid NOT NULL,
      month        text NOT NULL CHECK (month ~ '^\\d{4}-(0[1-9]|1[0-2])$'),
      revision     integer NOT NULL DEFAULT 1,
      updated_at   timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (site_id, month)
    )`);

    for (const table of [
      'follow_up_discharges',
      'follow_ups',
      'follow_up_attempts',
      'plans',
      'plan_versions',
      'outcome_check_ins',
      'outcome_safety_concerns',
      'readmission_referrals',
      'readmission_admissions',
      'measure_site_months',
    ]) {
      for (const sql of siteIsolationSql('aftercare', table)) await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'measure_site_months',
      'readmission_admissions',
      'readmission_referrals',
      'outcome_safety_concerns',
      'outcome_check_ins',
      'plan_versions',
      'plans',
      'follow_up_attempts',
      'follow_ups',
      'follow_up_discharges',
    ]) {
      await q.query(`DROP TABLE aftercare.${table}`);
    }
  }
}
