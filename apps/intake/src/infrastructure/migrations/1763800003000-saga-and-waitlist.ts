import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Waitlist offers that expire, and that remember which place they were for: a person who declined or let a
 * place lapse keeps their spot and is offered the next place freed after it (not the same one again).
 */
export class SagaAndWaitlist1763800003000 implements MigrationInterface {
  name = 'SagaAndWaitlist1763800003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE intake.waitlist_entries DROP CONSTRAINT waitlist_entries_offer_status_check`);
    await q.query(
      `ALTER TABLE intake.waitlist_entries ADD CONSTRAINT waitlist_entries_offer_status_check CHECK (offer_status IN ('pending', 'declined', 'expired'))`,
    );
    // When the place on offer became free; offers made before this column existed count as freed when offered.
    await q.query(
      `ALTER TABLE intake.waitlist_entries ADD COLUMN place_freed_at timestamptz, ADD COLUMN offer_expires_at timestamptz, ADD COLUMN expired_at timestamptz`,
    );
    await q.query(`UPDATE intake.waitlist_entries SET place_freed_at = offered_at WHERE offered_at IS NOT NULL`);
    await q.query(`CREATE INDEX waitlist_offers_due ON intake.waitlist_entries (offer_expires_at) WHERE offer_status = 'pending' AND removed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX intake.waitlist_offers_due`);
    await q.query(`ALTER TABLE intake.waitlist_entries DROP COLUMN place_freed_at, DROP COLUMN offer_expires_at, DROP COLUMN expired_at`);
    await q.query(`UPDATE intake.waitlist_entries SET offer_status = 'declined', declined_at = now() WHERE offer_status = 'expired'`);
    await q.query(`ALTER TABLE intake.waitlist_entries DROP CONSTRAINT waitlist_entries_offer_status_check`);
    await q.query(`ALTER TABLE intake.waitlist_entries ADD CONSTRAINT waitlist_entries_offer_status_check CHECK (offer_status IN ('pending', 'declined'))`);
  }
}
