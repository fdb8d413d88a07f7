import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { headersToStrings } from './cloudevent-codec';
import type { Log } from './kafka-client';

export const DEAD_LETTER_HEADERS = {
  error: 'x-dead-letter-error',
  reason: 'x-dead-letter-reason',
  originalTopic: 'x-original-topic',
  originalPartition: 'x-original-partition',
  originalOffset: 'x-original-offset',
  consumer: 'x-consumer',
  attempts: 'x-attempts',
  failedAt: 'x-failed-at',
  replayedAt: 'x-replayed-at',
} as const;

export interface ReplayOptions {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly deadLetterTopic: string;
  readonly log: Log;
  /** Replay only these event ids (ce_id); all not yet replayed when absent. */
  readonly eventIds?: readonly string[];
  /** Stop once the topic has been read to its end as of the start. */
  readonly timeoutMs?: number;
}

export interface ReplayResult {
  readonly replayed: number;
  readonly skipped: number;
}

/**
 * Sends dead letters back to the topic they came from, with their original headers, once the cause
 * is fixed. Consumers that already processed an event skip it (their inbox), so a replay to the
 * shared topic is safe. A dedicated consumer group remembers how far full replays have got; a replay
 * of chosen event ids looks through the whole topic and leaves that position alone.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult> {
  const { kafka, producer, deadLetterTopic, log } = options;
  // A replay of chosen events reads the whole topic in a throwaway group and commits nothing: moving
  // the shared group past the letters it leaves would hide them from every later full replay.
  const selective = options.eventIds !== undefined;
  const groupId = selective ? `${deadLetterTopic}.replayer.${randomUUID()}` : `${deadLetterTopic}.replayer`;
  const admin = kafka.admin();
  await admin.connect();
  let ends: Awaited<ReturnType<typeof admin.fetchTopicOffsets>>;
  let committed = new Map<number, bigint>();
  try {
    ends = await admin.fetchTopicOffsets(deadLetterTopic);
    if (!selective) {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [deadLetterTopic] });
      committed = new Map((offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    }
  } finally {
    await admin.disconnect();
  }
  // What is left to read starts where the group stopped (-1: never read), not at the topic's start;
  // otherwise a replay with nothing new would wait for messages that never come until its timeout.
  const remaining = new Map<number, bigint>();
  for (const p of ends) {
    const low = BigInt(p.low);
    const from = committed.get(p.partition) ?? -1n;
    if (BigInt(p.high) > (from > low ? from : low)) remaining.set(p.partition, BigInt(p.high));
  }
  let replayed = 0;
  let skipped = 0;
  if (remaining.size === 0) return { replayed, skipped };

  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
  const wanted = options.eventIds ? new Set(options.eventIds) : undefined;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => resolve(), options.timeoutMs ?? 30_000);
    const checkDone = () => {
      if (remaining.size === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    consumer
      .run({
        autoCommit: !selective,
        eachMessage: async ({ partition, message }) => {
          const headers = headersToStrings(message.headers);
          const target = headers[DEAD_LETTER_HEADERS.originalTopic];
          if (target && (!wanted || wanted.has(headers['ce_id'] ?? ''))) {
            const original = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith('x-')));
            await producer.send({
              topic: target,
              acks: -1,
              messages: [{ key: message.key, value: message.value, headers: { ...original, [DEAD_LETTER_HEADERS.replayedAt]: new Date().toISOString() } }],
            });
            replayed++;
            log.info({ eventId: headers['ce_id'], topic: target }, 'dead letter replayed');
          } else {
            skipped++;
          }
          const end = remaining.get(partition);
          if (end !== undefined && BigInt(message.offset) + 1n >= end) remaining.delete(partition);
          checkDone();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return { replayed, skipped };
}
