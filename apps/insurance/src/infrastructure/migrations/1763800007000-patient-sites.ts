import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Which patients each site has, from intake's referrals: insurance refuses coverages and authorisations for a
 * patient its site never referred (ADR 0014). Filled from what insurance already learnt from intake (admissions
 * and consents); the consumer's first read of `intake.referrals` (kept forever, read from the beginning) adds the
 * rest.
 */
export class PatientSites1763800007000 implements MigrationInterface {
  name = 'PatientSites1763800007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE insurance.patient_sites (
      patient_id        uuid NOT NULL,
      site_id           uuid NOT NULL,
      first_referral_id uuid,
      known_since       timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (patient_id, site_id)
    )`);
    for (const sql of siteIsolationSql('insurance', 'patient_sites')) await q.query(sql);
    // Network-wide for this transaction only, so the copy works whether or not the migrating login bypasses row-level security.
    await q.query(`SELECT set_config('app.site_ids', '*', true)`);
    await q.query(`INSERT INTO insurance.patient_sites (patient_id, site_id)
      SELECT patient_id, site_id FROM insurance.episodes
      UNION SELECT patient_id, site_id FROM insurance.consents
      ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE insurance.patient_sites`);
  }
}
