import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import type { z } from 'zod';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventDefinition, EventRegistry } from '@iop/contracts';
import { ALL_SITES, assertSqlIdentifier, inScopedTransaction } from '@iop/persistence';
import { decodeEvent, headersToStrings, type EventMeta } from './cloudevent-codec';
import { DEAD_LETTER_REASONS, describeError, PermanentEventError, type DeadLetterReason } from './errors';
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
  /** Attempts before a message goes to the dead-letter topic (1 = no retry). */
  readonly maxAttempts?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly fromBeginning?: boolean;
  /** How soon the group notices a dead member or a broker outage; Kafka's default is 30 s. */
  readonly sessionTimeoutMs?: number;
  /**
   * Partitions handled at once (default 3, the catalogue's partition count). Order holds within a partition, which
   * is all a key's order needs; across partitions, one slow or retrying event no longer holds up the rest.
   */
  readonly partitionsConsumedConcurrently?: number;
}

type Outcome = 'processed' | 'duplicate' | 'ignored' | 'dead-lettered';

const tracer = trace.getTracer('@iop/messaging');

/**
 * An idempotent consumer: the handler's effects and the inbox row (consumer, event id) commit in one
 * transaction, so a redelivered event is recognised and skipped. Failures are retried with backoff,
 * then the message goes to the dead-letter topic with its error and original headers, and the
 * consumer moves on.
 */
export class EventConsumer {
  private consumer: Consumer | undefined;
  private readonly schema: string;
  private readonly handlers = new Map<string, EventHandler>();
  private readonly outcomes: Counter | undefined;
  private readonly deadLetters: Counter | undefined;
  private readonly lag: Gauge | undefined;

  constructor(private readonly options: EventConsumerOptions) {
    this.schema = assertSqlIdentifier(options.schema);
    for (const h of options.handlers) this.handlers.set(h.definition.type, h);
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
    }
  }

  topics(): string[] {
    return [...new Set([...this.handlers.values()].map((h) => h.definition.topic))];
  }

  async start(): Promise<void> {
    const consumer = this.options.kafka.consumer({
      groupId: this.options.name,
      maxWaitTimeInMs: 100,
      retry: { retries: 10 },
      ...(this.options.sessionTimeoutMs
        ? { sessionTimeout: this.options.sessionTimeoutMs, heartbeatInterval: Math.floor(this.options.sessionTimeoutMs / 5) }
        : {}),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.lag?.set({ consumer: this.options.name, topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLag));
    });
    // Zero series from the start, so an alert on increase() sees the first dead letter too.
    for (const topic of this.topics()) {
      for (const reason of DEAD_LETTER_REASONS) this.deadLetters?.inc({ consumer: this.options.name, topic, reason }, 0);
    }
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics(), fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachMessage: (payload) => this.onMessage(payload).then(() => undefined),
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  /** Exposed for tests: what happened to one message. */
  async onMessage(payload: EachMessagePayload): Promise<Outcome> {
    const { message } = payload;
    let decoded: ReturnType<typeof decodeEvent>;
    try {
      decoded = decodeEvent(message, this.options.registry, (type) => this.handlers.has(type));
    } catch (error) {
      return this.deadLetter(payload, error, 1);
    }
    if (decoded === 'not-ours') return 'ignored';
    const { meta, payload: data } = decoded;
    const handler = this.handlers.get(meta.type)!;
    const maxAttempts = this.options.maxAttempts ?? 5;
    let backoff = this.options.initialBackoffMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.processOnce(handler, data, meta);
        this.outcomes?.inc({ consumer: this.options.name, type: meta.type, outcome });
        return outcome;
      } catch (error) {
        const permanent = error instanceof PermanentEventError;
        if (permanent || attempt >= maxAttempts) return this.deadLetter(payload, error, attempt);
        this.options.log.warn({ eventId: meta.id, type: meta.type, attempt, err: describeError(error) }, 'event handler failed; retrying');
        await new Promise((r) => setTimeout(r, backoff));
        await payload.heartbeat();
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 5000);
      }
    }
  }

  private processOnce(handler: EventHandler, data: unknown, meta: EventMeta): Promise<'processed' | 'duplicate'> {
    // The span joins the trace of the request that caused the event (carried in the CloudEvent),
    // and links to the transport span the kafkajs instrumentation started.
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
          const outcome = await inScopedTransaction(this.options.dataSource, ALL_SITES, async (manager) => {
            const inserted = (await manager.query(
              `INSERT INTO ${this.schema}.inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
               ON CONFLICT DO NOTHING RETURNING event_id`,
              [this.options.name, meta.id, meta.type],
            )) as unknown[];
            if (inserted.length === 0) return 'duplicate' as const;
            await handler.handle(data, meta, manager);
            return 'processed' as const;
          });
          span.setAttribute('iop.outcome', outcome);
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

  private async deadLetter({ topic, partition, message }: EachMessagePayload, error: unknown, attempts: number): Promise<'dead-lettered'> {
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
    // If this send fails the error propagates, the offset is not committed, and the message comes back.
    await this.options.producer.send({ topic: this.options.deadLetterTopic, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
    this.deadLetters?.inc({ consumer: this.options.name, topic, reason });
    this.options.log.error({ topic, partition, offset: message.offset, reason, attempts, err: describeError(error) }, 'message sent to the dead-letter topic');
    return 'dead-lettered';
  }
}

function counter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  return (registry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}
