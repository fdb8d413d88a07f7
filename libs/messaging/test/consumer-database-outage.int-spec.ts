import type { Kafka, Producer } from 'kafkajs';
import { serviceRoleName } from '@iop/persistence';
import { eventually, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { createKafka } from '../src';
import { MemoryLog } from './support/memory-log';
import { ProbeConsumer } from './support/probe-consumer';
import { createTestTopic, probeEvent, sendEvent, uniqueKeys, type ProbeEvent } from './support/test-events';
import { provisionTestSchema, type TestSchema } from './support/test-schema';
import { TopicRecorder } from './support/topic-recorder';

/**
 * Kept short for the suite; a production outage of 30 s or 30 min takes the same code path (transient failures
 * are retried without limit, the backoff capped), only more often round the loop.
 */
const OUTAGE_MS = 12_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a consumer whose database is away for a while (issue 8, 'nothing lost under faults')", () => {
  let infra: TestInfrastructure;
  let db: TestSchema;
  let log: MemoryLog;
  let kafka: Kafka;
  let producer: Producer;
  let event: ProbeEvent;
  let probes: ProbeConsumer;
  let deadLetters: TopicRecorder;
  let role: string;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    db = await provisionTestSchema(infra);
    role = serviceRoleName(db.schema);
    log = new MemoryLog();
    kafka = createKafka('msgtest-db-outage', log, infra.kafkaBrokers);
    producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
    await producer.connect();
    event = probeEvent(await createTestTopic(infra, kafka, 'db-outage', 3));
    const deadLetterTopic = await createTestTopic(infra, kafka, 'dead-letter', 1);
    probes = new ProbeConsumer({ db, kafka, producer, event, deadLetterTopic, log, maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 1000 });
    await probes.start();
    deadLetters = await TopicRecorder.start(kafka, deadLetterTopic);
  });

  afterAll(async () => {
    await infra?.adminQuery(`ALTER ROLE ${role} LOGIN`).catch(() => undefined);
    await deadLetters?.stop();
    await probes?.stop();
    await producer?.disconnect();
    await db?.dispose();
  });

  /** The service's role can no longer log in and its open connections are cut: what a failover or a restart looks like to it. */
  async function takeDatabaseAway(): Promise<void> {
    await infra.adminQuery(`ALTER ROLE ${role} NOLOGIN`);
    await infra.adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
  }

  const failedAttemptsFor = (eventId: string) => log.entries.filter((e) => e.level === 'warn' && (e.fields as { eventId?: string }).eventId === eventId).length;

  it('keeps the event, applies it once after recovery, dead-letters nothing, and applies a later event of its key after it', async () => {
    const [key] = uniqueKeys(1) as [string];
    // Warm the pool so the outage cuts live connections (57P01), not only new logins (28000).
    const warmUp = await sendEvent(producer, event, { key: `${key}-warm`, seq: 0 });
    await eventually(async () => expect(await db.count('effects', 'event_id = $1', [warmUp.id])).toBe(1), { timeoutMs: 30_000 });

    await takeDatabaseAway();
    let first: { id: string };
    let second: { id: string };
    try {
      first = await sendEvent(producer, event, { key, seq: 1 });
      await eventually(() => expect(failedAttemptsFor(first.id)).toBeGreaterThanOrEqual(2), { timeoutMs: 30_000 });
      second = await sendEvent(producer, event, { key, seq: 2 });
      // Far longer than the old budget of a few attempts (about 3 s): nothing may go to the dead-letter topic.
      await sleep(OUTAGE_MS);
      expect(deadLetters.messages).toEqual([]);
      expect(failedAttemptsFor(first.id)).toBeGreaterThan(3);
    } finally {
      await infra.adminQuery(`ALTER ROLE ${role} LOGIN`);
    }

    await eventually(async () => expect(await db.count('effects', 'key = $1', [key])).toBe(2), { timeoutMs: 30_000 });
    const applied = await infra.adminQuery<{ event_id: string; seq: number }>(`SELECT event_id, seq FROM ${db.schema}.effects WHERE key = $1 ORDER BY id`, [
      key,
    ]);
    expect(applied).toEqual([
      { event_id: first.id, seq: 1 },
      { event_id: second.id, seq: 2 },
    ]);
    // A later event on the same key has passed too, so any dead letter for the first two would have been sent by now.
    const third = await sendEvent(producer, event, { key, seq: 3 });
    await eventually(async () => expect(await db.count('effects', 'event_id = $1', [third.id])).toBe(1), { timeoutMs: 30_000 });
    await sleep(1000);
    expect(deadLetters.messages).toEqual([]);
    expect(await db.count('inbox', 'event_id = ANY($1::uuid[])', [[first.id, second.id]])).toBe(2);
  });
});
