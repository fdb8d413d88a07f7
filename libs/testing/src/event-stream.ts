import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { z } from 'zod';
import { EventRegistry, type EventDefinition, type PayloadOf } from '@iop/contracts';
import { decodeEvent, encodeEvent } from '@iop/messaging';
import { uniqueName } from './harness';

/** One event encoded once, as its producing service would put it on Kafka: delivered again, it keeps its `ce_id`. */
export interface EncodedEvent {
  readonly id: string;
  readonly topic: string;
  readonly message: { key: string; value: string; headers: Record<string, string> };
}

/** Encodes an event (CloudEvents binary mode, keyed by its aggregate) without sending it: see `deliverEvent`. */
export function encodeEventMessage<D extends EventDefinition>(
  definition: D,
  payload: z.infer<D['schema']>,
  source = `/iop/${definition.producer}`,
): EncodedEvent {
  const event = encodeEvent(definition, payload, source, {});
  return { id: event.id, topic: definition.topic, message: { key: event.key, value: JSON.stringify(event.payload), headers: event.headers } };
}

/**
 * Sends an encoded event `copies` times in one produce request: the same event delivered more than once, at once,
 * as a producer retry or a rebalance would deliver it. Called again later, it is a redelivery.
 */
export async function deliverEvent(producer: Producer, event: EncodedEvent, copies = 1): Promise<void> {
  await producer.send({ topic: event.topic, acks: -1, messages: Array.from({ length: copies }, () => event.message) });
}

/**
 * Publishes an event as its producing service would (CloudEvents binary mode, keyed by its aggregate), straight onto
 * Kafka: a test fakes another service at the Kafka level only. Returns the event id.
 */
export async function publishEvent<D extends EventDefinition>(
  producer: Producer,
  definition: D,
  payload: z.infer<D['schema']>,
  source = `/iop/${definition.producer}`,
): Promise<string> {
  const event = encodeEventMessage(definition, payload, source);
  await deliverEvent(producer, event);
  return event.id;
}

/** Reads events off their topics from the beginning, as a downstream consumer would; `close` stops every reader. */
export class EventReaders {
  private readonly readers: Consumer[] = [];
  private readonly registry = new EventRegistry();

  constructor(private readonly kafka: Kafka) {}

  /** Every event of this type on its topic, from the beginning; the array fills as they arrive. */
  async eventsOf<D extends EventDefinition>(definition: D): Promise<Array<PayloadOf<D>>> {
    const seen: Array<PayloadOf<D>> = [];
    const reader = this.kafka.consumer({ groupId: uniqueName(`${definition.type}-reader`), sessionTimeout: 6000, maxWaitTimeInMs: 100 });
    this.readers.push(reader);
    await reader.connect();
    await reader.subscribe({ topic: definition.topic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const decoded = decodeEvent(message, this.registry, (type) => type === definition.type);
        if (decoded !== 'not-ours') seen.push(decoded.payload as PayloadOf<D>);
      },
    });
    return seen;
  }

  async close(): Promise<void> {
    for (const reader of this.readers) await reader.disconnect().catch(() => undefined);
  }
}
