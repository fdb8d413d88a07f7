import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Aftercare's discharges as insurance applied them. An episode discharged stops counting for re-verification (the
 * episode end, 1763800010000), and billable days after `discharged_on` use no authorised units. Kept apart from
 * `insurance.episodes` because a discharge can arrive before the admission it ends (they come on different topics):
 * the admission then finds it and starts ended.
 */
export class Discharges1763800011000 implements MigrationInterface {
  name = 'Discharges1763800011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE insurance.discharges (
      discharge_id  uuid PRIMARY KEY,
      episode_id    uuid NOT NULL,
      site_id       uuid NOT NULL,
      patient_id    uuid NOT NULL,
      discharged_on date NOT NULL,
      signed_at     timestamptz NOT NULL,
      amendment     integer NOT NULL DEFAULT 0,
      recorded_at   timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX discharges_episode ON insurance.discharges (episode_id)`);
    await q.query(`CREATE INDEX discharges_patient ON insurance.discharges (site_id, patient_id)`);
    for (const sql of siteIsolationSql('insurance', 'discharges')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE insurance.discharges`);
  }
}
