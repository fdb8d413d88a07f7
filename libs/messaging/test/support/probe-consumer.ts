import { randomBytes } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { EventRegistry } from '@iop/contracts';
import { EventConsumer, PermanentEventError, onEvent, type Log } from '../../src';
import type { ProbeEvent } from './test-events';
import type { TestSchema } from './test-schema';

/**
 * `unavailable`: a downstream that is away (a plain error the classification cannot place, so it waits);
 * `constraint`: a real Postgres constraint violation (permanent, dead-lettered after the bounded attempts);
 * `permanent`: the handler refuses the event for good (dead-lettered at once).
 */
export type Fault = 'unavailable' | 'constraint' | 'permanent';

/**
 * An EventConsumer whose handler records each probe as a row in the effects table, unless the test
 * has told it to fail for that event id, as a flaky or a refusing downstream would.
 */
export class ProbeConsumer {
  /** Event id → how the handler fails for it; delete an entry to "fix the cause". */
  readonly faults = new Map<string, Fault>();
  /** Event id → when the handler was called for it, one entry per attempt. */
  readonly calls = new Map<string, number[]>();
  readonly metrics = new Registry();
  readonly consumer: EventConsumer;

  constructor(options: {
    db: TestSchema;
    kafka: Kafka;
    producer: Producer;
    event: ProbeEvent;
    deadLetterTopic: string;
    log: Log;
    maxAttempts: number;
    initialBackoffMs: number;
    maxBackoffMs?: number;
  }) {
    const { db, event } = options;
    const handler = onEvent(event, async (payload, meta, manager) => {
      this.calls.set(meta.id, [...(this.calls.get(meta.id) ?? []), Date.now()]);
      const fault = this.faults.get(meta.id);
      if (fault === 'unavailable') throw new Error('downstream unavailable');
      if (fault === 'constraint') await manager.query(`INSERT INTO ${db.schema}.effects (event_id, key, seq) VALUES ($1, NULL, $2)`, [meta.id, payload.seq]);
      if (fault === 'permanent') throw new PermanentEventError('probe refused by its handler');
      await manager.query(`INSERT INTO ${db.schema}.effects (event_id, key, seq) VALUES ($1, $2, $3)`, [meta.id, payload.key, payload.seq]);
    });
    this.consumer = new EventConsumer({
      name: `msgtest.consumer.${randomBytes(4).toString('hex')}`,
      schema: db.schema,
      kafka: options.kafka,
      producer: options.producer,
      dataSource: db.dataSource,
      registry: new EventRegistry([event]),
      handlers: [handler],
      deadLetterTopic: options.deadLetterTopic,
      log: options.log,
      metrics: this.metrics,
      maxAttempts: options.maxAttempts,
      initialBackoffMs: options.initialBackoffMs,
      ...(options.maxBackoffMs ? { maxBackoffMs: options.maxBackoffMs } : {}),
      sessionTimeoutMs: 6000,
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  /** How many events the consumer recognised as already processed and skipped. */
  async duplicatesSkipped(): Promise<number> {
    const metric = await this.metrics.getSingleMetric('iop_events_consumed_total')?.get();
    return (metric?.values ?? []).filter((v) => v.labels['outcome'] === 'duplicate').reduce((sum, v) => sum + v.value, 0);
  }
}
