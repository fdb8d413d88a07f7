import { EventEmitter } from 'node:events';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventRegistry, type EventDefinition } from '@iop/contracts';
import { EventConsumer, onEvent } from './event-consumer';
import type { Log } from './kafka-client';

const EVENTS = { END_BATCH_PROCESS: 'end-batch', GROUP_JOIN: 'group-join', CRASH: 'crash' } as const;

/** Just enough of a kafkajs consumer to crash it: each one joins its group when run, unless told to fail. */
class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  disconnected = false;
  constructor(private readonly failConnect: boolean) {
    super();
  }
  connect() {
    return this.failConnect ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve();
  }
  subscribe() {
    return Promise.resolve();
  }
  run() {
    this.emit(EVENTS.GROUP_JOIN, { payload: {} });
    return Promise.resolve();
  }
  disconnect() {
    this.disconnected = true;
    return Promise.resolve();
  }
  crash(restart: boolean) {
    this.emit(EVENTS.CRASH, { payload: { error: new Error('INVALID_REQUEST'), groupId: 'g', restart } });
  }
}

const silent: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function setUp(connectFailures = 0) {
  const made: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const fake = new FakeConsumer(made.length > 0 && made.length <= connectFailures);
      made.push(fake);
      return fake;
    },
  } as unknown as Kafka;
  const consumer = new EventConsumer({
    name: 'unit.consumer',
    schema: 'unit',
    kafka,
    producer: {} as Producer,
    dataSource: {} as DataSource,
    registry: new EventRegistry([]),
    handlers: [],
    deadLetterTopic: 'unit.dead-letter',
    log: silent,
    restartBackoffMs: 1000,
  });
  return { consumer, made };
}

describe('EventConsumer after a crash', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('is running once it has joined its group', async () => {
    const { consumer } = setUp();
    await consumer.start();
    expect(consumer.health()).toMatchObject({ status: 'running', crashes: 0 });
  });

  it('leaves a crash kafkajs restarts from to kafkajs, and reports it restarting until it rejoins', async () => {
    const { consumer, made } = setUp();
    await consumer.start();
    made[0]!.crash(true);
    expect(consumer.health()).toMatchObject({ status: 'restarting', crashes: 1, lastCrash: 'Error: INVALID_REQUEST' });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(made).toHaveLength(1);
    made[0]!.emit(EVENTS.GROUP_JOIN, { payload: {} });
    expect(consumer.health().status).toBe('running');
  });

  it('starts a fresh consumer itself after a crash kafkajs will not restart from, with backoff while that fails', async () => {
    const { consumer, made } = setUp(2);
    await consumer.start();
    made[0]!.crash(false);
    expect(consumer.health().status).toBe('restarting');

    await jest.advanceTimersByTimeAsync(1000);
    expect(made).toHaveLength(2);
    expect(made[0]!.disconnected).toBe(true);
    expect(consumer.health().status).toBe('restarting');
    // The second fails to connect too; the next try waits twice as long.
    await jest.advanceTimersByTimeAsync(1999);
    expect(made).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(made).toHaveLength(3);
    await jest.advanceTimersByTimeAsync(4000);
    expect(made).toHaveLength(4);
    expect(consumer.health()).toMatchObject({ status: 'running', crashes: 1 });
  });

  it('ignores crashes of a consumer it has replaced, and does not restart once stopped', async () => {
    const { consumer, made } = setUp();
    await consumer.start();
    made[0]!.crash(false);
    await jest.advanceTimersByTimeAsync(1000);
    made[0]!.crash(false);
    expect(consumer.health()).toMatchObject({ status: 'running', crashes: 1 });

    made[1]!.crash(false);
    await consumer.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(made).toHaveLength(2);
    expect(consumer.health().status).toBe('stopped');
  });
});

describe('EventConsumer handlers', () => {
  it('runs every handler registered for one event type, in the order given, instead of letting the last replace the others', async () => {
    const definition = { type: 'unit.thing-happened', version: 1, topic: 'unit.things' } as unknown as EventDefinition;
    const ran: string[] = [];
    const consumer = new EventConsumer({
      name: 'unit.consumer',
      schema: 'unit',
      kafka: {} as Kafka,
      producer: {} as Producer,
      dataSource: {} as DataSource,
      registry: new EventRegistry([]),
      handlers: [onEvent(definition, async () => void ran.push('site directory')), onEvent(definition, async () => void ran.push('capacity'))],
      deadLetterTopic: 'unit.dead-letter',
      log: silent,
    });
    const handler = (consumer as unknown as { handlers: Map<string, { handle(p: unknown, m: unknown, t: unknown): Promise<void> }> }).handlers.get(
      'unit.thing-happened',
    )!;
    await handler.handle({}, {}, {});
    expect(ran).toEqual(['site directory', 'capacity']);
    expect(consumer.topics()).toEqual(['unit.things']);
  });
});
