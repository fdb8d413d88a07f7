import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { stopFileBrokers } from './file-brokers';
import { loadTestEnvironment, withDatabase } from './test-environment';

export default async function globalTeardown(): Promise<void> {
  const env = loadTestEnvironment();
  const started = globalThis.__IOP_TEST_INFRA__;
  // Databases go first, while the server is surely still there; each test file made its own.
  const admin = new Client({ connectionString: withDatabase(env.databaseUrl, 'postgres') });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`iop_test_${env.runId}%`]);
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  await admin.end();
  stopFileBrokers(env.runId);
  await started?.broker?.stop();
  for (const container of started?.containers ?? []) await container.stop();
  rmSync(process.env['IOP_TEST_ENVIRONMENT_FILE']!, { force: true });
}
