import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * The site-weeks whose `analytics.site-week` is out of date: a recording adds one row per record it changed (never an
 * update, never a conflict, so check-ins at one site never wait for each other here), and the site-weeks job
 * (application/site-weeks.job.ts) recomputes each marked site-week once, publishes it and deletes the rows it saw, in
 * one transaction. Ids only.
 */
export class SiteWeeksDirty1763800024100 implements MigrationInterface {
  name = 'SiteWeeksDirty1763800024100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE attendance.site_weeks_dirty (
      mark_id    bigserial PRIMARY KEY,
      site_id    uuid NOT NULL,
      week_start date NOT NULL,
      record_id  uuid NOT NULL,
      marked_at  timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX site_weeks_dirty_week ON attendance.site_weeks_dirty (site_id, week_start)`);
    for (const sql of siteIsolationSql('attendance', 'site_weeks_dirty')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attendance.site_weeks_dirty`);
  }
}
