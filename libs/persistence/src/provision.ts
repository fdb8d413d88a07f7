import { Client } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import {
  adminDatabaseUrl,
  assertSqlIdentifier,
  configuredServiceDatabaseUrl,
  databaseName,
  serviceDatabaseUrlVariable,
  serviceRoleName,
} from './database-config';

export interface ServiceDatabaseSpec {
  /** The service name; also its schema name. */
  readonly service: string;
  readonly migrations: ReadonlyArray<new () => MigrationInterface>;
  /** Tables the service may append to but never change (e.g. the audit log). */
  readonly appendOnlyTables?: readonly string[];
}

const DUPLICATE = new Set(['42P04', '42710', '23505']); // duplicate database, duplicate role, concurrent catalog insert

/**
 * The migrate step, as the administrator: the database, the service's login role (with the password
 * from `IOP_<SERVICE>_DATABASE_URL` when set), its schema, the checked-in migrations (never
 * `synchronize`) and the role's grants. Idempotent and safe to run concurrently from several processes.
 * Services never run it themselves: a Kubernetes Job, compose's `migrate` service, `npm start` and the
 * test harness do, before the service starts (docs/adr/0013).
 */
export async function provisionServiceDatabase(spec: ServiceDatabaseSpec, adminUrl = adminDatabaseUrl()): Promise<void> {
  const schema = assertSqlIdentifier(spec.service);
  const role = assertSqlIdentifier(serviceRoleName(spec.service));
  const ownUrl = configuredServiceDatabaseUrl(spec.service);
  if (!ownUrl && process.env['NODE_ENV'] === 'production') {
    throw new Error(`${serviceDatabaseUrlVariable(spec.service)} must be set in production: the migrate step gives role ${role} the password it names`);
  }
  const password = ownUrl ? decodeURIComponent(new URL(ownUrl).password) : '';
  await ensureDatabase(adminUrl);

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // One provisioner per schema at a time; others wait and then find the work done.
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [`provision:${schema}`]);
    await ignoreDuplicate(() => admin.query(`CREATE ROLE ${role} LOGIN`));
    // Each role its own password; none (trust authentication) when the service's URL names none, as in development.
    if (password) await admin.query(`ALTER ROLE ${role} PASSWORD '${password.replace(/'/g, "''")}'`);
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await admin.query(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`);
    await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    const db = assertSqlIdentifier(databaseName(adminUrl));
    await admin.query(`ALTER ROLE ${role} IN DATABASE ${db} SET search_path = ${schema}`);

    const migrator = new DataSource({
      type: 'postgres',
      url: adminUrl,
      schema,
      migrationsTableName: 'migrations',
      migrations: [...spec.migrations],
      migrationsTransactionMode: 'each',
      // Query logging would print parameters, which can be PHI; failures surface as exceptions instead.
      logging: false,
    });
    await migrator.initialize();
    try {
      await migrator.runMigrations();
    } finally {
      await migrator.destroy();
    }

    await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    await admin.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
    await admin.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${schema} TO ${role}`);
    // Read-only, so that the service can refuse to start on a schema the migrate step has not brought up to date.
    await admin.query(`REVOKE ALL ON ${schema}.migrations FROM ${role}`);
    await admin.query(`GRANT SELECT ON ${schema}.migrations TO ${role}`);
    for (const table of ['audit_log', ...(spec.appendOnlyTables ?? [])]) {
      await admin.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${schema}.${assertSqlIdentifier(table)} FROM ${role}`);
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await admin.end();
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const name = databaseName(adminUrl);
  const url = new URL(adminUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await ignoreDuplicate(() => client.query(`CREATE DATABASE ${assertSqlIdentifier(name)}`));
  } finally {
    await client.end();
  }
}

async function ignoreDuplicate(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!code || !DUPLICATE.has(code)) throw error;
  }
}
