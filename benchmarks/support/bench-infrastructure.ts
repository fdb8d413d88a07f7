import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import type { Kafka } from 'kafkajs';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertSqlIdentifier, platformMigrations, provisionServiceDatabase, serviceDatabaseUrl, serviceRoleName } from '@iop/persistence';
import { ensureTopics, kafkaBrokers } from '@iop/messaging';
import { startDevBroker } from '@iop/testing';

const HOUR = 60 * 60 * 1000;

export interface BenchKafka {
  readonly brokers: string[];
  /** What the figures were measured against, for the report. */
  readonly description: string;
  createTopic(kafka: Kafka, name: string, partitions: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The run's own development broker, or the cluster KAFKA_BROKERS names. The development broker
 * creates topics through its control channel (its admin API cannot); a real cluster through the admin API.
 */
export async function benchKafka(workDir: string, brokerCount: number): Promise<BenchKafka> {
  if (process.env['KAFKA_BROKERS']) {
    const brokers = kafkaBrokers();
    return {
      brokers,
      description: `KAFKA_BROKERS (${brokers.length} bootstrap)`,
      async createTopic(kafka, name, partitions) {
        const admin = kafka.admin();
        await admin.connect();
        try {
          await ensureTopics(admin, [{ name, partitions, retentionMs: HOUR, key: 'episodeId', description: 'benchmark', compatibility: 'backward' }]);
        } finally {
          await admin.disconnect();
        }
      },
      // Topics on a real cluster expire after an hour; the run leaves nothing else behind.
      async stop() {},
    };
  }
  const broker = await startDevBroker({ brokers: brokerCount, workDir });
  return {
    brokers: broker.bootstrap,
    description: `development broker (librdkafka mock cluster, ${brokerCount} brokers, pid ${broker.pid})`,
    createTopic: (_kafka, name, partitions) => broker.control.createTopic(name, partitions),
    async stop() {
      await broker.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * Tables only the benchmark has: the consumer's effects (written in the inbox row's transaction)
 * and a plain table for the Postgres baseline, with no index but its key, no trigger, no notify.
 */
function benchTablesMigration(schema: string): new () => MigrationInterface {
  const s = assertSqlIdentifier(schema);
  return class BenchTables1763900000000 implements MigrationInterface {
    name = 'BenchTables1763900000000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${s}.check_in_effects (
        check_in_id   uuid PRIMARY KEY,
        episode_id    uuid NOT NULL,
        site_id       uuid NOT NULL,
        event_id      uuid NOT NULL,
        checked_in_at timestamptz NOT NULL,
        applied_at    timestamptz NOT NULL DEFAULT now()
      )`);
      await q.query(`CREATE TABLE ${s}.plain_inserts (
        id         bigserial PRIMARY KEY,
        key        text NOT NULL,
        payload    jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.plain_inserts`);
      await q.query(`DROP TABLE ${s}.check_in_effects`);
    }
  };
}

export interface ScratchDatabase {
  /** Also the schema name; its role is `iop_<service>`. */
  readonly service: string;
  readonly name: string;
  readonly adminUrl: string;
  readonly serviceUrl: string;
  drop(): Promise<void>;
}

/**
 * A database and a service role of the run's own on DATABASE_URL's server, provisioned like a
 * service's (platform tables, grants, a non-owner role), and dropped, with the role, at the end.
 */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const suffix = randomBytes(4).toString('hex');
  const service = `bench_${suffix}`;
  const name = `iop_bench_${suffix}`;
  const adminUrl = withDatabase(serverUrl, name);
  const maintenanceUrl = withDatabase(serverUrl, 'postgres');
  const drop = async (): Promise<void> => {
    const client = new Client({ connectionString: maintenanceUrl });
    await client.connect();
    try {
      // FORCE: a connection a failed run left open must not keep the database alive.
      await client.query(`DROP DATABASE IF EXISTS ${assertSqlIdentifier(name)} WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS ${assertSqlIdentifier(serviceRoleName(service))}`);
    } finally {
      await client.end();
    }
  };
  try {
    await provisionServiceDatabase({ service, migrations: [...platformMigrations(service), benchTablesMigration(service)] }, adminUrl);
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  return { service, name, adminUrl, serviceUrl: serviceDatabaseUrl(service, adminUrl), drop };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
