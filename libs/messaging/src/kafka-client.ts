import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kafka, logLevel, type Admin, type LogEntry } from 'kafkajs';
import type { TopicSpec } from '@iop/contracts';

export interface Log {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Where the brokers are: `KAFKA_BROKERS`, else the file the development broker writes its bootstrap list to. */
export function kafkaBrokers(): string[] {
  const fromEnv = process.env['KAFKA_BROKERS'];
  if (fromEnv)
    return fromEnv
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
  const file = process.env['KAFKA_BOOTSTRAP_FILE'] ?? resolve(process.cwd(), '.run/kafka/kafka-dev-broker.bootstrap');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim().split(',').filter(Boolean);
  return ['127.0.0.1:9092'];
}

export function createKafka(clientId: string, log: Log, brokers = kafkaBrokers()): Kafka {
  // We key every message ourselves; kafkajs's notice about its v2 default partitioner is noise.
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        const fields = { kafka: rest };
        if (level <= logLevel.ERROR) log.error(fields, `kafka: ${message}`);
        else log.warn(fields, `kafka: ${message}`);
      },
  });
}

/**
 * Creates the catalogue's topics that are missing and leaves existing ones alone. The development
 * broker cannot create topics through the admin API, so it creates them at launch; asking first
 * means services never call createTopics there.
 */
export async function ensureTopics(admin: Admin, topics: readonly TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({
      topic: t.name,
      numPartitions: t.partitions,
      configEntries: [{ name: 'retention.ms', value: String(t.retentionMs) }, ...(t.cleanupPolicy ? [{ name: 'cleanup.policy', value: t.cleanupPolicy }] : [])],
    })),
  });
  return missing.map((t) => t.name);
}
