import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import type { EventDefinition, ServiceName } from '@iop/contracts';
import { assertSqlIdentifier } from '@iop/persistence';
import { encodeEvent, type EventContext } from './cloudevent-codec';
import { currentTraceContext } from './trace-context';
import { wakeRelayAfterCommit } from './relay-wake';

export const outboxChannel = (schema: string) => `outbox_${schema}`;

/**
 * The transactional outbox: an event is written in the same transaction as the state change that
 * caused it, and published later by the relay. Kafka never sits inside a database transaction.
 */
export class Outbox {
  private readonly schema: string;
  private readonly source: string;

  constructor(readonly service: ServiceName | string) {
    this.schema = assertSqlIdentifier(service);
    this.source = `/iop/${service}`;
  }

  /** Adds one event to the caller's transaction; returns the event id. */
  async add<D extends EventDefinition>(manager: EntityManager, definition: D, payload: z.infer<D['schema']>, context: EventContext = {}): Promise<string> {
    const [id] = await this.addMany(manager, definition, [payload], context);
    return id!;
  }

  /** Adds several events of one type in one statement, in order. */
  async addMany<D extends EventDefinition>(
    manager: EntityManager,
    definition: D,
    payloads: ReadonlyArray<z.infer<D['schema']>>,
    context: EventContext = {},
  ): Promise<string[]> {
    if (payloads.length === 0) return [];
    const trace = context.traceparent ? {} : currentTraceContext();
    const encoded = payloads.map((p) => encodeEvent(definition, p, this.source, { ...trace, ...context, ...(payloads.length > 1 ? { id: undefined } : {}) }));
    // Per-key order, whatever callers do: a transaction holds each key it writes until it ends, so a
    // second transaction for the same key takes its seq only after the first committed, and the relay
    // (which publishes in seq order) can never see the second's event first. Keys are locked in sorted
    // order, in the same statement as the insert: the locks are a one-time filter in front of the
    // insert, so they are all held before the first seq is drawn.
    const keys = [...new Set(encoded.map((e) => e.key))].sort();
    await manager.query(
      `WITH locked AS (SELECT count(pg_advisory_xact_lock(hashtext($8), hashtext(k))) AS n FROM unnest($9::text[]) AS k)
       INSERT INTO ${this.schema}.outbox (id, topic, key, type, version, headers, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[])
       WHERE (SELECT n FROM locked) >= 0`,
      [
        encoded.map((e) => e.id),
        encoded.map(() => definition.topic),
        encoded.map((e) => e.key),
        encoded.map(() => definition.type),
        encoded.map(() => definition.version),
        encoded.map((e) => JSON.stringify(e.headers)),
        encoded.map((e) => JSON.stringify(e.payload)),
        `outbox:${this.schema}`,
        keys,
      ],
    );
    wakeRelayAfterCommit(manager, outboxChannel(this.schema));
    return encoded.map((e) => e.id);
  }
}
