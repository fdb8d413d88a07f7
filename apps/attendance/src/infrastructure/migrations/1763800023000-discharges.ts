import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Aftercare's discharges as attendance knows them: after `discharged_on` (the site's calendar) the episode has no
 * sessions to attend, so its seats leave the rosters, a check-in is refused, and the outreach and weekly-hours
 * watchers stop for it. An amendment to the date moves the line (`amendment` keeps them in order).
 */
export class Discharges1763800023000 implements MigrationInterface {
  name = 'Discharges1763800023000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE attendance.discharges (
      discharge_id  uuid PRIMARY KEY,
      episode_id    uuid NOT NULL,
      patient_id    uuid NOT NULL,
      site_id       uuid NOT NULL,
      discharged_on date NOT NULL,
      amendment     integer NOT NULL DEFAULT 0,
      recorded_at   timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX discharges_episode ON attendance.discharges (episode_id)`);
    for (const sql of siteIsolationSql('attendance', 'discharges')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attendance.discharges`);
  }
}
