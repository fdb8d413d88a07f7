import { randomBytes } from 'node:crypto';
import type { Kafka, Producer, RecordMetadata } from 'kafkajs';
import { z } from 'zod';
import { defineEvent, type EventDefinition } from '@iop/contracts';
import type { TestInfrastructure } from '@iop/testing';
import { encodeEvent, type EncodedEvent } from '../../src';

export const ProbeSchema = z.object({
  /** The aggregate: events with one key stay in order. */
  key: z.string().min(1),
  /** Position in the key's history, so a test can see order. */
  seq: z.number().int().nonnegative(),
});
export type Probe = z.infer<typeof ProbeSchema>;
export type ProbeEvent = EventDefinition<typeof ProbeSchema>;

/** A test event type on a topic of the test's own, so no other test or service reads or writes it. */
export function probeEvent(topic: string): ProbeEvent {
  return defineEvent({
    type: 'msgtest.probe-recorded',
    version: 1,
    producer: 'intake',
    topic,
    schema: ProbeSchema,
    key: (p) => p.key,
    description: 'A probe the messaging reliability tests send through the outbox, relay and consumers.',
  });
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export const uniqueKeys = (n: number): string[] => {
  const prefix = randomBytes(3).toString('hex');
  return range(n).map((i) => `${prefix}-key-${i}`);
};

/**
 * Creates a topic with a known partition count. The development broker would auto-create a
 * missing topic with 4 partitions, so tests ask for theirs explicitly.
 */
export async function createTestTopic(infra: TestInfrastructure, kafka: Kafka, prefix: string, partitions: number): Promise<string> {
  const name = `msgtest.${prefix}.${randomBytes(4).toString('hex')}`;
  if (infra.broker) {
    await infra.broker.createTopic(name, partitions);
  } else {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: partitions }] });
    } finally {
      await admin.disconnect();
    }
  }
  return name;
}

/** The broker's fault injection; the fault tests need the development broker. */
export function brokerControl(infra: TestInfrastructure): NonNullable<TestInfrastructure['broker']> {
  if (!infra.broker) throw new Error('this test takes Kafka down and needs the development broker (unset KAFKA_BROKERS to use it)');
  return infra.broker;
}

export interface SentEvent extends EncodedEvent {
  readonly partition: number;
}

/** Puts an event on its topic as the relay would: CloudEvents binary mode, JSON body, keyed by aggregate. */
export function sendEvent(producer: Producer, definition: ProbeEvent, payload: Probe): Promise<SentEvent> {
  return sendEncoded(producer, definition.topic, encodeEvent(definition, payload, '/iop/msgtest', {}));
}

/**
 * Sends an already encoded event, optionally with another body under its headers: for tests of what
 * a consumer does with a redelivered or a malformed message.
 */
export async function sendEncoded(
  producer: Producer,
  topic: string,
  encoded: EncodedEvent,
  body: unknown = encoded.payload,
  partition?: number,
): Promise<SentEvent> {
  const [meta] = await producer.send({
    topic,
    acks: -1,
    messages: [{ key: encoded.key, value: JSON.stringify(body), headers: encoded.headers, ...(partition === undefined ? {} : { partition }) }],
  });
  return { ...encoded, partition: (meta as RecordMetadata).partition };
}
