import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertSqlIdentifier, siteIsolationSql } from '@iop/persistence';

export function siteDirectoryMigration(schema: string): new () => MigrationInterface {
  const s = assertSqlIdentifier(schema);
  return class SiteDirectory1763800000100 implements MigrationInterface {
    name = 'SiteDirectory1763800000100';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.site_directory (
        site_id    uuid PRIMARY KEY,
        name       text NOT NULL,
        time_zone  text NOT NULL,
        capacity   integer NOT NULL CHECK (capacity >= 0),
        revision   integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
      for (const sql of siteIsolationSql(s, 'site_directory')) await q.query(sql);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.site_directory`);
    }
  };
}
