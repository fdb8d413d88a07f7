import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Consumer, EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { z } from 'zod';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventDefinition, EventRegistry } from '@iop/contracts';
import { ALL_SITES, assertSqlIdentifier, inScopedTransaction, inTransactionBegunWith, scopeSetting, sqlLiteral } from '@iop/persistence';
import { decodeEvent, headersToStrings, type EventMeta } from './cloudevent-codec';
import { DEAD_LETTER_REASONS, describeError, KeyParkedError, PermanentEventError, type DeadLetterReason } from './errors';
import { classifyFailure } from './error-classification';
import { contextFromEvent } from './trace-context';
import { DEAD_LETTER_HEADERS } from './dead-letter';
import type { Log } from './kafka-client';

/** Reacts to one event type. Its effects use `manager`, the transaction the inbox row commits in. */
export interface EventHandler<D extends EventDefinition = EventDefinition> {
  readonly definition: D;
  handle(payload: z.infer<D['schema']>, meta: EventMeta, manager: EntityManager): Promise<void>;
}

export function onEvent<D extends EventDefinition>(definition: D, handle: EventHandler<D>['handle']): EventHandler {
  return { definition, handle } as unknown as EventHandler;
}

export interface EventConsumerOptions {
  /** The consumer's name: its Kafka group id and its inbox key, e.g. `intake.site-directory`. */
  readonly name: string;
  readonly schema: string;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly dataSource: DataSource;
  readonly registry: EventRegistry;
  readonly handlers: readonly EventHandler[];
  readonly deadLetterTopic: string;
  readonly log: Log;
  readonly metrics?: Registry;
  /**
   * Attempts before a message whose failure is permanent (a constraint violation, a bug; see error-classification.ts)
   * goes to the dead-letter topic (1 = no retry; default 3). A declared `PermanentEventError` goes at once; a transient
   * failure (the database or broker away, a deadlock, a timeout) is retried without limit and never dead-lettered.
   */
  readonly maxAttempts?: number;
  readonly initialBackoffMs?: number;
  /** The cap on the wait between attempts; a long outage is retried at this pace. Default 5 s. */
  readonly maxBackoffMs?: number;
  /** First wait before the consumer restarts itself after a crash kafkajs does not restart from; doubles to 30 s. */
  readonly restartBackoffMs?: number;
  readonly fromBeginning?: boolean;
  /** How soon the group notices a dead member or a broker outage; Kafka's default is 30 s. */
  readonly sessionTimeoutMs?: number;
  /**
   * Partitions handled at once (default 3, the catalogue's partition count). Order holds within a partition, which
   * is all a key's order needs; across partitions, one slow or retrying event no longer holds up the rest.
   */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * Events of one fetched batch applied in one transaction (default 50; 1 = a transaction per event). Each event
   * runs in a savepoint of its own, so a failing one is rolled back alone; the events before it commit, and it goes
   * on alone through the retry and dead-letter path before the events after it are applied. Kept under 64: past
   * that many subtransactions that wrote, Postgres stops caching them per backend and every snapshot on the
   * server gets slower while the transaction is open.
   */
  readonly eventsPerTransaction?: number;
}

type Outcome = 'processed' | 'duplicate' | 'ignored' | 'dead-lettered';

/** One message as the retry and dead-letter path needs it: where it came from, and a way to stay in the group while waiting. */
interface Delivery {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  heartbeat(): Promise<void>;
}

type Decoded = Exclude<ReturnType<typeof decodeEvent>, 'not-ours'>;

/** A message of a batch, decoded: an event for a handler, or one this consumer has no handler for. */
interface Received {
  readonly topic: string;
  readonly message: KafkaMessage;
  readonly event: Decoded | undefined;
}

/** What one batch transaction did: an outcome per message it got through, and the event that failed in it, if one did. */
interface BatchTransaction {
  readonly outcomes: Array<'processed' | 'duplicate' | 'ignored'>;
  readonly failed?: { readonly index: number; readonly error: unknown };
}

/** Subtransactions that wrote, per top-level transaction, that Postgres caches per backend (PGPROC_MAX_CACHED_SUBXIDS). */
const MAX_EVENTS_PER_TRANSACTION = 60;

/**
 * `running`: in its group and consuming (possibly waiting out a transient failure, which is not a fault of the
 * process). `restarting`: crashed, and kafkajs or the consumer itself is bringing it back. `stopped`: by request.
 */
export type ConsumerStatus = 'starting' | 'running' | 'restarting' | 'stopped';

export interface ConsumerHealth {
  readonly status: ConsumerStatus;
  /** When the status last changed (epoch ms). */
  readonly since: number;
  readonly crashes: number;
  readonly lastCrash?: string;
}

/** Thrown out of a retry loop when the consumer stops: the message is not committed and comes back. */
class ConsumerStoppingError extends Error {
  constructor() {
    super('consumer is stopping; the message will be redelivered');
    this.name = 'ConsumerStoppingError';
  }
}

const MAX_RESTART_BACKOFF_MS = 30_000;

const tracer = trace.getTracer('@iop/messaging');

/**
 * An idempotent consumer: the handler's effects and the inbox row (consumer, event id) commit in one
 * transaction, so a redelivered event is recognised and skipped. Failures are classified
 * (error-classification.ts): transient ones are retried with capped backoff for as long as they last,
 * holding the partition so the key's order holds; permanent ones, after a few attempts, send the message
 * to the dead-letter topic with its error and original headers, and the consumer moves on.
 *
 * Retrying inside the handler keeps it simple and ordered: kafkajs fetches per broker and waits for that
 * fetch's batches, so partitions led by the same broker wait with the retrying one, and others go on. In a
 * database outage every partition is held anyway.
 */
export class EventConsumer {
  private consumer: Consumer | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartBackoff: number;
  private state: { status: ConsumerStatus; since: number; crashes: number; lastCrash?: string } = { status: 'stopped', since: Date.now(), crashes: 0 };
  private readonly schema: string;
  private readonly handlers = new Map<string, EventHandler>();
  private readonly outcomes: Counter | undefined;
  private readonly deadLetters: Counter | undefined;
  private readonly lag: Gauge | undefined;
  private readonly retries: Counter | undefined;
  private readonly crashes: Counter | undefined;

  constructor(private readonly options: EventConsumerOptions) {
    this.schema = assertSqlIdentifier(options.schema);
    this.restartBackoff = options.restartBackoffMs ?? 1000;
    // Several handlers of one type (the site directory's and a service's own reaction to a site update) all run, in
    // the order given, in the event's transaction: one failing undoes the others, and the event is retried whole.
    const byType = new Map<string, EventHandler[]>();
    for (const h of options.handlers) byType.set(h.definition.type, [...(byType.get(h.definition.type) ?? []), h]);
    for (const [type, all] of byType) this.handlers.set(type, inSequence(all));
    const registry = options.metrics;
    if (registry) {
      this.outcomes = counter(registry, 'iop_events_consumed_total', 'Events a consumer finished with, by outcome', ['consumer', 'type', 'outcome']);
      this.deadLetters = counter(registry, 'iop_dead_letters_total', 'Messages sent to a dead-letter topic', ['consumer', 'topic', 'reason']);
      this.lag =
        (registry.getSingleMetric('iop_consumer_lag') as Gauge | undefined) ??
        new Gauge({
          name: 'iop_consumer_lag',
          help: 'Messages behind the end of each partition',
          labelNames: ['consumer', 'topic', 'partition'],
          registers: [registry],
        });
      this.retries = counter(registry, 'iop_event_retries_total', 'Failed attempts at an event that will be tried again, by failure kind', [
        'consumer',
        'type',
        'kind',
      ]);
      this.crashes = counter(registry, 'iop_consumer_crashes_total', 'Consumer crashes, by who restarts it', ['consumer', 'restarted_by']);
    }
  }

  /** For liveness: a consumer that crashed and stays down means the process needs a restart. */
  health(): ConsumerHealth {
    return { ...this.state };
  }

  private setStatus(status: ConsumerStatus): void {
    if (this.state.status !== status) this.state = { ...this.state, status, since: Date.now() };
  }

  topics(): string[] {
    return [...new Set([...this.handlers.values()].map((h) => h.definition.topic))];
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.setStatus('starting');
    // Zero series from the start, so an alert on increase() sees the first dead letter too.
    for (const topic of this.topics()) {
      for (const reason of DEAD_LETTER_REASONS) this.deadLetters?.inc({ consumer: this.options.name, topic, reason }, 0);
    }
    await this.startConsumer();
  }

  private async startConsumer(): Promise<void> {
    const consumer = this.options.kafka.consumer({
      groupId: this.options.name,
      maxWaitTimeInMs: 100,
      // kafkajs restarts by itself after a retriable crash; say so in the log. Other crashes are ours to restart.
      retry: {
        retries: 10,
        restartOnFailure: (error) => {
          this.options.log.warn({ consumer: this.options.name, err: describeError(error) }, 'consumer crashed; kafkajs restarts it');
          return Promise.resolve(true);
        },
      },
      ...(this.options.sessionTimeoutMs
        ? { sessionTimeout: this.options.sessionTimeoutMs, heartbeatInterval: Math.floor(this.options.sessionTimeoutMs / 5) }
        : {}),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.lag?.set({ consumer: this.options.name, topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLag));
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (consumer !== this.consumer || this.stopping) return;
      this.setStatus('running');
      this.restartBackoff = this.options.restartBackoffMs ?? 1000;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.onCrash(consumer, payload.error, payload.restart));
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics(), fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      // Offsets are resolved as the events they follow commit, never for a whole batch at once.
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private onCrash(consumer: Consumer, error: Error, restartedByKafkajs: boolean): void {
    if (consumer !== this.consumer || this.stopping) return;
    this.state = { ...this.state, crashes: this.state.crashes + 1, lastCrash: describeError(error) };
    this.setStatus('restarting');
    this.crashes?.inc({ consumer: this.options.name, restarted_by: restartedByKafkajs ? 'kafkajs' : 'consumer' });
    if (restartedByKafkajs) return;
    // kafkajs gives up on errors it deems not retriable (e.g. the development broker's INVALID_REQUEST on
    // SyncGroup); a consumer that stays down silently stops the service's reactions. Start a fresh one.
    this.options.log.error({ consumer: this.options.name, err: describeError(error) }, 'consumer crashed and kafkajs will not restart it; restarting');
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.restartTimer || this.stopping) return;
    const wait = this.restartBackoff;
    this.restartBackoff = Math.min(this.restartBackoff * 2, MAX_RESTART_BACKOFF_MS);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart();
    }, wait);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    const crashed = this.consumer;
    this.consumer = undefined;
    await crashed?.disconnect().catch(() => undefined);
    try {
      await this.startConsumer();
    } catch (error) {
      this.options.log.warn({ consumer: this.options.name, err: describeError(error) }, 'consumer restart failed; trying again');
      this.scheduleRestart();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.consumer?.disconnect();
    this.consumer = undefined;
    this.setStatus('stopped');
  }

  /** Exposed for tests: what happened to one message, handled alone in a transaction of its own. */
  async onMessage(payload: EachMessagePayload): Promise<Outcome> {
    let decoded: ReturnType<typeof decodeEvent>;
    try {
      decoded = this.decode(payload.message);
    } catch (error) {
      return this.deadLetter(payload, error, 1);
    }
    if (decoded === 'not-ours') return 'ignored';
    return this.applyAlone(payload, decoded);
  }

  /**
   * A fetched batch (one partition, in offset order), applied `eventsPerTransaction` events per transaction: one
   * multi-row inbox insert finds the new events, each new event's handler runs in a savepoint, one commit. The
   * offsets move on only as far as what has committed. An event whose handler fails is rolled back to its
   * savepoint; the events before it commit; it then goes alone through the retry and dead-letter path (its failure
   * in the batch counting as the first attempt), and only after it is applied or dead-lettered do the events after
   * it run, so nothing of its key, or of its partition, overtakes it. A failure of the transaction itself (the
   * database away) commits nothing; the batch's first event then goes alone through the retry path, which waits
   * the failure out.
   */
  async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const messages = batch.messages;
    const perTransaction = Math.min(MAX_EVENTS_PER_TRANSACTION, Math.max(1, this.options.eventsPerTransaction ?? 50));
    const delivery = (message: KafkaMessage): Delivery => ({ topic: batch.topic, partition: batch.partition, message, heartbeat: payload.heartbeat });
    let next = 0;
    while (next < messages.length) {
      if (this.stopping || !payload.isRunning() || payload.isStale()) return;
      const run: Received[] = [];
      let undecodable: { message: KafkaMessage; error: unknown } | undefined;
      for (; next < messages.length && run.length < perTransaction; next++) {
        const message = messages[next]!;
        try {
          const decoded = this.decode(message);
          run.push({ topic: batch.topic, message, event: decoded === 'not-ours' ? undefined : decoded });
        } catch (error) {
          undecodable = { message, error };
          break;
        }
      }
      if (run.length > 0) {
        const done = await this.applyRun(run, delivery, payload);
        if (done < run.length) {
          // Stopped at a failed event, now dealt with: go on from the message after it.
          next -= run.length - done;
          continue;
        }
      }
      if (undecodable) {
        await this.deadLetter(delivery(undecodable.message), undecodable.error, 1);
        payload.resolveOffset(undecodable.message.offset);
        next++;
      }
      await payload.heartbeat();
    }
  }

  private decode(message: KafkaMessage): ReturnType<typeof decodeEvent> {
    return decodeEvent(message, this.options.registry, (type) => this.handlers.has(type));
  }

  /** Applies a run of decoded messages in one transaction; returns how many of them are done with (at least one). */
  private async applyRun(run: readonly Received[], delivery: (message: KafkaMessage) => Delivery, payload: EachBatchPayload): Promise<number> {
    const events = run.flatMap((r) => (r.event ? [r.event] : []));
    let result: BatchTransaction;
    try {
      result = events.length === 0 ? { outcomes: run.map(() => 'ignored' as const) } : await this.inBatchTransaction(run);
    } catch (error) {
      // Nothing committed: the first event goes alone through the retry path, which waits a transient failure out
      // (or, a lone event's handler having failed, counts this as its first attempt).
      const at = run.findIndex((r) => r.event);
      const first = run[at]!;
      await this.applyAlone(delivery(first.message), first.event!, error);
      payload.resolveOffset(first.message.offset);
      return at + 1;
    }
    result.outcomes.forEach((outcome, i) => {
      const event = run[i]!.event;
      if (event) this.outcomes?.inc({ consumer: this.options.name, type: event.meta.type, outcome });
    });
    if (result.outcomes.length > 0) payload.resolveOffset(run[result.outcomes.length - 1]!.message.offset);
    if (!result.failed) return run.length;
    const failed = run[result.failed.index]!;
    await this.applyAlone(delivery(failed.message), failed.event!, result.failed.error);
    payload.resolveOffset(failed.message.offset);
    return result.failed.index + 1;
  }

  /**
   * The run's transaction. Its first round trip carries BEGIN and the inbox insert together, as one two-statement
   * simple query: three round trips for a lone event (BEGIN with the insert, the handler, COMMIT) instead of four.
   * The simple protocol takes no parameters, so every value in the insert is a literal quoted by `sqlLiteral`.
   */
  private async inBatchTransaction(run: readonly Received[]): Promise<BatchTransaction> {
    const events = run.flatMap((r) => (r.event ? [r.event.meta] : []));
    const keys = [...new Set(run.flatMap((r) => (r.event && r.message.key ? [r.message.key.toString()] : [])))];
    const literals = (values: readonly string[]) => values.map((v) => sqlLiteral(v)).join(', ');
    const consumer = sqlLiteral(this.options.name);
    // The row-level security scope (all sites, as inScopedTransaction sets it) rides on the inbox insert: the
    // scope is a one-time filter in front of the insert, so it is set before any handler runs. The same statement
    // reads which of the run's keys are parked behind a dead letter.
    const claim = `WITH scope AS (SELECT set_config('app.site_ids', ${sqlLiteral(scopeSetting(ALL_SITES))}, true) AS sites),
       fresh AS (
         INSERT INTO ${this.schema}.inbox (consumer, event_id, event_type)
         SELECT ${consumer}, e.id, e.type FROM unnest(ARRAY[${literals(events.map((m) => m.id))}]::uuid[], ARRAY[${literals(events.map((m) => m.type))}]::text[]) AS e(id, type)
         WHERE (SELECT sites FROM scope) IS NOT NULL
         ON CONFLICT DO NOTHING RETURNING event_id)
       SELECT event_id::text AS event_id, NULL AS key FROM fresh
       UNION ALL
       SELECT head_event_id::text, key FROM ${this.schema}.parked_keys
        WHERE consumer = ${consumer} AND topic = ${sqlLiteral(this.topicOf(run))} AND key = ANY(ARRAY[${literals(keys)}]::text[])`;
    return inTransactionBegunWith(this.options.dataSource, claim, (manager, rows) =>
      this.applyIn(manager, run, rows as Array<{ event_id: string; key: string | null }>),
    );
  }

  /** Applies a run's new events (`rows`: the event ids the inbox insert took, and the run's parked keys). */
  private async applyIn(
    manager: EntityManager,
    run: readonly Received[],
    rows: ReadonlyArray<{ event_id: string; key: string | null }>,
  ): Promise<BatchTransaction> {
    const events = run.flatMap((r) => (r.event ? [r.event.meta] : []));
    // A lone event needs no savepoint: if it fails, the whole transaction is its own, and rolls back.
    const savepoints = events.length > 1;
    const fresh = new Set(rows.flatMap((r) => (r.key === null ? [r.event_id] : [])));
    const parked = new Map(rows.flatMap((r) => (r.key === null ? [] : [[r.key, r.event_id] as const])));
    const outcomes: BatchTransaction['outcomes'] = [];
    for (const [index, { event }] of run.entries()) {
      if (!event) {
        outcomes.push('ignored');
        continue;
      }
      // Not inserted now: applied before (a redelivery), or earlier in this run (the same event twice).
      if (!fresh.delete(event.meta.id)) {
        outcomes.push('duplicate');
        continue;
      }
      const key = this.keyOf(run[index]!.message);
      const apply = () =>
        this.traced(event.meta, async () => {
          await this.applyParked(manager, key, event.meta.id, parked.get(key ?? ''), this.topicOf(run), () =>
            this.handlers.get(event.meta.type)!.handle(event.payload, event.meta, manager),
          );
          // The head applied: the events of its key after it in this run are no longer parked.
          if (key !== undefined) parked.delete(key);
          return 'processed' as const;
        });
      if (!savepoints) {
        outcomes.push(await apply());
        continue;
      }
      // Not released: each event's savepoint nests in the previous one's, and a rollback to `event` undoes the latest only.
      await manager.query('SAVEPOINT event');
      try {
        await apply();
      } catch (error) {
        await manager.query('ROLLBACK TO SAVEPOINT event');
        // Neither it nor those after it are applied in this transaction: their inbox rows must not commit.
        await manager.query(`DELETE FROM ${this.schema}.inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])`, [
          this.options.name,
          [event.meta.id, ...fresh],
        ]);
        return { outcomes, failed: { index, error } };
      }
      outcomes.push('processed');
    }
    return { outcomes };
  }

  /**
   * One event alone, in transactions of its own, until it is applied or dead-lettered. `failedOnce` is a failure it
   * already had (in a batch), which counts as its first attempt.
   */
  private async applyAlone(delivery: Delivery, event: Decoded, failedOnce?: unknown): Promise<Outcome> {
    const { meta, payload: data } = event;
    const handler = this.handlers.get(meta.type)!;
    const maxAttempts = this.options.maxAttempts ?? 3;
    let backoff = this.options.initialBackoffMs ?? 200;
    let permanentFailures = 0;
    for (let attempt = 1; ; attempt++) {
      let error: unknown;
      if (attempt === 1 && failedOnce !== undefined) {
        error = failedOnce;
      } else {
        try {
          const outcome = await this.processOnce(handler, data, meta, delivery);
          this.outcomes?.inc({ consumer: this.options.name, type: meta.type, outcome });
          return outcome;
        } catch (caught) {
          error = caught;
        }
      }
      // Only a failure that can never succeed may take an event out of its key's order; anything that may
      // pass (a database or broker outage, a deadlock, an unrecognised error) holds the partition until it does.
      const failure = classifyFailure(error);
      if (failure.kind === 'permanent') {
        permanentFailures++;
        if (error instanceof PermanentEventError || permanentFailures >= maxAttempts) return this.deadLetter(delivery, error, attempt);
      }
      this.retries?.inc({ consumer: this.options.name, type: meta.type, kind: failure.kind });
      this.options.log.warn(
        { eventId: meta.id, type: meta.type, attempt, kind: failure.kind, why: failure.why, backoffMs: backoff, err: describeError(error) },
        failure.kind === 'permanent' ? 'event handler failed; retrying' : 'event waits for a transient failure to pass; retrying',
      );
      await this.waitBeforeRetry(delivery, backoff);
      backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 5000);
    }
  }

  /**
   * Waits in short slices, heartbeating, so a long outage neither costs the group membership nor delays a
   * rebalance or a shutdown: heartbeat() throws when the group rebalances, and a stop ends the wait; either
   * way the message is not committed and is delivered again.
   */
  private async waitBeforeRetry(payload: Delivery, ms: number): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      if (this.stopping) throw new ConsumerStoppingError();
      await payload.heartbeat();
      const left = until - Date.now();
      if (left <= 0) return;
      await new Promise((r) => setTimeout(r, Math.min(left, 1000)));
    }
  }

  private processOnce(handler: EventHandler, data: unknown, meta: EventMeta, delivery: Delivery): Promise<'processed' | 'duplicate'> {
    const key = this.keyOf(delivery.message);
    return this.traced(meta, () =>
      inScopedTransaction(this.options.dataSource, ALL_SITES, async (manager) => {
        const rows = (await manager.query(
          `WITH fresh AS (
             INSERT INTO ${this.schema}.inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING RETURNING event_id)
           SELECT (SELECT count(*) FROM fresh)::int AS fresh,
                  (SELECT head_event_id::text FROM ${this.schema}.parked_keys WHERE consumer = $1 AND topic = $4 AND key = $5) AS head`,
          [this.options.name, meta.id, meta.type, delivery.topic, key ?? null],
        )) as Array<{ fresh: number; head: string | null }>;
        if (rows[0]!.fresh === 0) return 'duplicate' as const;
        await this.applyParked(manager, key, meta.id, rows[0]!.head ?? undefined, delivery.topic, () => handler.handle(data, meta, manager));
        return 'processed' as const;
      }),
    );
  }

  /**
   * Applies an event whose key may be parked behind a dead letter (`head`, the dead letter's event id). Not parked:
   * applied. The head itself (replayed): applied, and its key unparked in the same transaction. Any other event of a
   * parked key: refused with `KeyParkedError`, so that it follows the head to the dead-letter topic and is replayed
   * after it, never applied before it.
   */
  private async applyParked(
    manager: EntityManager,
    key: string | undefined,
    eventId: string,
    head: string | undefined,
    topic: string,
    apply: () => Promise<void>,
  ): Promise<void> {
    if (head === undefined || key === undefined) return apply();
    if (head !== eventId) throw new KeyParkedError(head);
    await apply();
    await manager.query(`DELETE FROM ${this.schema}.parked_keys WHERE consumer = $1 AND topic = $2 AND key = $3 AND head_event_id = $4`, [
      this.options.name,
      topic,
      key,
      head,
    ]);
  }

  private keyOf(message: KafkaMessage): string | undefined {
    return message.key ? message.key.toString() : undefined;
  }

  /** The topic a run came from (a run is a slice of one fetched batch: one partition of one topic). */
  private topicOf(run: readonly Received[]): string {
    return run[0]!.topic;
  }

  /**
   * The event's span: it joins the trace of the request that caused the event (carried in the CloudEvent), and
   * links to the transport span the kafkajs instrumentation started.
   */
  private traced<T>(meta: EventMeta, work: () => Promise<T>): Promise<T> {
    const transport = trace.getSpanContext(context.active());
    const parent = contextFromEvent(meta.traceparent, meta.tracestate);
    return tracer.startActiveSpan(
      `${meta.type} process`,
      {
        kind: SpanKind.CONSUMER,
        links: transport ? [{ context: transport }] : [],
        attributes: {
          'messaging.system': 'kafka',
          'messaging.consumer.group.name': this.options.name,
          'messaging.message.id': meta.id,
          'iop.event.type': meta.type,
          'iop.consumer': this.options.name,
        },
      },
      parent,
      async (span) => {
        try {
          const outcome = await work();
          if (typeof outcome === 'string') span.setAttribute('iop.outcome', outcome);
          return outcome;
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  private async deadLetter(payload: Delivery, error: unknown, attempts: number): Promise<'dead-lettered'> {
    const { topic, partition, message } = payload;
    const reason: DeadLetterReason = error instanceof PermanentEventError ? error.reason : 'retries-exhausted';
    const headers = {
      ...headersToStrings(message.headers),
      [DEAD_LETTER_HEADERS.error]: describeError(error).slice(0, 4000),
      [DEAD_LETTER_HEADERS.reason]: reason,
      [DEAD_LETTER_HEADERS.originalTopic]: topic,
      [DEAD_LETTER_HEADERS.originalPartition]: String(partition),
      [DEAD_LETTER_HEADERS.originalOffset]: message.offset,
      [DEAD_LETTER_HEADERS.consumer]: this.options.name,
      [DEAD_LETTER_HEADERS.attempts]: String(attempts),
      [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
    };
    // Its key is parked first, so that no later event of the key is applied past it even if this process stops
    // between the two steps (the message then comes back, and is the head of its own parked key).
    await this.untilDone(payload, 'could not park the key of a dead letter; retrying', () => this.parkKey(payload, reason, headers));
    // Until the dead letter is safely on its topic the message must not be committed: keep trying (a broker
    // outage), heartbeating; a stop or a rebalance leaves it uncommitted, so it comes back.
    await this.untilDone(payload, 'dead-letter topic not reachable; retrying', async () => {
      await this.options.producer.send({ topic: this.options.deadLetterTopic, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
    });
    this.deadLetters?.inc({ consumer: this.options.name, topic, reason });
    this.options.log.error({ topic, partition, offset: message.offset, reason, attempts, err: describeError(error) }, 'message sent to the dead-letter topic');
    return 'dead-lettered';
  }

  /**
   * A dead letter parks its key for this consumer and topic (ADR 0002): the first one becomes the head; one that
   * followed a parked head is counted. A message without a key or an event id (not a CloudEvent) parks nothing: no
   * event of its aggregate can be told apart from it.
   */
  private async parkKey(delivery: Delivery, reason: DeadLetterReason, headers: Record<string, string>): Promise<void> {
    const key = this.keyOf(delivery.message);
    const eventId = headers['ce_id'];
    if (key === undefined || eventId === undefined || !EVENT_ID.test(eventId)) return;
    if (reason === 'key-parked') {
      await this.options.dataSource.query(`UPDATE ${this.schema}.parked_keys SET followers = followers + 1 WHERE consumer = $1 AND topic = $2 AND key = $3`, [
        this.options.name,
        delivery.topic,
        key,
      ]);
      return;
    }
    await this.options.dataSource.query(
      `INSERT INTO ${this.schema}.parked_keys (consumer, topic, key, head_event_id, head_type, reason) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (consumer, topic, key) DO NOTHING`,
      [this.options.name, delivery.topic, key, eventId, headers['ce_type'] ?? 'unknown', reason],
    );
  }

  /** Runs `step` until it succeeds, waiting between attempts as a retry does (a stop or a rebalance ends the wait). */
  private async untilDone(delivery: Delivery, warning: string, step: () => Promise<void>): Promise<void> {
    for (let backoff = this.options.initialBackoffMs ?? 200; ; backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 5000)) {
      try {
        return await step();
      } catch (error) {
        const { topic, partition, message } = delivery;
        this.options.log.warn({ topic, partition, offset: message.offset, err: describeError(error) }, warning);
        await this.waitBeforeRetry(delivery, backoff);
      }
    }
  }
}

/** One handler that runs several of the same event type one after another, in the same transaction. */
function inSequence(handlers: readonly EventHandler[]): EventHandler {
  if (handlers.length === 1) return handlers[0]!;
  return {
    definition: handlers[0]!.definition,
    async handle(payload, meta, manager) {
      for (const handler of handlers) await handler.handle(payload, meta, manager);
    },
  };
}

const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function counter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  return (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}
