import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { eventually, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { InvalidEventPayloadError, Outbox, OutboxRelay, createKafka } from '../src';
import { MemoryLog } from './support/memory-log';
import { RelayChild } from './support/relay-child';
import { brokerControl, createTestTopic, probeEvent, range, uniqueKeys, type Probe, type ProbeEvent } from './support/test-events';
import { provisionTestSchema, type TestSchema } from './support/test-schema';
import { TopicRecorder, messagesOnTopic, type RecordedMessage } from './support/topic-recorder';

const RELAY_FAILED = 'outbox relay: publish failed, will retry';

describe('publishing through the outbox and its relay', () => {
  let infra: TestInfrastructure;
  let db: TestSchema;
  let log: MemoryLog;
  let kafka: Kafka;
  let producer: Producer;
  let outbox: Outbox;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    db = await provisionTestSchema(infra);
    log = new MemoryLog();
    kafka = createKafka('msgtest-outbox', log, infra.kafkaBrokers);
    producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
    await producer.connect();
    outbox = new Outbox(db.schema);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await db?.dispose();
  });

  /** A relay as a service runs it, but quick to notice new rows and to retry after an outage. */
  const startRelay = (): OutboxRelay => {
    const relay = new OutboxRelay({
      schema: db.schema,
      dataSource: db.dataSource,
      connectionString: db.connectionString,
      producer,
      log,
      pollIntervalMs: 50,
      maxBackoffMs: 500,
    });
    relay.start();
    cleanups.push(() => relay.stop());
    return relay;
  };

  const record = async (topic: string): Promise<TopicRecorder> => {
    const recorder = await TopicRecorder.start(kafka, topic);
    cleanups.push(() => recorder.stop());
    return recorder;
  };

  /** One business transaction: a state change for each key and, with it, each key's next event. */
  const writeRound = (definition: ProbeEvent, keys: readonly string[], seq: number): Promise<string[]> =>
    inScopedTransaction(db.dataSource, ALL_SITES, (manager) =>
      outbox.addMany(
        manager,
        definition,
        keys.map((key): Probe => ({ key, seq })),
      ),
    );

  const unpublished = (topic: string) => db.count('outbox', 'topic = $1 AND published_at IS NULL', [topic]);

  it('delivers 10,000 events across a broker outage: none lost, and every key in order', async () => {
    const broker = brokerControl(infra);
    const event = probeEvent(await createTestTopic(infra, kafka, 'outage', 6));
    const keys = uniqueKeys(100);
    const consumer = await record(event.topic);
    startRelay();

    const written: string[] = [];
    for (const seq of range(50)) written.push(...(await writeRound(event, keys, seq)));
    await eventually(async () => expect(await db.count('outbox', 'topic = $1 AND published_at IS NOT NULL', [event.topic])).toBeGreaterThan(0));

    await broker.down('all');
    try {
      // The service keeps accepting work while Kafka is away; its events wait in the outbox.
      for (const seq of range(50).map((i) => i + 50)) written.push(...(await writeRound(event, keys, seq)));
      await eventually(() => expect(log.count(RELAY_FAILED)).toBeGreaterThanOrEqual(2), { timeoutMs: 60_000 });
      expect(await unpublished(event.topic)).toBeGreaterThan(0);
    } finally {
      await broker.up('all');
    }

    await eventually(() => expect(consumer.ids().size).toBe(10_000), { timeoutMs: 90_000, intervalMs: 500 });
    expect(consumer.ids()).toEqual(new Set(written));
    expect(keysOutOfOrder(consumer.messages, keys, range(100))).toEqual([]);
    expect(await unpublished(event.topic)).toBe(0);
  });

  it('delivers across one broker of three going down and coming back: none lost, and every key in order', async () => {
    // The development broker never moves a partition's leadership: the partitions broker 1 leads wait for it, as a
    // real cluster's would until a new leader is elected. Nothing may be lost or reordered meanwhile.
    const broker = brokerControl(infra);
    const event = probeEvent(await createTestTopic(infra, kafka, 'one-broker-down', 6));
    const keys = uniqueKeys(30);
    const consumer = await record(event.topic);
    startRelay();

    const written: string[] = [];
    for (const seq of range(10)) written.push(...(await writeRound(event, keys, seq)));
    const failedBefore = log.count(RELAY_FAILED);
    await broker.down(1);
    try {
      for (const seq of range(10).map((i) => i + 10)) written.push(...(await writeRound(event, keys, seq)));
      // The relay's sends to the partitions broker 1 leads fail (and are retried) while it is away.
      await eventually(() => expect(log.count(RELAY_FAILED)).toBeGreaterThan(failedBefore), { timeoutMs: 60_000 });
    } finally {
      await broker.up(1);
    }

    await eventually(() => expect(consumer.ids().size).toBe(600), { timeoutMs: 90_000, intervalMs: 500 });
    expect(consumer.ids()).toEqual(new Set(written));
    expect(keysOutOfOrder(consumer.messages, keys, range(20))).toEqual([]);
    expect(await unpublished(event.topic)).toBe(0);
  });

  it('publishes each event exactly once in normal operation, with a second relay standing by', async () => {
    const event = probeEvent(await createTestTopic(infra, kafka, 'steady', 3));
    const keys = uniqueKeys(20);
    startRelay();
    startRelay();

    const written: string[] = [];
    for (const seq of range(100)) written.push(...(await writeRound(event, keys, seq)));
    await eventually(async () => expect(await unpublished(event.topic)).toBe(0), { timeoutMs: 60_000 });

    expect(await messagesOnTopic(kafka, event.topic)).toBe(2_000);
    const consumer = await record(event.topic);
    await eventually(() => expect(consumer.messages).toHaveLength(2_000), { timeoutMs: 60_000 });
    expect(consumer.ids()).toEqual(new Set(written));
    expect(keysOutOfOrder(consumer.messages, keys, range(100))).toEqual([]);
  });

  it('loses nothing when the relay process is killed mid-batch and started again', async () => {
    const broker = brokerControl(infra);
    const event = probeEvent(await createTestTopic(infra, kafka, 'crash', 3));
    const keys = uniqueKeys(20);
    const written: string[] = [];
    for (const seq of range(100)) written.push(...(await writeRound(event, keys, seq)));
    const relayEnv = { schema: db.schema, databaseUrl: infra.databaseUrl, kafkaBrokers: infra.kafkaBrokers, batchSize: 100 };

    // Slow acks keep each batch in flight long enough for the kill to land inside one.
    await broker.rtt('all', 500);
    const crashed = RelayChild.start(relayEnv);
    cleanups.push(() => crashed.stop());
    try {
      await crashed.waitFor('sending 3');
      await crashed.kill();
    } finally {
      await broker.rtt('all', 0);
    }
    // Every batch before the one in flight was acknowledged and marked; that one was read but never marked.
    const inFlight = crashed.batchesStarted;
    expect(inFlight).toBeGreaterThanOrEqual(3);
    expect(await db.count('outbox', 'topic = $1 AND published_at IS NOT NULL', [event.topic])).toBe((inFlight - 1) * 100);

    const restarted = RelayChild.start(relayEnv);
    cleanups.push(() => restarted.stop());
    await eventually(async () => expect(await unpublished(event.topic)).toBe(0), { timeoutMs: 60_000 });

    const consumer = await record(event.topic);
    await eventually(() => expect(consumer.ids()).toEqual(new Set(written)), { timeoutMs: 60_000 });
    expect(keysOutOfOrder(consumer.messages, keys, range(100))).toEqual([]);
  });

  it('a leader that vanishes without closing its socket hands over to the standby within its lease', async () => {
    const event = probeEvent(await createTestTopic(infra, kafka, 'vanished-leader', 1));
    const relayEnv = { schema: db.schema, databaseUrl: infra.databaseUrl, kafkaBrokers: infra.kafkaBrokers, batchSize: 100, leaseSeconds: 3 };
    const leader = RelayChild.start(relayEnv);
    cleanups.push(() => leader.stop());
    await writeRound(event, ['before'], 1);
    await leader.waitFor('sending 1');
    await eventually(async () => expect(await unpublished(event.topic)).toBe(0));

    leader.freeze();
    const standby = new OutboxRelay({
      schema: db.schema,
      dataSource: db.dataSource,
      connectionString: db.connectionString,
      producer,
      log,
      pollIntervalMs: 50,
      leaseSeconds: 3,
    });
    standby.start();
    cleanups.push(() => standby.stop());
    const written = await writeRound(event, ['after'], 2);

    // Postgres ends the frozen leader's silent session after its 3 s lease; the standby takes the lock and publishes.
    await eventually(async () => expect(await unpublished(event.topic)).toBe(0), { timeoutMs: 20_000 });
    const consumer = await record(event.topic);
    await eventually(() => expect([...consumer.ids()]).toEqual(expect.arrayContaining(written)));
  });

  it('sets aside an event Kafka refuses for good, and keeps publishing the rest', async () => {
    const broker = brokerControl(infra);
    const event = probeEvent(await createTestTopic(infra, kafka, 'refused-for-good', 1));
    const consumer = await record(event.topic);
    const written = await writeRound(event, ['first', 'second', 'third'], 1);

    // The broker answers MESSAGE_TOO_LARGE (10) to the batch, then to the first event sent on its own.
    await broker.produceErrors(10, 2);
    startRelay();

    await eventually(async () => expect(await db.count('outbox', 'topic = $1 AND published_at IS NOT NULL', [event.topic])).toBe(2));
    const [parked] = await infra.adminQuery<{ id: string; last_error: string }>(
      `SELECT id, last_error FROM ${db.schema}.outbox WHERE topic = $1 AND parked_at IS NOT NULL AND published_at IS NULL`,
      [event.topic],
    );
    expect(parked).toMatchObject({ id: written[0], last_error: expect.stringMatching(/larger than the max message size/i) });
    await eventually(() => expect([...consumer.ids()].sort()).toEqual([written[1], written[2]].sort()));
    expect(await unpublished(event.topic)).toBe(1);
  });

  it('keeps per-key order by itself: a second transaction for the same key waits for the first, whichever commits first', async () => {
    const event = probeEvent(await createTestTopic(infra, kafka, 'key-order', 1));
    const consumer = await record(event.topic);
    startRelay();
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let secondCommitted = false;

    // The first writer adds seq 1 and holds its transaction open; the second writes seq 2 for the same key and tries to commit.
    const first = inScopedTransaction(db.dataSource, ALL_SITES, async (manager) => {
      await outbox.add(manager, event, { key: 'same-key', seq: 1 });
      await firstMayCommit;
    });
    await eventually(async () => expect(await infra.adminQuery(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted`)).not.toHaveLength(0));
    const second = inScopedTransaction(db.dataSource, ALL_SITES, (manager) => outbox.add(manager, event, { key: 'same-key', seq: 2 })).then(() => {
      secondCommitted = true;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(secondCommitted).toBe(false);

    releaseFirst();
    await Promise.all([first, second]);
    await eventually(() => expect(consumer.messages).toHaveLength(2));
    expect(consumer.messages.map((m) => (m.body as Probe).seq)).toEqual([1, 2]);
  });

  it('prunes published events after a week and inbox entries after 30 days, keeping everything newer', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    await infra.adminQuery(
      `INSERT INTO ${db.schema}.inbox (consumer, event_id, event_type, received_at) VALUES ('c', $1, 't', now() - interval '31 days'), ('c', $2, 't', now() - interval '29 days')`,
      [old, recent],
    );
    startRelay();
    await eventually(async () => expect(await db.count('inbox', 'event_id = $1', [old])).toBe(0));
    expect(await db.count('inbox', 'event_id = $1', [recent])).toBe(1);
  });

  it('refuses an event whose payload breaks its schema, and its transaction writes nothing', async () => {
    const event = probeEvent(await createTestTopic(infra, kafka, 'refused', 1));
    const recordId = randomUUID();

    const attempt = inScopedTransaction(db.dataSource, ALL_SITES, async (manager) => {
      await manager.query(`INSERT INTO ${db.schema}.records (id, key) VALUES ($1, $2)`, [recordId, 'refused']);
      await outbox.add(manager, event, { key: 'refused', seq: -1 });
    });

    await expect(attempt).rejects.toThrow(InvalidEventPayloadError);
    await expect(attempt).rejects.toMatchObject({ eventType: event.type, issues: expect.stringContaining('seq') });
    expect(await db.count('records', 'id = $1', [recordId])).toBe(0);
    expect(await db.count('outbox', 'topic = $1', [event.topic])).toBe(0);
  });
});

/**
 * The keys whose events a consumer first saw in another order than they were written. Redelivery
 * after a failure may repeat events; what must hold is that the first sighting of each is in order.
 */
function keysOutOfOrder(messages: readonly RecordedMessage[], keys: readonly string[], expected: readonly number[]): string[] {
  const seen = new Set<string>();
  const firstSightings = new Map<string, number[]>(keys.map((k) => [k, []]));
  for (const message of messages) {
    if (seen.has(message.id)) continue;
    seen.add(message.id);
    firstSightings.get(message.key)?.push((message.body as Probe).seq);
  }
  return keys.filter((k) => firstSightings.get(k)!.join(',') !== expected.join(','));
}
