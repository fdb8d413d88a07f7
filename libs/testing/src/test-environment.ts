import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
// Jest loads global set-up outside its module map, so the catalogue is imported by path here.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ALL_TOPICS } from '../../contracts/src/topics';

/** What global set-up found or started; test files read it back from disk. */
export interface TestEnvironment {
  readonly mode: 'env' | 'testcontainers' | 'local';
  readonly runId: string;
  /** Administrative URL of the run's own database (`iop_test_<run>`). */
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly kafkaBrokers: string[];
  /** Only when the development broker runs: its control channel, for fault injection. */
  readonly brokerControlFile?: string;
}

export const WORKSPACE_ROOT = resolve(__dirname, '../../..');
export const RUN_DIR = resolve(WORKSPACE_ROOT, '.run/test');

/** Each run writes its own file, named in the environment its test workers inherit: runs may overlap. */
export function saveTestEnvironment(env: TestEnvironment): void {
  mkdirSync(RUN_DIR, { recursive: true });
  const file = resolve(RUN_DIR, `environment-${env.runId}.json`);
  writeFileSync(file, JSON.stringify(env, null, 2));
  process.env['IOP_TEST_ENVIRONMENT_FILE'] = file;
}

export function loadTestEnvironment(): TestEnvironment {
  const file = process.env['IOP_TEST_ENVIRONMENT_FILE'];
  if (!file) throw new Error("no test environment: integration tests run through Jest's integration project (npx jest --selectProjects integration)");
  return JSON.parse(readFileSync(file, 'utf8')) as TestEnvironment;
}

/** Tests refuse any database that is not clearly a test database. */
export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.slice(1);
  if (!/^iop_test_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to run tests against database "${name}": test databases are named iop_test_*`);
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The topics file the development broker creates topics from, written from the catalogue. */
export function writeTopicsFile(path: string): string {
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, ALL_TOPICS.map((t) => `${t.name} ${t.partitions}`).join('\n') + '\n');
  return path;
}

export function dockerEngineAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * `it` for a test that injects broker faults through the development broker's control channel (take brokers down,
 * make produce requests fail). On Apache Kafka (KAFKA_BROKERS or Testcontainers) there is no such channel: the test
 * is skipped, and its name says why, instead of failing the run.
 */
export function itWithDevBroker(name: string, fn: () => Promise<void>, timeoutMs?: number): void {
  const env = loadTestEnvironment();
  if (env.brokerControlFile) it(name, fn, timeoutMs);
  // eslint-disable-next-line no-restricted-syntax -- a deliberate skip that names its reason, not a forgotten one
  else it.skip(`${name} [skipped on ${env.mode} Kafka: needs the development broker's fault-injection channel]`, fn, timeoutMs);
}
