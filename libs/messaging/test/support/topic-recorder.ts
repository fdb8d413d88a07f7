import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { headersToStrings } from '../../src';

export interface RecordedMessage {
  readonly id: string;
  readonly key: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/**
 * Reads a topic from its beginning, in its own consumer group, and keeps every message in the order
 * it arrived: what a downstream consumer sees, duplicates included.
 */
export class TopicRecorder {
  readonly messages: RecordedMessage[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, topic: string, { sessionTimeoutMs = 6000 } = {}): Promise<TopicRecorder> {
    const consumer = kafka.consumer({
      groupId: `msgtest.recorder.${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: 100,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.floor(sessionTimeoutMs / 5),
      retry: { retries: 10 },
    });
    const recorder = new TopicRecorder(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const headers = headersToStrings(message.headers);
          const text = message.value?.toString('utf8') ?? '';
          recorder.messages.push({
            id: headers['ce_id'] ?? '',
            key: message.key?.toString('utf8') ?? '',
            partition: batch.partition,
            offset: message.offset,
            headers,
            body: text === '' ? undefined : (JSON.parse(text) as unknown),
          });
        }
      },
    });
    return recorder;
  }

  ids(): Set<string> {
    return new Set(this.messages.map((m) => m.id));
  }

  find(id: string): RecordedMessage[] {
    return this.messages.filter((m) => m.id === id);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** How many messages a topic holds: the sum of its partitions' end offsets. */
export async function messagesOnTopic(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}
