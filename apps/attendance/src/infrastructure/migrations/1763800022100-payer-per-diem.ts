import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Per-payer per-diem days: each patient's payer at a site (from insurance's coverage-verified), so a day is billed by
 * the payer's rule (ATTENDANCE_PAYER_PER_DIEM), and the units a billable day was recorded with (half days for a payer
 * that counts them; 1 for every day recorded before).
 */
export class PayerPerDiem1763800022100 implements MigrationInterface {
  name = 'PayerPerDiem1763800022100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE attendance.patient_payers (
      patient_id   uuid NOT NULL,
      site_id      uuid NOT NULL,
      payer_id     text NOT NULL,
      verified_at  timestamptz NOT NULL,
      PRIMARY KEY (patient_id, site_id)
    )`);
    for (const sql of siteIsolationSql('attendance', 'patient_payers')) await q.query(sql);
    await q.query(`ALTER TABLE attendance.billable_days ADD COLUMN units integer NOT NULL DEFAULT 1 CHECK (units >= 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attendance.billable_days DROP COLUMN units`);
    await q.query(`DROP TABLE attendance.patient_payers`);
  }
}
