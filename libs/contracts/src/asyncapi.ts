import { ALL_TOPICS } from './topics';
import { EVENT_CATALOGUE, payloadJsonSchema } from './catalogue';
import { dataSchemaUri, type EventDefinition } from './event-definition';

const messageName = (d: EventDefinition) => `${d.type}.v${d.version}`;

/** The CloudEvents binary-mode headers every message carries (Kafka protocol binding). */
const CLOUDEVENT_HEADERS = {
  type: 'object',
  required: ['ce_id', 'ce_source', 'ce_type', 'ce_specversion', 'ce_time', 'ce_dataschema'],
  properties: {
    ce_id: { type: 'string', format: 'uuid', description: 'Event id; consumers de-duplicate on it.' },
    ce_source: { type: 'string', description: '/iop/<service>' },
    ce_type: { type: 'string' },
    ce_specversion: { const: '1.0' },
    ce_time: { type: 'string', format: 'date-time' },
    ce_subject: { type: 'string', description: 'The aggregate id.' },
    ce_dataschema: { type: 'string', description: 'urn:iop:event:<type>:v<version>' },
    ce_siteid: { type: 'string', format: 'uuid', description: 'The site the event belongs to, if any.' },
    ce_correlationid: { type: 'string', description: 'Shared by every event of one business flow.' },
    ce_causationid: { type: 'string', description: 'Id of the event or request that caused this one.' },
    ce_traceparent: { type: 'string', description: 'W3C trace context of the request that caused the event.' },
    'content-type': { const: 'application/json' },
  },
};

/** What a topic read outside the platform is, in HIPAA terms (TopicSpec.dataClass); docs/analytics/README.md says more. */
export const DATA_CLASS_NOTES = {
  'limited-data-set':
    'Limited data set (HIPAA, 45 CFR 164.514(e)): pseudonymous patient keys with service dates and site ids; no names, birth dates, member ids, free text or clinicians. Released only under a data-use agreement.',
  'de-identified': 'De-identified aggregates: no patient keys, counts from 1 to 10 suppressed, and rates computed from them too.',
} as const;

/** An AsyncAPI 3.0 document of every topic and event in the catalogue. */
export function buildAsyncApiDocument(version = '0.1.0'): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};

  for (const d of EVENT_CATALOGUE) {
    const name = messageName(d);
    schemas[name] = payloadJsonSchema(d);
    messages[name] = {
      name,
      title: d.type,
      summary: d.description,
      contentType: 'application/json',
      headers: CLOUDEVENT_HEADERS,
      payload: { $ref: `#/components/schemas/${name}` },
      bindings: { kafka: { key: { type: 'string', description: 'aggregate id (see the topic)' } } },
      'x-dataschema': dataSchemaUri(d),
      'x-producer': d.producer,
    };
  }
  for (const t of ALL_TOPICS) {
    const own = EVENT_CATALOGUE.filter((d) => d.topic === t.name);
    const channelId = t.name.replace(/[^a-zA-Z0-9]/g, '_');
    channels[channelId] = {
      address: t.name,
      description: `${t.description} Key: ${t.key}.${t.dataClass ? ` ${DATA_CLASS_NOTES[t.dataClass]}` : ''}`,
      ...(t.dataClass ? { 'x-data-class': t.dataClass } : {}),
      messages: Object.fromEntries(own.map((d) => [messageName(d).replace(/[^a-zA-Z0-9]/g, '_'), { $ref: `#/components/messages/${messageName(d)}` }])),
      bindings: {
        kafka: {
          topic: t.name,
          partitions: t.partitions,
          topicConfiguration: { 'retention.ms': t.retentionMs, ...(t.cleanupPolicy ? { 'cleanup.policy': [t.cleanupPolicy] } : {}) },
        },
      },
    };
    if (own.length > 0) {
      operations[`consume_${channelId}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${channelId}` },
        messages: own.map((d) => ({ $ref: `#/channels/${channelId}/messages/${messageName(d).replace(/[^a-zA-Z0-9]/g, '_')}` })),
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'IOP platform events',
      version,
      description:
        'Every event the platform publishes. Envelope: CloudEvents 1.0, Kafka binary mode (ce_* headers, JSON body). ' +
        'Events carry identifiers, never names, dates of birth, member ids or free text.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages, schemas },
  };
}
