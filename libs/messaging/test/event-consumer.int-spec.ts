import type { Kafka, Producer } from 'kafkajs';
import { eventually, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { DEAD_LETTER_HEADERS, createKafka, encodeEvent, type EncodedEvent } from '../src';
import { MemoryLog } from './support/memory-log';
import { ProbeConsumer } from './support/probe-consumer';
import { createTestTopic, probeEvent, range, sendEncoded, sendEvent, uniqueKeys, type ProbeEvent, type SentEvent } from './support/test-events';
import { provisionTestSchema, type TestSchema } from './support/test-schema';
import { TopicRecorder, type RecordedMessage } from './support/topic-recorder';

const MAX_ATTEMPTS = 3;
const INITIAL_BACKOFF_MS = 200;

describe('consuming events', () => {
  let infra: TestInfrastructure;
  let db: TestSchema;
  let kafka: Kafka;
  let producer: Producer;
  let event: ProbeEvent;
  let probes: ProbeConsumer;
  let deadLetters: TopicRecorder;
  let log: MemoryLog;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    db = await provisionTestSchema(infra);
    log = new MemoryLog();
    kafka = createKafka('msgtest-consumer', log, infra.kafkaBrokers);
    producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
    await producer.connect();
    event = probeEvent(await createTestTopic(infra, kafka, 'consumed', 3));
    const deadLetterTopic = await createTestTopic(infra, kafka, 'dead-letter', 1);
    probes = new ProbeConsumer({ db, kafka, producer, event, deadLetterTopic, log, maxAttempts: MAX_ATTEMPTS, initialBackoffMs: INITIAL_BACKOFF_MS });
    await probes.start();
    deadLetters = await TopicRecorder.start(kafka, deadLetterTopic);
  });

  afterAll(async () => {
    await deadLetters?.stop();
    await probes?.stop();
    await producer?.disconnect();
    await db?.dispose();
  });

  const effectsOf = (eventId: string) => db.count('effects', 'event_id = $1', [eventId]);
  /** The event ids a key's effects were applied in, first to last. */
  const appliedOrder = async (key: string) =>
    (await infra.adminQuery<{ event_id: string }>(`SELECT event_id FROM ${db.schema}.effects WHERE key = $1 ORDER BY id`, [key])).map((r) => r.event_id);

  /** Once a later event on the same key (so the same partition) has taken effect, the earlier ones are done with. */
  const processedThrough = async (key: string, seq: number): Promise<SentEvent> => {
    const next = await sendEvent(producer, event, { key, seq });
    await eventually(async () => expect(await effectsOf(next.id)).toBe(1), { timeoutMs: 30_000 });
    return next;
  };

  /**
   * The consumer went on past a dead-lettered message: an event of another key, put on the same partition after it,
   * is applied. (A later event of the dead letter's own key would follow it to the dead-letter topic: its key is parked.)
   */
  const wentOnAfter = async (partition: number): Promise<void> => {
    const [other] = uniqueKeys(1) as [string];
    const next = await sendEncoded(producer, event.topic, encodeEvent(event, { key: other, seq: 1 }, '/iop/msgtest', {}), undefined, partition);
    await eventually(async () => expect(await effectsOf(next.id)).toBe(1), { timeoutMs: 30_000 });
  };

  const deadLetterOf = (eventId: string): Promise<RecordedMessage> =>
    eventually(
      () => {
        expect(deadLetters.find(eventId)).toHaveLength(1);
        return deadLetters.find(eventId)[0]!;
      },
      { timeoutMs: 30_000 },
    );

  it('takes effect once when the same event is delivered twice', async () => {
    const [key] = uniqueKeys(1) as [string];
    const delivered = encodeEvent(event, { key, seq: 1 }, '/iop/msgtest', {});

    await sendEncoded(producer, event.topic, delivered);
    await sendEncoded(producer, event.topic, delivered);
    await processedThrough(key, 2);

    expect(await effectsOf(delivered.id)).toBe(1);
    expect(await db.count('inbox', 'event_id = $1', [delivered.id])).toBe(1);
    expect(await probes.duplicatesSkipped()).toBeGreaterThanOrEqual(1);
  });

  it('retries an event that fails for good with backoff, a few times, then dead-letters it with its error and headers, and goes on', async () => {
    const [key] = uniqueKeys(1) as [string];
    const poison = encodeEvent(event, { key, seq: 1 }, '/iop/msgtest', {});
    probes.faults.set(poison.id, 'constraint');

    const sent = await sendEncoded(producer, event.topic, poison);
    await wentOnAfter(sent.partition);

    const letter = await deadLetterOf(poison.id);
    expect(letter.key).toBe(key);
    expect(letter.body).toEqual({ key, seq: 1 });
    expect(letter.headers).toMatchObject({
      ...poison.headers,
      [DEAD_LETTER_HEADERS.reason]: 'retries-exhausted',
      [DEAD_LETTER_HEADERS.attempts]: String(MAX_ATTEMPTS),
      [DEAD_LETTER_HEADERS.originalTopic]: event.topic,
      [DEAD_LETTER_HEADERS.originalPartition]: String(sent.partition),
    });
    // The database's words can hold the statement's values: the header names the SQLSTATE and the column instead.
    expect(letter.headers[DEAD_LETTER_HEADERS.error]).toMatch(/^QueryFailedError \(23502 on /);

    const calls = probes.calls.get(poison.id)!;
    expect(calls).toHaveLength(MAX_ATTEMPTS);
    const waits = calls.slice(1).map((at, i) => at - calls[i]!);
    // Each wait at least the backoff (less a little timer slack), and each longer than the one before.
    expect(waits[0]).toBeGreaterThanOrEqual(INITIAL_BACKOFF_MS - 10);
    expect(waits[1]).toBeGreaterThanOrEqual(2 * INITIAL_BACKOFF_MS - 10);
    expect(await effectsOf(poison.id)).toBe(0);
    expect(await db.count('inbox', 'event_id = $1', [poison.id])).toBe(0);
  });

  it('keeps retrying an event whose downstream is away, past the dead-letter budget, and applies it, then the next of its key, once it is back', async () => {
    const [key] = uniqueKeys(1) as [string];
    const waiting = encodeEvent(event, { key, seq: 1 }, '/iop/msgtest', {});
    probes.faults.set(waiting.id, 'unavailable');

    await sendEncoded(producer, event.topic, waiting);
    const later = await sendEvent(producer, event, { key, seq: 2 });
    await eventually(() => expect(probes.calls.get(waiting.id)?.length).toBeGreaterThan(MAX_ATTEMPTS + 1), { timeoutMs: 30_000 });
    expect(await effectsOf(later.id)).toBe(0);

    probes.faults.delete(waiting.id);
    await eventually(async () => expect(await effectsOf(later.id)).toBe(1), { timeoutMs: 30_000 });
    const applied = await db.count('effects', 'key = $1', [key]);
    expect(applied).toBe(2);
    const [first] = await appliedOrder(key);
    expect(first).toBe(waiting.id);
    expect(deadLetters.find(waiting.id)).toEqual([]);
  });

  it('dead-letters a message whose body breaks its schema at once, without calling the handler, and goes on', async () => {
    const [key] = uniqueKeys(1) as [string];
    const valid = encodeEvent(event, { key, seq: 1 }, '/iop/msgtest', {});

    const sent = await sendEncoded(producer, event.topic, valid, { key, seq: 'first' });
    await wentOnAfter(sent.partition);

    const letter = await deadLetterOf(sent.id);
    expect(letter.body).toEqual({ key, seq: 'first' });
    expect(letter.headers).toMatchObject({ ...valid.headers, [DEAD_LETTER_HEADERS.reason]: 'invalid-payload', [DEAD_LETTER_HEADERS.attempts]: '1' });
    expect(letter.headers[DEAD_LETTER_HEADERS.error]).toContain('seq');
    expect(probes.calls.get(sent.id)).toBeUndefined();
  });

  it('dead-letters an event its handler refuses for good after one attempt, and goes on', async () => {
    const [key] = uniqueKeys(1) as [string];
    const refused = encodeEvent(event, { key, seq: 1 }, '/iop/msgtest', {});
    probes.faults.set(refused.id, 'permanent');

    const sent = await sendEncoded(producer, event.topic, refused);
    await wentOnAfter(sent.partition);

    const letter = await deadLetterOf(refused.id);
    expect(letter.headers).toMatchObject({ ...refused.headers, [DEAD_LETTER_HEADERS.reason]: 'handler-rejected', [DEAD_LETTER_HEADERS.attempts]: '1' });
    expect(letter.headers[DEAD_LETTER_HEADERS.error]).toContain('PermanentEventError: probe refused by its handler');
    expect(probes.calls.get(refused.id)).toHaveLength(1);
    expect(await effectsOf(refused.id)).toBe(0);
  });

  const deadLettersWithKey = (key: string): Promise<RecordedMessage> =>
    eventually(
      () => {
        const found = deadLetters.messages.filter((m) => m.key === key);
        expect(found).toHaveLength(1);
        return found[0]!;
      },
      { timeoutMs: 30_000 },
    );

  it('dead-letters a message that is not a CloudEvent at once, keeping its body, and goes on', async () => {
    const [key] = uniqueKeys(1) as [string];
    const [meta] = await producer.send({
      topic: event.topic,
      acks: -1,
      messages: [{ key, value: JSON.stringify({ key, seq: 1 }), headers: { origin: 'a stray producer' } }],
    });
    const next = await processedThrough(key, 2);

    expect(next.partition).toBe(meta!.partition);
    const letter = await deadLettersWithKey(key);
    expect(letter.body).toEqual({ key, seq: 1 });
    expect(letter.headers).toMatchObject({
      origin: 'a stray producer',
      [DEAD_LETTER_HEADERS.reason]: 'not-a-cloudevent',
      [DEAD_LETTER_HEADERS.attempts]: '1',
      [DEAD_LETTER_HEADERS.originalTopic]: event.topic,
    });
  });

  it('dead-letters an event of a version the catalogue does not know, without calling the handler, and goes on', async () => {
    const [key] = uniqueKeys(1) as [string];
    const current = encodeEvent(event, { key, seq: 1 }, '/iop/msgtest', {});
    const future = { ...current, headers: { ...current.headers, ce_dataschema: `urn:iop:event:${event.type}:v99` } };

    const sent = await sendEncoded(producer, event.topic, future);
    await wentOnAfter(sent.partition);

    const letter = await deadLetterOf(current.id);
    expect(letter.headers).toMatchObject({ ce_dataschema: `urn:iop:event:${event.type}:v99`, [DEAD_LETTER_HEADERS.reason]: 'unknown-version' });
    expect(letter.headers[DEAD_LETTER_HEADERS.error]).toContain('v99 is not in the event catalogue');
    expect(probes.calls.get(current.id)).toBeUndefined();
  });

  /** Several events in one produce request, so they reach the consumer in one fetched batch. */
  const sendTogether = async (events: readonly EncodedEvent[], partition?: number) => {
    await producer.send({
      topic: event.topic,
      acks: -1,
      messages: events.map((e) => ({ key: e.key, value: JSON.stringify(e.payload), headers: e.headers, ...(partition === undefined ? {} : { partition }) })),
    });
  };

  it('applies a batch around an event that fails in it: the events before it commit once, it retries alone and dead-letters, and the events after it wait for it', async () => {
    const [key, other, poisonKey] = uniqueKeys(3) as [string, string, string];
    // One partition, one fetched batch: two keys that go on, and a third whose first event fails for good.
    const keys = [key, other, poisonKey, key, poisonKey, other];
    const events = keys.map((k, i) => encodeEvent(event, { key: k, seq: i + 1 }, '/iop/msgtest', {}));
    const [poison, follower] = [events[2]!, events[4]!];
    probes.faults.set(poison.id, 'constraint');

    await sendTogether(events, 0);
    await eventually(async () => expect(await db.count('effects', 'key = ANY($1::text[])', [[key, other]])).toBe(4), { timeoutMs: 30_000 });

    // Nothing overtook the failing event: the events after it were applied after its last attempt, and its own key's
    // later event followed it to the dead-letter topic instead of being applied past it. Nothing was applied twice.
    expect(await appliedOrder(key)).toEqual([events[0]!.id, events[3]!.id]);
    expect(await appliedOrder(other)).toEqual([events[1]!.id, events[5]!.id]);
    const letter = await deadLetterOf(poison.id);
    expect(letter.headers).toMatchObject({ [DEAD_LETTER_HEADERS.reason]: 'retries-exhausted', [DEAD_LETTER_HEADERS.attempts]: String(MAX_ATTEMPTS) });
    expect((await deadLetterOf(follower.id)).headers).toMatchObject({ [DEAD_LETTER_HEADERS.reason]: 'key-parked' });
    // Its failure in the batch was its first attempt; the events before it were not undone and run again.
    const poisonCalls = probes.calls.get(poison.id)!;
    expect(poisonCalls).toHaveLength(MAX_ATTEMPTS);
    for (const before of events.slice(0, 2)) expect(probes.calls.get(before.id)).toHaveLength(1);
    for (const after of [events[3]!, events[5]!]) expect(probes.calls.get(after.id)![0]).toBeGreaterThanOrEqual(poisonCalls.at(-1)!);
    expect(probes.calls.get(follower.id)).toBeUndefined();
    expect(await db.count('inbox', 'event_id = ANY($1::uuid[])', [[poison.id, follower.id]])).toBe(0);
    expect(await db.count('inbox', 'event_id = ANY($1::uuid[])', [[events[0]!.id, events[1]!.id, events[3]!.id, events[5]!.id]])).toBe(4);
  });

  it('applies the batches of partitions fetched together, and a failure in one neither undoes nor repeats the others', async () => {
    const [poisonKey, key, other] = uniqueKeys(3) as [string, string, string];
    // One produce request for three partitions: the consumer gets them in the same fetches and applies them at once.
    const alone = encodeEvent(event, { key: poisonKey, seq: 1 }, '/iop/msgtest', {});
    const pair = [1, 2].map((seq) => encodeEvent(event, { key, seq }, '/iop/msgtest', {}));
    const third = encodeEvent(event, { key: other, seq: 1 }, '/iop/msgtest', {});
    probes.faults.set(alone.id, 'constraint');
    const placed = [
      [alone, 0],
      [pair[0]!, 1],
      [pair[1]!, 1],
      [third, 2],
    ] as const;
    await producer.send({
      topic: event.topic,
      acks: -1,
      messages: placed.map(([e, partition]) => ({ key: e.key, value: JSON.stringify(e.payload), headers: e.headers, partition })),
    });

    await deadLetterOf(alone.id);
    await eventually(async () => expect(await db.count('effects', 'key = ANY($1::text[])', [[key, other]])).toBe(3), { timeoutMs: 30_000 });
    expect(await appliedOrder(key)).toEqual(pair.map((e) => e.id));
    for (const applied of [...pair, third]) expect(probes.calls.get(applied.id)).toHaveLength(1);
    expect(probes.calls.get(alone.id)).toHaveLength(MAX_ATTEMPTS);
    expect(await db.count('inbox', 'event_id = $1', [alone.id])).toBe(0);
  });

  it('treats a key with quotes, backslashes and accents like any other: its events apply in order, and a dead letter parks it', async () => {
    const [suffix] = uniqueKeys(1) as [string];
    const key = `O'Brien \\ "Zoë" ${suffix}`;
    const [first, refused, follower] = [1, 2, 3].map((seq) => encodeEvent(event, { key, seq }, '/iop/msgtest', {})) as [
      EncodedEvent,
      EncodedEvent,
      EncodedEvent,
    ];
    probes.faults.set(refused.id, 'permanent');

    await sendTogether([first, refused, follower]);

    expect((await deadLetterOf(follower.id)).headers).toMatchObject({ [DEAD_LETTER_HEADERS.reason]: 'key-parked' });
    expect((await deadLetterOf(refused.id)).headers).toMatchObject({ [DEAD_LETTER_HEADERS.reason]: 'handler-rejected' });
    expect(await appliedOrder(key)).toEqual([first.id]);
    expect(probes.calls.get(follower.id)).toBeUndefined();
    // Applied in its batch's transaction, never sent down the retry path (which a statement the key broke would do).
    expect(probes.calls.get(first.id)).toHaveLength(1);
    expect(log.entries.filter((e) => (e.fields as { eventId?: string }).eventId === first.id)).toEqual([]);
  });

  it('applies an event delivered twice in one batch once, and the rest of the batch with it', async () => {
    const [key] = uniqueKeys(1) as [string];
    const [first, second] = range(2).map((i) => encodeEvent(event, { key, seq: i + 1 }, '/iop/msgtest', {})) as [EncodedEvent, EncodedEvent];

    await sendTogether([first, first, second]);
    await eventually(async () => expect(await effectsOf(second.id)).toBe(1), { timeoutMs: 30_000 });

    expect(await appliedOrder(key)).toEqual([first.id, second.id]);
  });
});
