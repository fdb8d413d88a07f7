import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertSqlIdentifier } from './database-config';
import { siteIsolationSql, siteVisibleByIdFunctionSql, siteVisibleFunctionSql } from './rls';

type MigrationClass = new () => MigrationInterface;

/**
 * The tables every service has in its own schema: the transactional outbox, the consumer inbox,
 * and the PHI access audit log, plus the site-visibility function that row-level security uses.
 */
export function platformTablesMigration(schema: string): MigrationClass {
  const s = assertSqlIdentifier(schema);
  return class PlatformTables1763800000000 implements MigrationInterface {
    name = 'PlatformTables1763800000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(siteVisibleFunctionSql(s));
      await q.query(`CREATE TABLE ${s}.outbox (
        seq          bigserial PRIMARY KEY,
        id           uuid NOT NULL UNIQUE,
        topic        text NOT NULL,
        key          text NOT NULL,
        type         text NOT NULL,
        version      integer NOT NULL,
        headers      jsonb NOT NULL,
        payload      jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts     integer NOT NULL DEFAULT 0,
        last_error   text
      )`);
      await q.query(`CREATE INDEX outbox_unpublished ON ${s}.outbox (seq) WHERE published_at IS NULL`);
      await q.query(`CREATE TABLE ${s}.inbox (
        consumer    text NOT NULL,
        event_id    uuid NOT NULL,
        event_type  text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
      await q.query(`CREATE TABLE ${s}.audit_log (
        id         bigserial PRIMARY KEY,
        at         timestamptz NOT NULL DEFAULT now(),
        actor      text NOT NULL,
        role       text NOT NULL,
        site_id    uuid,
        patient_id uuid,
        action     text NOT NULL,
        resource   text NOT NULL,
        request_id text,
        reason     text
      )`);
      await q.query(`CREATE INDEX audit_log_patient ON ${s}.audit_log (patient_id, at)`);
      for (const sql of siteIsolationSql(s, 'audit_log', 'site_id', { allowNullSite: true })) await q.query(sql);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.audit_log`);
      await q.query(`DROP TABLE ${s}.inbox`);
      await q.query(`DROP TABLE ${s}.outbox`);
      await q.query(`DROP FUNCTION ${s}.site_visible(uuid)`);
    }
  };
}

/**
 * An outbox row the broker refuses for good (too large, not authorised) is parked: set aside with its
 * error, visible in metrics and `npm run outbox:parked`, so the rows behind it keep flowing.
 */
export function outboxParkingMigration(schema: string): MigrationClass {
  const s = assertSqlIdentifier(schema);
  return class OutboxParking1764590000000 implements MigrationInterface {
    name = 'OutboxParking1764590000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${s}.outbox ADD COLUMN parked_at timestamptz`);
      await q.query(`DROP INDEX ${s}.outbox_unpublished`);
      await q.query(`CREATE INDEX outbox_unpublished ON ${s}.outbox (seq) WHERE published_at IS NULL AND parked_at IS NULL`);
      await q.query(`CREATE INDEX outbox_parked ON ${s}.outbox (seq) WHERE parked_at IS NOT NULL AND published_at IS NULL`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP INDEX ${s}.outbox_parked`);
      await q.query(`DROP INDEX ${s}.outbox_unpublished`);
      await q.query(`CREATE INDEX outbox_unpublished ON ${s}.outbox (seq) WHERE published_at IS NULL`);
      await q.query(`ALTER TABLE ${s}.outbox DROP COLUMN parked_at`);
    }
  };
}

/** The site policies' predicate compares uuids, so that the planner estimates what a caller sees from the column's statistics. */
export function siteVisibleByIdMigration(schema: string): MigrationClass {
  const s = assertSqlIdentifier(schema);
  return class SiteVisibleById1764595000000 implements MigrationInterface {
    name = 'SiteVisibleById1764595000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(siteVisibleByIdFunctionSql(s));
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(siteVisibleFunctionSql(s));
    }
  };
}

/**
 * A consumer's keys parked behind a dead letter (ADR 0002): while a key is here, later events of it on its topic follow
 * the head to the dead-letter topic instead of overtaking it. The head's replay, applied, removes the row; so does an
 * operator's `npm run dlq:parked -- --discard`.
 */
export function parkedKeysMigration(schema: string): MigrationClass {
  const s = assertSqlIdentifier(schema);
  return class ParkedKeys1764596000000 implements MigrationInterface {
    name = 'ParkedKeys1764596000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.parked_keys (
        consumer      text NOT NULL,
        topic         text NOT NULL,
        key           text NOT NULL,
        head_event_id uuid NOT NULL,
        head_type     text NOT NULL,
        reason        text NOT NULL,
        parked_at     timestamptz NOT NULL DEFAULT now(),
        followers     integer NOT NULL DEFAULT 0,
        PRIMARY KEY (consumer, topic, key)
      )`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.parked_keys`);
    }
  };
}

/** The platform's own migrations, in order, for a service schema. */
export function platformMigrations(schema: string): MigrationClass[] {
  return [platformTablesMigration(schema), outboxParkingMigration(schema), siteVisibleByIdMigration(schema), parkedKeysMigration(schema)];
}
