import type { Kafka, Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { Registry, type Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { EventRegistry } from '@iop/contracts';
import { EventConsumer, Outbox, OutboxRelay, onEvent, outboxChannel, relayWakesSent, type Log } from '@iop/messaging';
import { ALL_SITES, createServiceDataSource, inScopedTransaction } from '@iop/persistence';
import type { CheckInFactory, CheckInRecorded, checkInRecordedOn } from './bench-event';
import type { ScratchDatabase } from './bench-infrastructure';
import { CommitClock } from './commit-clock';
import { cpuUseMeter } from './cpu';
import { cpuMeter, sleep, type Figure } from './figures';
import { Phase, perSecond, summarise, type LatencySummary } from './stats';

export interface PipelineSettings {
  readonly writers: number;
  readonly relayBatch: number;
  readonly stallMs: number;
  /** `local`: the relay leads in the writers' process and they wake it with a call, as a one-replica service does; `notify`: they NOTIFY it, as other replicas do. */
  readonly relayWake: 'local' | 'notify';
}

/** The relay's `sendBatch` calls: how it batched under this load, and how long Kafka took. */
export interface RelaySends {
  readonly sends: number;
  readonly meanBatch: number;
  readonly largestBatch: number;
  readonly sendMs: LatencySummary;
}

export interface PipelineFigure extends Figure {
  readonly transactions: number;
  /** From the first outbox write to the last one's commit. */
  readonly writeSeconds: number;
  readonly writerEventsPerSecond: number;
  readonly writerTx: LatencySummary;
  /** From the last outbox commit to the last consumer commit: the backlog left to clear. */
  readonly tailSeconds: number;
  /** Inbox + effect transactions as the consumer ran them. */
  readonly consumerTx: LatencySummary;
  /** Events each of those transactions carried, on average (a fetched batch, or several partitions' batches sharing one). */
  readonly consumerEventsPerTx: number;
  /** Share of the phase the consumer spent inside those transactions: near 1 means it was the limit. */
  readonly consumerBusy: number;
  readonly relay: RelaySends;
  /** How the writers woke the relay after their commits: NOTIFYs (coalesced), or calls when it leads in their process. */
  readonly relayWakes: { readonly notifies: number; readonly local: number };
}

class SendStats {
  private sizes: number[] = [];
  private durations: number[] = [];

  observe(producer: Producer): Producer {
    // kafkajs's producer is a plain object of closures, so a copy with one method replaced behaves the same.
    return {
      ...producer,
      sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
        const size = (batch.topicMessages ?? []).reduce((sum, t) => sum + t.messages.length, 0);
        const started = performance.now();
        const result = await producer.sendBatch(batch);
        this.durations.push(performance.now() - started);
        this.sizes.push(size);
        return result;
      },
    };
  }

  reset(): void {
    this.sizes = [];
    this.durations = [];
  }

  snapshot(): RelaySends {
    const sends = this.sizes.length;
    const total = this.sizes.reduce((a, b) => a + b, 0);
    return { sends, meanBatch: sends ? total / sends : 0, largestBatch: Math.max(0, ...this.sizes), sendMs: summarise(Float64Array.from(this.durations)) };
  }
}

/**
 * Writers → outbox → OutboxRelay → Kafka → EventConsumer, wired as the platform's runtime wires a
 * service, with two pools as two services would have: the producer's (its writers and its relay)
 * and the consumer's. The consumer's handler writes an effect row in the inbox row's transaction.
 */
export class Pipeline {
  private phase: Phase | undefined;
  private readonly writerDs: DataSource;
  private readonly consumerDs: DataSource;
  private readonly outbox: Outbox;
  private producer: Producer | undefined;
  private relay: OutboxRelay | undefined;
  private consumer: EventConsumer | undefined;
  private readonly clock: CommitClock;
  private readonly relaySends = new SendStats();
  private readonly metrics = new Registry();
  private written = 0;
  private consumerTxMs: number[] = [];
  private consumerTxEvents = 0;

  constructor(
    private readonly db: ScratchDatabase,
    private readonly kafka: Kafka,
    private readonly definition: ReturnType<typeof checkInRecordedOn>,
    private readonly factory: CheckInFactory,
    private readonly settings: PipelineSettings,
    private readonly log: Log,
  ) {
    this.writerDs = createServiceDataSource(db.service, [], db.serviceUrl);
    this.consumerDs = createServiceDataSource(db.service, [], db.serviceUrl);
    this.outbox = new Outbox(db.service);
    this.clock = new CommitClock((eventTimes, committedAt, transactionMs) => {
      this.consumerTxMs.push(transactionMs);
      this.consumerTxEvents += eventTimes.length;
      for (const eventTime of eventTimes) this.phase?.record(committedAt - eventTime, committedAt);
    });
  }

  get writerDataSource(): DataSource {
    return this.writerDs;
  }

  async start(): Promise<void> {
    await this.writerDs.initialize();
    await this.consumerDs.initialize();
    this.clock.attach(this.consumerDs);
    // The producer the platform's runtime gives its relay.
    const producer = (this.producer = this.kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false }));
    await producer.connect();
    const schema = this.db.service;
    const clock = this.clock;
    this.consumer = new EventConsumer({
      name: `${schema}.check-ins`,
      schema,
      kafka: this.kafka,
      producer,
      dataSource: this.consumerDs,
      registry: new EventRegistry([this.definition]),
      handlers: [
        onEvent(this.definition, async (payload, meta, manager) => {
          await manager.query(
            `INSERT INTO ${schema}.check_in_effects (check_in_id, episode_id, site_id, event_id, checked_in_at) VALUES ($1, $2, $3, $4, $5)`,
            [payload.checkInId, payload.episodeId, payload.siteId, meta.id, payload.occurredAt],
          );
          clock.mark(manager, Date.parse(meta.time));
        }),
      ],
      deadLetterTopic: `${this.definition.topic}.dead-letters`,
      log: this.log,
      metrics: this.metrics,
    });
    // Resolves once the group is joined, so joining is never timed.
    await this.consumer.start();
    this.relay = new OutboxRelay({
      schema,
      dataSource: this.writerDs,
      connectionString: this.db.serviceUrl,
      producer: this.relaySends.observe(producer),
      log: this.log,
      batchSize: this.settings.relayBatch,
      wakeLocally: this.settings.relayWake === 'local',
    });
    this.relay.start();
  }

  async stop(): Promise<void> {
    this.phase?.abandon();
    await this.consumer?.stop();
    await this.relay?.stop();
    await this.producer?.disconnect();
    if (this.consumerDs.isInitialized) await this.consumerDs.destroy();
    if (this.writerDs.isInitialized) await this.writerDs.destroy();
  }

  /** `writers` concurrent writers, each committing `perTransaction` events per transaction as fast as it can. */
  saturated(name: string, count: number, perTransaction: number): Promise<PipelineFigure> {
    return this.measure(name, count, async (write) => {
      let next = 0;
      const writer = async () => {
        for (let from = next; from < count; from = next) {
          next = Math.min(count, from + perTransaction);
          await write(from, next);
        }
      };
      await Promise.all(Array.from({ length: this.settings.writers }, writer));
    });
  }

  /** One event per transaction at a steady `rate`, each transaction started when its event is due. */
  steady(name: string, count: number, rate: number): Promise<PipelineFigure> {
    return this.measure(name, count, async (write) => {
      const started = Date.now();
      const inFlight: Array<Promise<void>> = [];
      let failure: { error: unknown } | undefined;
      for (let i = 0; i < count && !failure; i++) {
        const wait = started + (i * 1000) / rate - Date.now();
        if (wait > 0) await sleep(wait);
        // Not awaited: an open-loop writer does not slow down when the database does.
        inFlight.push(write(i, i + 1).catch((error: unknown) => void (failure ??= { error })));
      }
      await Promise.all(inFlight);
      if (failure) throw failure.error;
    });
  }

  async outcomes(): Promise<Record<string, number>> {
    const counter = this.metrics.getSingleMetric('iop_events_consumed_total') as Counter | undefined;
    const out: Record<string, number> = {};
    for (const v of (await counter?.get())?.values ?? []) {
      const outcome = String(v.labels['outcome']);
      out[outcome] = (out[outcome] ?? 0) + v.value;
    }
    return out;
  }

  private async measure(name: string, count: number, drive: (write: (from: number, to: number) => Promise<void>) => Promise<void>): Promise<PipelineFigure> {
    const schema = this.db.service;
    const phase = (this.phase = new Phase(name, count, this.settings.stallMs, () => this.whereItStopped()));
    this.relaySends.reset();
    this.consumerTxMs = [];
    this.consumerTxEvents = 0;
    const first = this.written;
    const wakesBefore = relayWakesSent(this.writerDs, outboxChannel(schema));
    this.written += count;
    const writerTxMs: number[] = [];
    // The path a command takes in a service: one scoped transaction, its events added to the outbox.
    const write = async (from: number, to: number): Promise<void> => {
      const payloads: CheckInRecorded[] = [];
      for (let i = from; i < to; i++) payloads.push(this.factory.payload(first + i));
      const started = performance.now();
      await inScopedTransaction(this.writerDs, ALL_SITES, async (manager) => {
        if (payloads.length === 1) await this.outbox.add(manager, this.definition, payloads[0]!);
        else await this.outbox.addMany(manager, this.definition, payloads);
      });
      writerTxMs.push(performance.now() - started);
      phase.touch();
    };
    const cpu = cpuMeter();
    const cpuUse = cpuUseMeter();
    const started = Date.now();
    try {
      await drive(write);
      const written = Date.now();
      await phase.done;
      const nodeCpu = cpu();
      const cpuUsed = cpuUse();
      const seconds = (phase.lastAt - started) / 1000;
      const [{ effects }] = (await this.writerDs.query(`SELECT count(*)::int AS effects FROM ${schema}.check_in_effects`)) as [{ effects: number }];
      if (effects !== this.written) throw new Error(`${name}: ${effects} effect rows for ${this.written} events written: an event was lost or applied twice`);
      const consumerTx = summarise(Float64Array.from(this.consumerTxMs));
      return {
        name,
        unit: 'events',
        count,
        seconds,
        perSecond: count / seconds,
        latency: phase.summary(),
        nodeCpu,
        cpu: cpuUsed,
        transactions: writerTxMs.length,
        writeSeconds: (written - started) / 1000,
        writerEventsPerSecond: perSecond(count, written - started),
        writerTx: summarise(Float64Array.from(writerTxMs)),
        tailSeconds: (phase.lastAt - written) / 1000,
        consumerTx,
        consumerEventsPerTx: consumerTx.samples ? this.consumerTxEvents / consumerTx.samples : 0,
        consumerBusy: (consumerTx.meanMs * consumerTx.samples) / (seconds * 1000),
        relay: this.relaySends.snapshot(),
        relayWakes: (({ notifies, local }) => ({ notifies: notifies - wakesBefore.notifies, local: local - wakesBefore.local }))(
          relayWakesSent(this.writerDs, outboxChannel(schema)),
        ),
      };
    } finally {
      phase.abandon();
    }
  }

  /** For a stalled phase: did the relay or the consumer stop? */
  private async whereItStopped(): Promise<string> {
    const backlog = await this.relay!.backlog();
    return `outbox backlog ${backlog.count} (oldest ${backlog.oldestAgeSeconds.toFixed(0)} s), consumer outcomes ${JSON.stringify(await this.outcomes())}`;
  }
}
