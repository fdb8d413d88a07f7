import { randomBytes } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { Client } from 'pg';
import pino from 'pino';
import { mintDevelopmentToken, type Role } from '@iop/auth';
import { PlatformRuntime, createServiceApp, migrateService } from '@iop/platform';
import { resolve } from 'node:path';
import { recordFileBroker, stopFileBrokers } from './file-brokers';
import { connectBrokerControl, startDevBroker, type BrokerControl } from './kafka-dev-broker';
import { RUN_DIR, assertTestDatabase, loadTestEnvironment, withDatabase, type TestEnvironment } from './test-environment';

export interface TestInfrastructure {
  readonly env: TestEnvironment;
  /** This test file's own database (administrative URL). */
  readonly databaseUrl: string;
  readonly kafkaBrokers: string[];
  /** Fault injection; present when the development broker runs. */
  readonly broker: BrokerControl | undefined;
  /** Runs SQL as the administrator on this file's database (bypasses row-level security: for set-up and inspection). */
  adminQuery<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

/**
 * Gives a test file its own database on the run's servers and points the platform's configuration
 * at it. Call once at the top of an integration test file, in `beforeAll`.
 */
export async function useTestInfrastructure(): Promise<TestInfrastructure> {
  const env = loadTestEnvironment();
  const name = `iop_test_${env.runId}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = withDatabase(env.databaseUrl, name);
  assertTestDatabase(databaseUrl);
  const admin = new Client({ connectionString: withDatabase(env.databaseUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const kafka = await kafkaForThisFile(env);
  process.env['DATABASE_URL'] = databaseUrl;
  process.env['REDIS_URL'] = env.redisUrl;
  process.env['KAFKA_BROKERS'] = kafka.brokers.join(',');
  process.env['IOP_CONSUMER_GROUP_SUFFIX'] = `.test-${randomBytes(3).toString('hex')}`;
  process.env['KAFKA_SESSION_TIMEOUT_MS'] ??= '6000';
  process.env['LOG_LEVEL'] ??= 'warn';
  const broker = kafka.controlFile ? await connectBrokerControl(kafka.controlFile) : undefined;

  return {
    env,
    databaseUrl,
    kafkaBrokers: kafka.brokers,
    broker,
    async adminQuery<R>(sql: string, params: unknown[] = []) {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as R[];
      } finally {
        await client.end();
      }
    },
  };
}

/** The file's Kafka, made once per test file (Jest gives each file its own module registry, so this is per file). */
let fileKafka: Promise<{ brokers: string[]; controlFile: string | undefined }> | undefined;

/**
 * On the development broker each test file gets a cluster of its own (it starts in ~0.2 s), so a file's consumers
 * never read the events earlier files left on shared topics, and the order of files cannot matter. The brokers of
 * this worker's earlier files are stopped first (a worker runs its files one after another), and the run's last ones
 * by the global teardown. Apache Kafka (KAFKA_BROKERS, Testcontainers) is shared by the run, as before.
 */
function kafkaForThisFile(env: TestEnvironment): Promise<{ brokers: string[]; controlFile: string | undefined }> {
  fileKafka ??= (async () => {
    if (env.mode !== 'local') return { brokers: env.kafkaBrokers, controlFile: env.brokerControlFile };
    stopFileBrokers(env.runId, process.env['JEST_WORKER_ID'] ?? '1');
    const broker = await startDevBroker({
      brokers: 3,
      workDir: resolve(RUN_DIR, `broker-${env.runId}-file-${randomBytes(3).toString('hex')}`),
      topicsFile: resolve(RUN_DIR, 'topics.txt'),
    });
    recordFileBroker(env.runId, process.env['JEST_WORKER_ID'] ?? '1', broker.pid);
    return { brokers: broker.bootstrap, controlFile: broker.controlFile };
  })();
  return fileKafka;
}

/**
 * A service running in the test process, with its relay and consumer started. The migrate step runs first,
 * in-process and as the administrator, as the Job does before a deployment; the service then serves as its role.
 */
export async function startService(rootModule: Type<unknown>, title = 'service under test'): Promise<INestApplication> {
  await migrateService(rootModule);
  const app = await createServiceApp(rootModule, { title, description: title });
  await app.get(PlatformRuntime).whenMessagingStarted();
  return app;
}

export function tokenFor(roles: readonly Role[] | Role, sites: readonly string[] = [], subject = `tester-${randomBytes(3).toString('hex')}`): Promise<string> {
  return mintDevelopmentToken({ subject, roles: Array.isArray(roles) ? roles : [roles as Role], sites });
}

/** Retries an assertion until it passes or the time is up; for effects that arrive through Kafka. */
export async function eventually<T>(assertion: () => Promise<T> | T, { timeoutMs = 20_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export const quietLogger = () => pino({ level: process.env['LOG_LEVEL'] ?? 'warn' });
