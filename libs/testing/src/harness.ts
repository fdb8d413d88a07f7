import { randomBytes } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { Client } from 'pg';
import pino from 'pino';
import { mintDevelopmentToken, type Role } from '@iop/auth';
import { PlatformRuntime, createServiceApp, migrateService } from '@iop/platform';
import { connectBrokerControl, type BrokerControl } from './kafka-dev-broker';
import { assertTestDatabase, loadTestEnvironment, withDatabase, type TestEnvironment } from './test-environment';

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

  process.env['DATABASE_URL'] = databaseUrl;
  process.env['REDIS_URL'] = env.redisUrl;
  process.env['KAFKA_BROKERS'] = env.kafkaBrokers.join(',');
  process.env['IOP_CONSUMER_GROUP_SUFFIX'] = `.test-${randomBytes(3).toString('hex')}`;
  process.env['KAFKA_SESSION_TIMEOUT_MS'] ??= '6000';
  process.env['LOG_LEVEL'] ??= 'warn';
  const broker = env.brokerControlFile ? await connectBrokerControl(env.brokerControlFile) : undefined;

  return {
    env,
    databaseUrl,
    kafkaBrokers: env.kafkaBrokers,
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
