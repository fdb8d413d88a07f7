import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A stuck verification was claimed again every 120 s with no limit, so a payer could get a new 270 every two
 * minutes: `attempts` counts the 270s recorded for it, and past the cap it becomes a phone task. Monthly
 * re-verification was check-then-insert, so two replicas could queue the same month twice: at most one per
 * patient, site and month, by a unique index the insert goes through (ON CONFLICT DO NOTHING).
 */
export class VerificationAttempts1763800009000 implements MigrationInterface {
  name = 'VerificationAttempts1763800009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance.verifications ADD COLUMN attempts integer NOT NULL DEFAULT 0, ADD COLUMN reverification_month date`);
    await q.query(`SELECT set_config('app.site_ids', '*', true)`);
    // Rows queued before: the earliest monthly re-verification of each patient, site and month takes the month.
    await q.query(`UPDATE insurance.verifications v SET reverification_month = date_trunc('month', v.service_date)::date
                    WHERE v.requested_by = 'monthly-reverification'
                      AND v.verification_id = (SELECT w.verification_id FROM insurance.verifications w
                                                WHERE w.requested_by = 'monthly-reverification' AND w.site_id = v.site_id AND w.patient_id = v.patient_id
                                                  AND date_trunc('month', w.service_date) = date_trunc('month', v.service_date)
                                                ORDER BY w.created_at, w.verification_id LIMIT 1)`);
    await q.query(`CREATE UNIQUE INDEX verifications_one_reverification_a_month ON insurance.verifications (site_id, patient_id, reverification_month)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX insurance.verifications_one_reverification_a_month`);
    await q.query(`ALTER TABLE insurance.verifications DROP COLUMN reverification_month, DROP COLUMN attempts`);
  }
}
