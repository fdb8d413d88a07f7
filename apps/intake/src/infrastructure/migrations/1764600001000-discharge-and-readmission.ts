import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Aftercare's discharge ends an episode (intake.episodes keeps which discharge, and when), and two kinds of referral
 * continue an earlier episode: a transfer from another site of the network, and a readmission after a follow-up found
 * relapse or high risk. Each is created from an event, once: the unique indexes make a redelivered or re-sent event
 * find the referral it created instead of adding another.
 */
export class DischargeAndReadmission1764600001000 implements MigrationInterface {
  name = 'DischargeAndReadmission1764600001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE intake.episodes ADD COLUMN discharge_id uuid, ADD COLUMN discharged_on date, ADD COLUMN discharge_type text`);
    await q.query(`ALTER TABLE intake.referrals
      ADD COLUMN continues_kind text CHECK (continues_kind IN ('transfer', 'readmission')),
      ADD COLUMN prior_episode_id uuid REFERENCES intake.episodes (episode_id),
      ADD COLUMN readmission_referral_id uuid,
      ADD COLUMN readmission_reason text,
      ADD CHECK ((continues_kind IS NULL) = (prior_episode_id IS NULL)),
      ADD CHECK ((continues_kind = 'readmission') = (readmission_referral_id IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX referrals_one_per_readmission ON intake.referrals (readmission_referral_id) WHERE readmission_referral_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX referrals_one_per_transfer ON intake.referrals (prior_episode_id) WHERE continues_kind = 'transfer'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX intake.referrals_one_per_transfer`);
    await q.query(`DROP INDEX intake.referrals_one_per_readmission`);
    await q.query(
      `ALTER TABLE intake.referrals DROP COLUMN readmission_reason, DROP COLUMN readmission_referral_id, DROP COLUMN prior_episode_id, DROP COLUMN continues_kind`,
    );
    await q.query(`ALTER TABLE intake.episodes DROP COLUMN discharge_type, DROP COLUMN discharged_on, DROP COLUMN discharge_id`);
  }
}
