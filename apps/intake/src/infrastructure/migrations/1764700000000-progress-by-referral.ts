import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A referral's progress by its id (ADR 0015): the single read (`GET /referrals/{id}`) looks up a referral's
 * pre-screens and admission requests by `referral_id`, which no index led with, so each lookup scanned every
 * pre-screen and admission request ever recorded. Both tables grow with the referrals.
 */
export class ProgressByReferral1764700000000 implements MigrationInterface {
  name = 'ProgressByReferral1764700000000';

  async up(q: QueryRunner): Promise<void> {
    // In the order the read takes the latest pre-screen, and lists the requests (oldest first).
    await q.query(`CREATE INDEX pre_screens_referral ON intake.pre_screens (referral_id, recorded_at DESC)`);
    await q.query(`CREATE INDEX admission_requests_referral ON intake.admission_requests (referral_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX intake.admission_requests_referral`);
    await q.query(`DROP INDEX intake.pre_screens_referral`);
  }
}
