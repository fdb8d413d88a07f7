import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { CheckInFactory, RawMessageTemplate } from './bench-event';
import { cpuUseMeter } from './cpu';
import { cpuMeter, sleep, type Figure } from './figures';
import { Phase } from './stats';

/**
 * Baseline (b): kafkajs alone on the same broker. Produced as the relay produces (one sender,
 * `sendBatch` with acks -1, one request in flight, batches of up to the relay's batch size) and
 * consumed as EventConsumer consumes (`eachMessage`, same consumer settings), but with no database
 * on either side. Messages have the pipeline's keys, headers and body size.
 */
export class RawKafka {
  private phase: Phase | undefined;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private offset = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly template: RawMessageTemplate,
    private readonly factory: CheckInFactory,
    private readonly batchSize: number,
    private readonly stallMs: number,
  ) {}

  async start(): Promise<void> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
    await this.producer.connect();
    this.consumer = this.kafka.consumer({ groupId: `${this.topic}.raw`, maxWaitTimeInMs: 100, retry: { retries: 10 } });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const madeAt = Date.parse(message.headers?.['ce_time']?.toString() ?? '');
        const now = Date.now();
        this.phase?.record(now - madeAt, now);
      },
    });
  }

  async stop(): Promise<void> {
    const { consumer, producer } = this;
    this.consumer = this.producer = undefined;
    this.phase?.abandon();
    await consumer?.disconnect();
    await producer?.disconnect();
  }

  /** As fast as one sender can: each batch is stamped when it is made, as an event is stamped when written. */
  saturated(name: string, count: number): Promise<Figure> {
    return this.measure(name, count, undefined);
  }

  /** At a steady `rate`: message i is stamped with the moment it became due, and sent with whatever else is due. */
  steady(name: string, count: number, rate: number): Promise<Figure> {
    return this.measure(name, count, rate);
  }

  private async measure(name: string, count: number, rate: number | undefined): Promise<Figure> {
    const producer = this.producer;
    if (!producer) throw new Error('RawKafka: start() first');
    const phase = (this.phase = new Phase(name, count, this.stallMs));
    const first = this.offset;
    this.offset += count;
    const cpu = cpuMeter();
    const cpuUse = cpuUseMeter();
    const started = Date.now();
    const dueAt = (i: number) => (rate === undefined ? Date.now() : started + (i * 1000) / rate);
    try {
      for (let sent = 0; sent < count;) {
        const due = rate === undefined ? count : Math.min(count, Math.floor(((Date.now() - started) * rate) / 1000) + 1);
        if (due <= sent) {
          await sleep(Math.max(1, dueAt(sent) - Date.now()));
          continue;
        }
        const n = Math.min(this.batchSize, due - sent);
        const messages = Array.from({ length: n }, (_, j) => {
          const payload = this.factory.payload(first + sent + j);
          const time = new Date(dueAt(sent + j)).toISOString();
          return {
            key: payload.episodeId,
            value: JSON.stringify(payload),
            headers: {
              ...this.template.headers,
              ce_id: payload.checkInId,
              ce_time: time,
              ce_subject: payload.episodeId,
              ce_partitionkey: payload.episodeId,
              ce_siteid: payload.siteId,
            },
          };
        });
        await producer.sendBatch({ acks: -1, topicMessages: [{ topic: this.topic, messages }] });
        sent += n;
        phase.touch();
      }
      await phase.done;
    } finally {
      phase.abandon();
    }
    const seconds = (phase.lastAt - started) / 1000;
    return { name, unit: 'msgs', count, seconds, perSecond: count / seconds, latency: phase.summary(), nodeCpu: cpu(), cpu: cpuUse() };
  }
}
