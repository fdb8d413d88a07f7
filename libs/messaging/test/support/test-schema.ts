import { randomBytes } from 'node:crypto';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import {
  assertSqlIdentifier,
  createServiceDataSource,
  platformMigrations,
  provisionServiceDatabase,
  serviceDatabaseUrl,
  serviceRoleName,
} from '@iop/persistence';
import type { TestInfrastructure } from '@iop/testing';

/** What a consumer's handler did: one row per effect, so doing something twice shows as two rows. */
function effectsMigration(schema: string): new () => MigrationInterface {
  const s = assertSqlIdentifier(schema);
  return class MessagingTestTables1763900000000 implements MigrationInterface {
    name = 'MessagingTestTables1763900000000';

    async up(q: QueryRunner): Promise<void> {
      // No unique key on event_id on purpose: a handler that ran twice must leave two rows, not an error.
      await q.query(`CREATE TABLE ${s}.effects (
        id         bigserial PRIMARY KEY,
        event_id   uuid NOT NULL,
        key        text NOT NULL,
        seq        integer NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
      // A producer's state, written in the same transaction as its outgoing events.
      await q.query(`CREATE TABLE ${s}.records (id uuid PRIMARY KEY, key text NOT NULL)`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${s}.records`);
      await q.query(`DROP TABLE ${s}.effects`);
    }
  };
}

export interface TestSchema {
  /** Also the service name: its role is `iop_<schema>`, its event source `/iop/<schema>`. */
  readonly schema: string;
  /** Connected as the service role, as a service would be. */
  readonly dataSource: DataSource;
  /** For the relay's own session (leader lock, LISTEN). */
  readonly connectionString: string;
  /** Rows of one of the schema's tables, optionally filtered by a condition on $1, $2, ... */
  count(table: 'outbox' | 'records' | 'effects' | 'inbox', where?: string, params?: unknown[]): Promise<number>;
  dispose(): Promise<void>;
}

/**
 * A service schema of its own for one test file: the platform tables (outbox, inbox) plus an effects
 * table, provisioned exactly as a service's are, on the file's test database.
 */
export async function provisionTestSchema(infra: TestInfrastructure): Promise<TestSchema> {
  const schema = `msgtest_${randomBytes(4).toString('hex')}`;
  await provisionServiceDatabase({ service: schema, migrations: [...platformMigrations(schema), effectsMigration(schema)] }, infra.databaseUrl);
  const dataSource = createServiceDataSource(schema, [], serviceDatabaseUrl(schema, infra.databaseUrl));
  await dataSource.initialize();
  const count = async (table: string, where = 'true', params: unknown[] = []) => {
    const [row] = await infra.adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.${table} WHERE ${where}`, params);
    return row!.n;
  };
  return {
    schema,
    dataSource,
    connectionString: serviceDatabaseUrl(schema, infra.databaseUrl),
    count,
    async dispose() {
      if (dataSource.isInitialized) await dataSource.destroy();
      // Roles belong to the whole server, not to the test database that teardown drops.
      const role = serviceRoleName(schema);
      await infra.adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
      await infra.adminQuery(`DROP OWNED BY ${role}`);
      await infra.adminQuery(`DROP ROLE ${role}`);
    },
  };
}
