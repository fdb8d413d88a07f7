import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A saga request names the consent intake relied on. Insurance's copy of consents arrives by another topic and
 * can lag the request; such a request goes back to the queue until `not_before` rather than failing at once.
 */
export class SagaConsentWait1763800006000 implements MigrationInterface {
  name = 'SagaConsentWait1763800006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance.verifications ADD COLUMN consent_id uuid, ADD COLUMN not_before timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance.verifications DROP COLUMN not_before, DROP COLUMN consent_id`);
  }
}
