import { z } from 'zod';

/** Services that own events. The `source` of every CloudEvent is `/iop/<service>`. */
export const SERVICES = ['intake', 'insurance', 'scheduling', 'attendance', 'aftercare'] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * One event type at one version: the single schema that the producer, the consumer and the
 * published catalogue all use (STYLE.md: one schema serves all three).
 */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  /** Past-tense name, `<service>.<what-happened>`, e.g. `scheduling.site-registered`. */
  readonly type: string;
  /** Integer version; a breaking change is a new definition with version + 1. */
  readonly version: number;
  readonly producer: ServiceName;
  readonly topic: string;
  readonly schema: S;
  /** The aggregate id the Kafka key is taken from, so that one aggregate's events stay in order. */
  readonly key: (payload: z.infer<S>) => string;
  /** The site the event belongs to, if any: becomes the `siteid` CloudEvents extension. */
  readonly site?: (payload: z.infer<S>) => string | undefined;
  readonly description: string;
}

export type PayloadOf<D> = D extends EventDefinition<infer S> ? z.infer<S> : never;

export function defineEvent<S extends z.ZodType>(definition: EventDefinition<S>): EventDefinition<S> {
  if (!/^[a-z]+\.[a-z][a-z0-9-]*$/.test(definition.type)) {
    throw new Error(`event type "${definition.type}" must look like "<service>.<past-tense-name>"`);
  }
  if (!Number.isInteger(definition.version) || definition.version < 1) {
    throw new Error(`event ${definition.type}: version must be a positive integer`);
  }
  return Object.freeze(definition);
}

/** The CloudEvents `dataschema` URI of a definition; consumers read the version back from it. */
export function dataSchemaUri(definition: Pick<EventDefinition, 'type' | 'version'>): string {
  return `urn:iop:event:${definition.type}:v${definition.version}`;
}

export function parseDataSchemaUri(uri: string | undefined): { type: string; version: number } | undefined {
  const match = /^urn:iop:event:([a-z]+\.[a-z][a-z0-9-]*):v(\d+)$/.exec(uri ?? '');
  return match ? { type: match[1]!, version: Number(match[2]) } : undefined;
}
