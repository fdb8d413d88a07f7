import { z } from 'zod';

/*
 * Building blocks for response schemas (`@Returns`). A response is checked as JSON carries it: dates are ISO
 * strings by then. These check the form of what the service itself produced, not the request-time bounds
 * (a birth date "not in the future" is a rule for input; what was stored is what is answered).
 */

/** A UUID the platform produced or accepted (any version: ids from fixtures and events are not all v4). */
export const ResponseId = z.guid();

/** An instant, ISO 8601 with its offset (the platform writes UTC, `Z`). */
export const ResponseInstant = z.iso.datetime({ offset: true });

/** A calendar date, YYYY-MM-DD. */
export const ResponseDate = z.iso.date();

/**
 * The keys of a record as a tuple for `z.enum`: domain unions that exist only as types are listed once as a
 * `{ value: true }` record checked with `satisfies Record<Union, true>`, so the schema and the type cannot drift.
 */
export function keysOf<K extends string>(record: Readonly<Record<K, unknown>>): [K, ...K[]] {
  return Object.keys(record) as [K, ...K[]];
}

/** One page of a list, newest first unless the operation says otherwise. */
export function Paged<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number().int().min(1).describe('The page returned, from 1'),
    pageSize: z.number().int().min(1).describe('Items per page asked for; the last page may hold fewer'),
    total: z.number().int().min(0).describe('Items matching the filter across all pages'),
  });
}

/**
 * Names schemas for the OpenAPI document: each becomes one entry of `components.schemas` that operations
 * reference (rather than a copy inlined in every operation), and the type name a generated client uses.
 * Names are global to the process: two services' documents may share one only if it is the same schema.
 */
export function nameSchemas(schemas: Readonly<Record<string, z.ZodType>>): void {
  for (const [id, schema] of Object.entries(schemas)) z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });
}
