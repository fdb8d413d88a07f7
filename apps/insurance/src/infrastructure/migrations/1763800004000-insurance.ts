import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * The PPO payers the network accepts (DOMAIN.md). Electronic payer ids are clearinghouse-assigned and differ
 * between clearinghouses and regions: the ones here are placeholders to check against the clearinghouse's payer
 * list before production. PPO rental networks (Beech Street, MultiPlan, Prime Health Services) and the
 * behavioural-health managers are not answered electronically here: eligibility goes by phone.
 */
const PAYERS: ReadonlyArray<readonly [id: string, name: string, electronicId: string | null, route: string, phone: string]> = [
  ['aetna', 'Aetna', '60054', 'clearinghouse', '800-555-0101'],
  ['amerihealth', 'AmeriHealth', '60061', 'clearinghouse', '800-555-0102'],
  ['anthem', 'Anthem', '00227', 'clearinghouse', '800-555-0103'],
  ['beacon', 'Beacon Health Options', '43324', 'clearinghouse', '800-555-0104'],
  ['beech-street', 'Beech Street', null, 'phone', '800-555-0105'],
  ['bcbs', 'Blue Cross Blue Shield', '00700', 'clearinghouse', '800-555-0106'],
  ['cigna', 'Cigna', '62308', 'clearinghouse', '800-555-0107'],
  ['harvard-pilgrim', 'Harvard Pilgrim Health Care', '04271', 'clearinghouse', '800-555-0108'],
  ['health-net', 'Health Net', '95567', 'clearinghouse', '800-555-0109'],
  ['magellan', 'Magellan Healthcare', '01260', 'clearinghouse', '800-555-0110'],
  ['multiplan', 'MultiPlan', null, 'phone', '800-555-0111'],
  ['prime-health-services', 'Prime Health Services', null, 'phone', '800-555-0112'],
  ['tufts', 'Tufts Health Plan', '04298', 'clearinghouse', '800-555-0113'],
];

export class Insurance1763800004000 implements MigrationInterface {
  name = 'Insurance1763800004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE insurance.payers (
      payer_id            text PRIMARY KEY CHECK (payer_id ~ '^[a-z0-9-]{2,80}$'),
      name                text NOT NULL,
      electronic_payer_id text,
      routing             text NOT NULL CHECK (routing IN ('clearinghouse', 'phone')),
      phone               text,
      revision            integer NOT NULL DEFAULT 1,
      updated_at          timestamptz NOT NULL DEFAULT now(),
      CHECK (routing = 'phone' OR electronic_payer_id IS NOT NULL)
    )`);
    for (const [id, name, electronicId, route, phone] of PAYERS) {
      await q.query(`INSERT INTO insurance.payers (payer_id, name, electronic_payer_id, routing, phone) VALUES ($1, $2, $3, $4, $5)`, [
        id,
        name,
        electronicId,
        route,
        phone,
      ]);
    }

    // PHI: member id, names and birth dates of the subscriber and patient.
    await q.query(`CREATE TABLE insurance.coverages (
      coverage_id   uuid PRIMARY KEY,
      site_id       uuid NOT NULL,
      patient_id    uuid NOT NULL,
      payer_id      text NOT NULL REFERENCES insurance.payers (payer_id),
      priority      text NOT NULL CHECK (priority IN ('primary', 'secondary')),
      member_id     text NOT NULL,
      group_number  text,
      relationship  text NOT NULL CHECK (relationship IN ('self', 'spouse', 'child', 'other-adult')),
      subscriber    jsonb NOT NULL,
      patient       jsonb,
      plan_begin    date,
      plan_end      date,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now(),
      CHECK (plan_end IS NULL OR plan_begin IS NULL OR plan_begin <= plan_end),
      CHECK ((relationship = 'self') = (patient IS NULL))
    )`);
    await q.query(`CREATE UNIQUE INDEX coverages_one_per_priority ON insurance.coverages (site_id, patient_id, priority)`);

    await q.query(`CREATE TABLE insurance.consents (
      consent_id  uuid PRIMARY KEY,
      site_id     uuid NOT NULL,
      patient_id  uuid NOT NULL,
      discloser   jsonb NOT NULL,
      recipients  jsonb NOT NULL,
      purposes    text[] NOT NULL,
      information jsonb NOT NULL,
      signed_at   timestamptz NOT NULL,
      expires_at  timestamptz
    )`);
    await q.query(`CREATE INDEX consents_patient ON insurance.consents (patient_id)`);
    // Kept apart from grants so a revocation that overtakes its grant still counts when the grant arrives.
    await q.query(`CREATE TABLE insurance.consent_revocations (
      consent_id uuid PRIMARY KEY,
      site_id    uuid NOT NULL,
      patient_id uuid NOT NULL,
      revoked_at timestamptz NOT NULL
    )`);

    await q.query(`CREATE TABLE insurance.verifications (
      verification_id uuid PRIMARY KEY,
      site_id         uuid NOT NULL,
      patient_id      uuid NOT NULL,
      coverage_id     uuid REFERENCES insurance.coverages (coverage_id),
      payer_id        text REFERENCES insurance.payers (payer_id),
      service_date    date NOT NULL,
      program_type    text NOT NULL,
      request_id      uuid UNIQUE,
      status          text NOT NULL CHECK (status IN ('queued', 'in-progress', 'verified', 'rejected', 'failed', 'awaiting-phone')),
      method          text CHECK (method IN ('electronic', 'phone')),
      from_cache      boolean NOT NULL DEFAULT false,
      reason          text,
      outcome         jsonb,
      benefits        jsonb,
      requested_by    text NOT NULL,
      created_at      timestamptz NOT NULL DEFAULT now(),
      claimed_at      timestamptz,
      completed_at    timestamptz
    )`);
    await q.query(`CREATE INDEX verifications_queued ON insurance.verifications (created_at) WHERE status IN ('queued', 'in-progress')`);

    // Patients in treatment, from intake's admissions: whose coverage is re-verified at the start of each month.
    await q.query(`CREATE TABLE insurance.episodes (
      episode_id    uuid PRIMARY KEY,
      site_id       uuid NOT NULL,
      patient_id    uuid NOT NULL,
      program_type  text NOT NULL,
      planned_start date NOT NULL,
      admitted_at   timestamptz NOT NULL
    )`);

    await q.query(`CREATE TABLE insurance.eligibility_exchanges (
      exchange_id     bigserial PRIMARY KEY,
      verification_id uuid NOT NULL REFERENCES insurance.verifications (verification_id),
      site_id         uuid NOT NULL,
      patient_id      uuid NOT NULL,
      payer_id        text NOT NULL,
      direction       text NOT NULL CHECK (direction IN ('270', '271')),
      body            text NOT NULL,
      at              timestamptz NOT NULL DEFAULT now()
    )`);

    // ISA13/GS06: unique per interchange we send, so the clearinghouse can spot a duplicate.
    await q.query(`CREATE SEQUENCE insurance.interchange_control_numbers MINVALUE 1 MAXVALUE 999999999 CYCLE`);

    await q.query(`CREATE TABLE insurance.phone_tasks (
      task_id         uuid PRIMARY KEY,
      verification_id uuid NOT NULL UNIQUE REFERENCES insurance.verifications (verification_id),
      site_id         uuid NOT NULL,
      patient_id      uuid NOT NULL,
      payer_id        text NOT NULL,
      reason          text NOT NULL,
      status          text NOT NULL CHECK (status IN ('open', 'completed')),
      answer          jsonb,
      completed_by    text,
      created_at      timestamptz NOT NULL DEFAULT now(),
      completed_at    timestamptz
    )`);
    await q.query(`CREATE INDEX phone_tasks_open ON insurance.phone_tasks (site_id, created_at) WHERE status = 'open'`);

    await q.query(`CREATE TABLE insurance.fee_schedule (
      site_id        uuid NOT NULL,
      billing_code   text NOT NULL CHECK (billing_code IN ('H0015', 'S9480')),
      per_diem_cents integer NOT NULL CHECK (per_diem_cents > 0),
      updated_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (site_id, billing_code)
    )`);

    await q.query(`CREATE TABLE insurance.authorizations (
      authorization_id uuid PRIMARY KEY,
      site_id          uuid NOT NULL,
      patient_id       uuid NOT NULL,
      payer_id         text NOT NULL REFERENCES insurance.payers (payer_id),
      payer_reference  text NOT NULL,
      service_code     text NOT NULL CHECK (service_code IN ('H0015', 'S9480')),
      units_approved   integer NOT NULL CHECK (units_approved > 0),
      start_date       date NOT NULL,
      end_date         date NOT NULL,
      recorded_by      text NOT NULL,
      created_at       timestamptz NOT NULL DEFAULT now(),
      CHECK (start_date <= end_date)
    )`);
    await q.query(`CREATE INDEX authorizations_patient ON insurance.authorizations (site_id, patient_id)`);
    // One row per attended day, keyed by the attendance event, so a redelivered event counts once.
    await q.query(`CREATE TABLE insurance.authorization_usage (
      source_event_id  uuid PRIMARY KEY,
      authorization_id uuid NOT NULL REFERENCES insurance.authorizations (authorization_id),
      site_id          uuid NOT NULL,
      service_date     date NOT NULL,
      units            integer NOT NULL CHECK (units > 0)
    )`);

    for (const table of [
      'coverages',
      'consents',
      'consent_revocations',
      'verifications',
      'eligibility_exchanges',
      'phone_tasks',
      'fee_schedule',
      'authorizations',
      'authorization_usage',
      'episodes',
    ]) {
      for (const sql of siteIsolationSql('insurance', table)) await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'episodes',
      'authorization_usage',
      'authorizations',
      'fee_schedule',
      'phone_tasks',
      'eligibility_exchanges',
      'verifications',
      'consent_revocations',
      'consents',
      'coverages',
      'payers',
    ]) {
      await q.query(`DROP TABLE insurance.${table}`);
    }
    await q.query(`DROP SEQUENCE insurance.interchange_control_numbers`);
  }
}
