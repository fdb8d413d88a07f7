import { CloudEvent, Kafka as KafkaBinding } from 'cloudevents';
import type { IHeaders } from 'kafkajs';
import { z } from 'zod';
import { dataSchemaUri, parseDataSchemaUri, type EventDefinition, type EventRegistry } from '@iop/contracts';
import { InvalidEventPayloadError, PermanentEventError } from './errors';

/** What a consumer knows about an event besides its payload. */
export interface EventMeta {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly source: string;
  readonly time: string;
  readonly subject?: string;
  readonly siteId?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

export interface EncodedEvent {
  readonly id: string;
  readonly key: string;
  readonly headers: Record<string, string>;
  readonly payload: unknown;
}

export interface EventContext {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly id?: string;
  readonly time?: Date;
}

export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Validates a payload against its definition and builds the CloudEvents 1.0 binary-mode headers.
 * Refuses, at produce time, a payload that breaks its schema.
 */
export function encodeEvent<D extends EventDefinition>(definition: D, payload: z.infer<D['schema']>, source: string, context: EventContext): EncodedEvent {
  const parsed = definition.schema.safeParse(payload);
  if (!parsed.success) throw new InvalidEventPayloadError(definition.type, formatIssues(parsed.error));
  const data = parsed.data as z.infer<D['schema']>;
  const key = definition.key(data);
  const siteId = definition.site?.(data);
  const attributes: Record<string, unknown> = {
    id: context.id ?? crypto.randomUUID(),
    source,
    type: definition.type,
    specversion: '1.0',
    time: (context.time ?? new Date()).toISOString(),
    subject: key,
    dataschema: dataSchemaUri(definition),
    datacontenttype: 'application/json',
    partitionkey: key,
    data,
  };
  if (siteId) attributes['siteid'] = siteId;
  if (context.correlationId) attributes['correlationid'] = context.correlationId;
  if (context.causationId) attributes['causationid'] = context.causationId;
  if (context.traceparent) attributes['traceparent'] = context.traceparent;
  if (context.tracestate) attributes['tracestate'] = context.tracestate;
  const event = new CloudEvent(attributes, true);
  const message = KafkaBinding.binary(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) if (value !== undefined && value !== null) headers[name] = String(value);
  return { id: event.id, key, headers, payload: data };
}

export interface RawMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(String).join(',') : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}

export type DecodedEvent = { readonly meta: EventMeta; readonly payload: unknown; readonly definition: EventDefinition | undefined };

/**
 * Reads a binary-mode CloudEvent off a Kafka message and validates its payload against the
 * catalogue. Anything that cannot be trusted is a permanent failure: retrying will not fix it.
 */
export function decodeEvent(message: RawMessage, registry: EventRegistry, handles: (type: string) => boolean): DecodedEvent | 'not-ours' {
  const headers = headersToStrings(message.headers);
  let event: CloudEvent<unknown>;
  try {
    const value = message.value?.toString('utf8') ?? '';
    const parsed = KafkaBinding.toEvent({ key: message.key?.toString('utf8') ?? '', value, body: value, headers, timestamp: '' } as unknown as Parameters<
      typeof KafkaBinding.toEvent
    >[0]);
    event = (Array.isArray(parsed) ? parsed[0] : parsed) as CloudEvent<unknown>;
    event.validate();
  } catch (error) {
    throw new PermanentEventError(`not a valid CloudEvent: ${(error as Error).message}`, 'not-a-cloudevent');
  }
  if (!handles(event.type)) return 'not-ours';
  const schemaRef = parseDataSchemaUri(event.dataschema);
  const version = schemaRef?.version ?? 1;
  const definition = registry.find(event.type, version);
  if (!definition) throw new PermanentEventError(`${event.type} v${version} is not in the event catalogue`, 'unknown-version');
  let data: unknown = event.data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      throw new PermanentEventError(`${event.type}: body is not JSON`, 'invalid-payload');
    }
  }
  const parsed = definition.schema.safeParse(data);
  if (!parsed.success) throw new PermanentEventError(`${event.type} v${version} payload breaks its schema: ${formatIssues(parsed.error)}`, 'invalid-payload');
  const ext = event as unknown as Record<string, unknown>;
  const str = (name: string) => (typeof ext[name] === 'string' ? (ext[name] as string) : undefined);
  const meta: EventMeta = {
    id: event.id,
    type: event.type,
    version,
    source: event.source,
    time: event.time ?? new Date().toISOString(),
    ...(event.subject ? { subject: event.subject } : {}),
    ...optional('siteId', str('siteid')),
    ...optional('correlationId', str('correlationid')),
    ...optional('causationId', str('causationid')),
    ...optional('traceparent', str('traceparent')),
    ...optional('tracestate', str('tracestate')),
  };
  return { meta, payload: parsed.data, definition };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
