import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An episode ends (intake released the place, the referral closed; aftercare's discharge later): insurance stops
 * re-verifying coverage and watching authorisations for it instead of guessing 120 days from the start.
 */
export class EpisodeEnd1763800010000 implements MigrationInterface {
  name = 'EpisodeEnd1763800010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance.episodes ADD COLUMN referral_id uuid, ADD COLUMN ended_at timestamptz, ADD COLUMN end_reason text`);
    await q.query(`CREATE INDEX episodes_referral ON insurance.episodes (referral_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance.episodes DROP COLUMN end_reason, DROP COLUMN ended_at, DROP COLUMN referral_id`);
  }
}
