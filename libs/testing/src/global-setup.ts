import { resolve } from 'node:path';
import { Client } from 'pg';
import { startDevBroker, type DevBroker } from './kafka-dev-broker';
import { RUN_DIR, dockerEngineAnswers, saveTestEnvironment, withDatabase, writeTopicsFile, type TestEnvironment } from './test-environment';

interface Started {
  broker?: DevBroker;
  containers?: Array<{ stop(): Promise<unknown> }>;
}
declare global {
  var __IOP_TEST_INFRA__: Started | undefined;
}

/**
 * Infrastructure for the integration tier, once per run: DATABASE_URL / REDIS_URL / KAFKA_BROKERS
 * when given; else Testcontainers when a Docker engine answers; else the machine's own Postgres and
 * Redis (scripts/ensure-infra.sh starts them) and the development Kafka broker.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const started: Started = {};
  globalThis.__IOP_TEST_INFRA__ = started;
  let env: Omit<TestEnvironment, 'databaseUrl'> & { serverUrl: string };

  if (process.env['DATABASE_URL'] && process.env['REDIS_URL'] && process.env['KAFKA_BROKERS']) {
    env = {
      mode: 'env',
      runId,
      serverUrl: process.env['DATABASE_URL'],
      redisUrl: process.env['REDIS_URL'],
      kafkaBrokers: process.env['KAFKA_BROKERS'].split(','),
    };
  } else if (process.env['IOP_TEST_LOCAL'] !== '1' && dockerEngineAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const { RedisContainer } = await import('@testcontainers/redis');
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const [pg, redis, kafka] = await Promise.all([
      // Trust authentication, as on the machine's own Postgres: the service roles log in without passwords in tests.
      new PostgreSqlContainer('postgres:16-alpine')
        .withUsername('postgres')
        .withPassword('postgres')
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
        .start(),
      new RedisContainer('redis:7-alpine').start(),
      new KafkaContainer('confluentinc/cp-kafka:7.6.1').withKraft().start(),
    ]);
    started.containers = [pg, redis, kafka];
    env = {
      mode: 'testcontainers',
      runId,
      serverUrl: pg.getConnectionUri(),
      redisUrl: redis.getConnectionUrl(),
      kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    };
  } else {
    started.broker = await startDevBroker({
      brokers: 3,
      workDir: resolve(RUN_DIR, `broker-${runId}`),
      topicsFile: writeTopicsFile(resolve(RUN_DIR, 'topics.txt')),
    });
    env = {
      mode: 'local',
      runId,
      serverUrl: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0',
      kafkaBrokers: started.broker.bootstrap,
      brokerControlFile: started.broker.controlFile,
    };
  }

  const databaseUrl = withDatabase(env.serverUrl, `iop_test_${runId}`);
  const admin = new Client({ connectionString: withDatabase(env.serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE iop_test_${runId}`);
  await admin.end();

  const { serverUrl: _server, ...rest } = env;
  saveTestEnvironment({ ...rest, databaseUrl });
}
