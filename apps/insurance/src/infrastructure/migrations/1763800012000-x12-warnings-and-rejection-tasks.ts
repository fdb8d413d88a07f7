import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Real payers' 271s are read with their deviations from the X12 rules kept as warnings: on the verification
 * (shown to the coordinator) and on the 271 exchange (its audit). A rejection the payer sent (AAA) becomes a
 * coordinator task of the right kind, with what to do, even when the verification itself is a rejection.
 */
export class X12WarningsAndRejectionTasks1763800012000 implements MigrationInterface {
  name = 'X12WarningsAndRejectionTasks1763800012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance.verifications ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`ALTER TABLE insurance.eligibility_exchanges ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(`ALTER TABLE insurance.phone_tasks ADD COLUMN kind text NOT NULL DEFAULT 'verify-by-phone', ADD COLUMN action text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE insurance.phone_tasks DROP COLUMN action, DROP COLUMN kind`);
    await q.query(`ALTER TABLE insurance.eligibility_exchanges DROP COLUMN warnings`);
    await q.query(`ALTER TABLE insurance.verifications DROP COLUMN warnings`);
  }
}
