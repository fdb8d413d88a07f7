import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Authorisation warnings are raised once each: `warned` remembers which ones an `insurance.authorization-expiring`
 * event has already reported. Per-diem billing counts an attended day once, however many sessions it had, so usage
 * is unique per authorisation and day (a redelivered event is still kept out by its event id).
 */
export class AuthorizationWarnings1763800005000 implements MigrationInterface {
  name = 'AuthorizationWarnings1763800005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance.authorizations ADD COLUMN warned text[] NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE insurance.authorization_usage ADD CONSTRAINT authorization_usage_one_per_day UNIQUE (authorization_id, service_date)`);
    await q.query(`CREATE INDEX authorizations_end_date ON insurance.authorizations (end_date)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX insurance.authorizations_end_date`);
    await q.query(`ALTER TABLE insurance.authorization_usage DROP CONSTRAINT authorization_usage_one_per_day`);
    await q.query(`ALTER TABLE insurance.authorizations DROP COLUMN warned`);
  }
}
