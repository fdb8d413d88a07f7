import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

export class Sites1763800001000 implements MigrationInterface {
  name = 'Sites1763800001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE scheduling.sites (
      site_id    uuid PRIMARY KEY,
      name       text NOT NULL,
      address    jsonb NOT NULL,
      time_zone  text NOT NULL,
      capacity   integer NOT NULL CHECK (capacity >= 0),
      revision   integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX sites_name_unique ON scheduling.sites (lower(name))`);
    for (const sql of siteIsolationSql('scheduling', 'sites')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduling.sites`);
  }
}
