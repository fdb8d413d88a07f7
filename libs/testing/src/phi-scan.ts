import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TOPICS } from '@iop/contracts';
import { createKafka } from '@iop/messaging';
import { quietLogger, uniqueName } from './harness';

export interface PhiHit {
  /** `log <file>:<line>` or `kafka <topic>/<partition>@<offset> <value|key|header name>` */
  readonly where: string;
  readonly value: string;
  readonly excerpt: string;
}

function hitsIn(text: string, values: readonly string[], where: string): PhiHit[] {
  const lower = text.toLowerCase();
  return values
    .filter((value) => lower.includes(value.toLowerCase()))
    .map((value) => {
      const at = lower.indexOf(value.toLowerCase());
      return { where, value, excerpt: text.slice(Math.max(0, at - 80), at + value.length + 80) };
    });
}

/** Every line of every file in `dir` (services' logs) that holds one of `values`. */
export function scanLogsForPhi(dir: string, values: readonly string[]): PhiHit[] {
  if (!existsSync(dir)) throw new Error(`no logs to scan in ${dir}`);
  return readdirSync(dir).flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .flatMap((line, index) => hitsIn(line, values, `log ${file}:${index + 1}`)),
  );
}

/**
 * Reads every catalogue topic (dead-letter topics included), or only `options.topics`, from the beginning up to its end
 * as of now, and returns each message value, key or header that holds one of `values`.
 */
export async function scanKafkaForPhi(
  brokers: readonly string[],
  values: readonly string[],
  options: { readonly topics?: readonly string[] } = {},
): Promise<{ hits: PhiHit[]; messages: number }> {
  const kafka = createKafka(uniqueName('phi-scan'), quietLogger(), [...brokers]);
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const topics = (options.topics ?? ALL_TOPICS.map((t) => t.name)).filter((name) => existing.has(name));
  const remaining = new Map<string, bigint>();
  for (const topic of topics) {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) remaining.set(`${topic}/${partition}`, BigInt(high));
    }
  }
  await admin.disconnect();

  const hits: PhiHit[] = [];
  let messages = 0;
  if (remaining.size === 0) return { hits, messages };
  const consumer = kafka.consumer({ groupId: uniqueName('phi-scan'), sessionTimeout: 6000 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        messages++;
        const where = `kafka ${topic}/${partition}@${message.offset}`;
        hits.push(...hitsIn(message.value?.toString('utf8') ?? '', values, `${where} value`));
        hits.push(...hitsIn(message.key?.toString('utf8') ?? '', values, `${where} key`));
        for (const [name, header] of Object.entries(message.headers ?? {})) {
          const text = Array.isArray(header) ? header.map(String).join(',') : String(header ?? '');
          hits.push(...hitsIn(text, values, `${where} header ${name}`));
        }
        const id = `${topic}/${partition}`;
        const end = remaining.get(id);
        if (end !== undefined && BigInt(message.offset) + 1n >= end) remaining.delete(id);
        if (remaining.size === 0) resolve();
      },
    });
  });
  const deadline = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`the scan did not reach the end of ${[...remaining.keys()].join(', ')} in 60 s`)), 60_000).unref(),
  );
  try {
    await Promise.race([done, deadline]);
  } finally {
    await consumer.disconnect();
  }
  return { hits, messages };
}
