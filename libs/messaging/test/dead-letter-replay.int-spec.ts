import { execFile } from 'node:child_process';
import type { Kafka, Producer } from 'kafkajs';
import { deadLetterTopic } from '@iop/contracts';
import { WORKSPACE_ROOT, eventually, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import type { Pool } from 'pg';
import { createKafka, discardParkedHead, encodeEvent, listParkedKeys, replayDeadLetters, type EncodedEvent } from '../src';
import { MemoryLog } from './support/memory-log';
import { ProbeConsumer } from './support/probe-consumer';
import { createTestTopic, probeEvent, sendEncoded, sendEvent, uniqueKeys, type ProbeEvent } from './support/test-events';
import { provisionTestSchema, type TestSchema } from './support/test-schema';
import { TopicRecorder } from './support/topic-recorder';

describe('replaying dead letters', () => {
  let infra: TestInfrastructure;
  let db: TestSchema;
  let log: MemoryLog;
  let kafka: Kafka;
  let producer: Producer;
  let event: ProbeEvent;
  let dlqTopic: string;
  let probes: ProbeConsumer;
  let deadLetters: TopicRecorder;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    db = await provisionTestSchema(infra);
    log = new MemoryLog();
    kafka = createKafka('msgtest-replay', log, infra.kafkaBrokers);
    producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
    await producer.connect();
    event = probeEvent(await createTestTopic(infra, kafka, 'replayed', 3));
    dlqTopic = await createTestTopic(infra, kafka, 'dead-letter', 1);
    probes = new ProbeConsumer({ db, kafka, producer, event, deadLetterTopic: dlqTopic, log, maxAttempts: 2, initialBackoffMs: 50 });
    await probes.start();
    deadLetters = await TopicRecorder.start(kafka, dlqTopic);
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await deadLetters?.stop();
    await probes?.stop();
    await producer?.disconnect();
    await db?.dispose();
  });

  const effectsOf = (eventId: string) => db.count('effects', 'event_id = $1', [eventId]);

  /** An event whose handler keeps failing for good (a constraint its data breaks) until the test fixes the cause. */
  const deadLettered = async (recorder = deadLetters, via = event, consumer = probes): Promise<EncodedEvent> => {
    const [key] = uniqueKeys(1) as [string];
    const flaky = encodeEvent(via, { key, seq: 1 }, '/iop/msgtest', {});
    consumer.faults.set(flaky.id, 'constraint');
    await sendEncoded(producer, via.topic, flaky);
    await eventually(() => expect(recorder.find(flaky.id)).toHaveLength(1), { timeoutMs: 30_000 });
    return flaky;
  };

  /** A later event on the same key has taken effect, so everything before it on the partition is done with. */
  const processedThrough = async (key: string) => {
    const next = await sendEvent(producer, event, { key, seq: 2 });
    await eventually(async () => expect(await effectsOf(next.id)).toBe(1), { timeoutMs: 30_000 });
  };

  const replay = (eventIds?: string[]) =>
    replayDeadLetters({ kafka, producer, deadLetterTopic: dlqTopic, log, timeoutMs: 30_000, ...(eventIds ? { eventIds } : {}) });

  it('sends a dead letter back once its cause is fixed, and the consumer processes it exactly once', async () => {
    const flaky = await deadLettered();
    expect(await effectsOf(flaky.id)).toBe(0);

    probes.faults.delete(flaky.id);
    await expect(replay([flaky.id])).resolves.toMatchObject({ replayed: 1 });
    await eventually(async () => expect(await effectsOf(flaky.id)).toBe(1), { timeoutMs: 30_000 });

    // An operator replays it once more: the consumer's inbox recognises it.
    await expect(replay([flaky.id])).resolves.toMatchObject({ replayed: 1 });
    await processedThrough(flaky.key);
    expect(await effectsOf(flaky.id)).toBe(1);
    expect(await db.count('inbox', 'event_id = $1', [flaky.id])).toBe(1);
    expect(await probes.duplicatesSkipped()).toBeGreaterThanOrEqual(1);
  });

  it('leaves the dead letters it was not asked for to a later full replay, which then has nothing left to send', async () => {
    const chosen = await deadLettered();
    const other = await deadLettered();
    probes.faults.delete(chosen.id);
    probes.faults.delete(other.id);

    await expect(replay([chosen.id])).resolves.toMatchObject({ replayed: 1 });
    await eventually(async () => expect(await effectsOf(chosen.id)).toBe(1), { timeoutMs: 30_000 });
    expect(await effectsOf(other.id)).toBe(0);

    // A full replay still finds the other one (and sends the chosen one again, which is harmless).
    const full = await replay();
    expect(full.replayed).toBeGreaterThanOrEqual(2);
    await eventually(async () => expect(await effectsOf(other.id)).toBe(1), { timeoutMs: 30_000 });
    await processedThrough(chosen.key);
    expect(await effectsOf(chosen.id)).toBe(1);

    // The next full replay answers at once instead of waiting out its timeout for letters that never come.
    const started = Date.now();
    await expect(replayDeadLetters({ kafka, producer, deadLetterTopic: dlqTopic, log, timeoutMs: 60_000 })).resolves.toEqual({ replayed: 0, skipped: 0 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  describe('a dead letter parks its key', () => {
    /** The service's connection pool (what the dlq:parked command would use). */
    const pool = () => (db.dataSource.driver as unknown as { master: Pool }).master;
    const parkedKeys = () => listParkedKeys(pool(), db.schema);

    it('sends later events of the key after it to the dead-letter topic instead of applying them past it, while other keys flow', async () => {
      const head = await deadLettered();
      const follower = await sendEvent(producer, event, { key: head.key, seq: 2 });
      const [otherKey] = uniqueKeys(1) as [string];
      const unrelated = await sendEvent(producer, event, { key: otherKey, seq: 1 });

      await eventually(() => expect(deadLetters.find(follower.id)).toHaveLength(1), { timeoutMs: 30_000 });
      expect(deadLetters.find(follower.id)[0]!.headers['x-dead-letter-reason']).toBe('key-parked');
      await eventually(async () => expect(await effectsOf(unrelated.id)).toBe(1), { timeoutMs: 30_000 });
      expect(await effectsOf(follower.id)).toBe(0);
      expect((await parkedKeys()).filter((p) => p.key === head.key)).toEqual([
        expect.objectContaining({ topic: event.topic, headEventId: head.id, reason: 'retries-exhausted', followers: 1 }),
      ]);
    });

    it('applies the head and its followers in their order when they are replayed, and unparks the key', async () => {
      const head = await deadLettered();
      const followers = [await sendEvent(producer, event, { key: head.key, seq: 2 }), await sendEvent(producer, event, { key: head.key, seq: 3 })];
      await eventually(() => expect(followers.every((f) => deadLetters.find(f.id).length === 1)).toBe(true), { timeoutMs: 30_000 });

      probes.faults.delete(head.id);
      await expect(replay([head.id, ...followers.map((f) => f.id)])).resolves.toMatchObject({ replayed: 3 });

      await eventually(async () => expect(await db.count('effects', 'key = $1', [head.key])).toBe(3), { timeoutMs: 30_000 });
      const applied = await infra.adminQuery<{ seq: number }>(`SELECT seq FROM ${db.schema}.effects WHERE key = $1 ORDER BY id`, [head.key]);
      expect(applied.map((r) => r.seq)).toEqual([1, 2, 3]);
      expect((await parkedKeys()).filter((p) => p.key === head.key)).toEqual([]);
      await processedThrough(head.key);
    });

    it('unparks the key when an operator discards a head that can never be applied', async () => {
      const head = await deadLettered();
      const follower = await sendEvent(producer, event, { key: head.key, seq: 2 });
      await eventually(() => expect(deadLetters.find(follower.id)).toHaveLength(1), { timeoutMs: 30_000 });

      expect(await discardParkedHead(pool(), db.schema, head.id)).toBe(1);
      await expect(replay([follower.id])).resolves.toMatchObject({ replayed: 1 });

      await eventually(async () => expect(await effectsOf(follower.id)).toBe(1), { timeoutMs: 30_000 });
      expect(await effectsOf(head.id)).toBe(0);
    });
  });

  describe('the dlq:replay command', () => {
    it('replays the chosen dead letters of a service and says which', async () => {
      // This consumer dead-letters to intake's topic, as the intake service would.
      const servedEvent = probeEvent(await createTestTopic(infra, kafka, 'intake-served', 1));
      const intake = new ProbeConsumer({
        db,
        kafka,
        producer,
        event: servedEvent,
        deadLetterTopic: deadLetterTopic('intake'),
        log,
        maxAttempts: 1,
        initialBackoffMs: 50,
      });
      await intake.start();
      cleanups.push(() => intake.stop());
      const intakeDeadLetters = await TopicRecorder.start(kafka, deadLetterTopic('intake'));
      cleanups.push(() => intakeDeadLetters.stop());
      const flaky = await deadLettered(intakeDeadLetters, servedEvent, intake);
      intake.faults.delete(flaky.id);

      const run = await replayCommand(infra, '--service', 'intake', '--event-id', flaky.id);

      expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining(`replayed ${flaky.id} to ${servedEvent.topic}`) });
      expect(run.stdout).toContain('intake.dead-letter: replayed 1');
      await eventually(async () => expect(await effectsOf(flaky.id)).toBe(1), { timeoutMs: 30_000 });
    });

    it('refuses, with a message saying why, a service it does not know or an event id that is not one', async () => {
      const [unknownService, badId, noService] = await Promise.all([
        replayCommand(infra, '--service', 'billing'),
        replayCommand(infra, '--service', 'intake', '--event-id', 'last-tuesday'),
        replayCommand(infra),
      ]);

      expect(unknownService).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('unknown service "billing"; services are: intake, insurance, scheduling, attendance, aftercare'),
      });
      expect(badId).toMatchObject({ code: 2, stderr: expect.stringContaining('--event-id takes an event id (a UUID, the ce_id header); not: last-tuesday') });
      expect(noService).toMatchObject({ code: 2, stderr: expect.stringContaining('--service is required') });
    });
  });
});

/** Runs `npm run dlq:replay -- <args>` as an operator would (without npm's own output). */
function replayCommand(infra: TestInfrastructure, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // Jest gives each test file its own copy of process.env; a child process would not see this run's brokers.
  const env = { ...process.env, KAFKA_BROKERS: infra.kafkaBrokers.join(',') };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', 'scripts/replay-dead-letters.ts', ...args],
      { cwd: WORKSPACE_ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}
