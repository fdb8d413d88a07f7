import { EventRegistry, SiteRegistered, type PayloadOf } from '@iop/contracts';
import { decodeEvent, encodeEvent } from './cloudevent-codec';

const site: PayloadOf<typeof SiteRegistered> = {
  siteId: '6f1c1d3e-7a43-4b8e-9d41-0c2a8f1e5b10',
  name: 'Riverside IOP',
  address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701' },
  timeZone: 'America/Chicago',
  capacity: 24,
  revision: 1,
  occurredAt: '2026-12-01T15:00:00.000Z',
};
const context = {
  id: '0b7e2f6a-7a4f-4d55-8f4e-3e1b1f0c9a01',
  time: new Date('2026-12-01T15:00:01.000Z'),
  correlationId: 'req-1',
  causationId: 'cause-1',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
};

describe('events on the wire (CloudEvents 1.0, Kafka binary mode)', () => {
  it('carries the CloudEvents attributes and our extensions as ce_ headers, keyed by the aggregate', () => {
    const encoded = encodeEvent(SiteRegistered, site, '/iop/scheduling', context);
    expect(encoded.key).toBe(site.siteId);
    expect(encoded.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: context.id,
      ce_source: '/iop/scheduling',
      ce_type: 'scheduling.site-registered',
      ce_time: '2026-12-01T15:00:01.000Z',
      ce_subject: site.siteId,
      ce_dataschema: 'urn:iop:event:scheduling.site-registered:v1',
      ce_siteid: site.siteId,
      ce_correlationid: 'req-1',
      ce_causationid: 'cause-1',
      ce_traceparent: context.traceparent,
    });
    expect(encoded.headers['content-type']).toMatch(/^application\/json/);
  });

  it('reads back what it wrote: the payload as validated, and the meta a handler is given', () => {
    const encoded = encodeEvent(SiteRegistered, site, '/iop/scheduling', context);
    const decoded = decodeEvent(
      { key: Buffer.from(encoded.key), value: Buffer.from(JSON.stringify(encoded.payload)), headers: encoded.headers },
      new EventRegistry([SiteRegistered]),
      () => true,
    );
    expect(decoded).not.toBe('not-ours');
    if (decoded === 'not-ours') return;
    expect(decoded.payload).toEqual(site);
    expect(decoded.meta).toMatchObject({
      id: context.id,
      type: 'scheduling.site-registered',
      version: 1,
      source: '/iop/scheduling',
      siteId: site.siteId,
      correlationId: 'req-1',
      causationId: 'cause-1',
    });
  });

  it('refuses to write a payload that breaks its schema', () => {
    expect(() => encodeEvent(SiteRegistered, { ...site, capacity: -1 }, '/iop/scheduling', {})).toThrow(/capacity/);
  });

  it('leaves alone an event type the consumer does not handle', () => {
    const encoded = encodeEvent(SiteRegistered, site, '/iop/scheduling', context);
    const message = { key: Buffer.from(encoded.key), value: Buffer.from(JSON.stringify(encoded.payload)), headers: encoded.headers };
    expect(decodeEvent(message, new EventRegistry([SiteRegistered]), () => false)).toBe('not-ours');
  });
});
