import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every programme and network a consent lets disclose (`intake.consent-granted` now carries them all), so insurance
 * applies the platform's one consent rule (libs/domain) rather than its own. Consents received before keep the one
 * discloser their event named.
 */
export class ConsentDisclosers1763800008000 implements MigrationInterface {
  name = 'ConsentDisclosers1763800008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance.consents ADD COLUMN disclosers jsonb`);
    // Network-wide for this transaction only, so the copy works whether or not the migrating login bypasses row-level security.
    await q.query(`SELECT set_config('app.site_ids', '*', true)`);
    await q.query(`UPDATE insurance.consents SET disclosers = jsonb_build_array(discloser)`);
    await q.query(`ALTER TABLE insurance.consents ALTER COLUMN disclosers SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance.consents DROP COLUMN disclosers`);
  }
}
