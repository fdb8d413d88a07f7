import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Id, defineEvent, type EventDefinition } from '@iop/contracts';
import { encodeEvent } from '@iop/messaging';

/**
 * A check-in shaped like the platform's real events (identifiers only, a site, a timestamp), so the
 * message size, the schema validation on both ends and the CloudEvents headers cost what they will
 * in production. It lives here, not in the catalogue: it is never produced outside the benchmark.
 */
const CheckInRecorded = z.strictObject({
  checkInId: Id,
  episodeId: Id,
  sessionId: Id,
  siteId: Id,
  method: z.enum(['kiosk', 'staff', 'telehealth']),
  occurredAt: z.iso.datetime({ offset: true }),
});
export type CheckInRecorded = z.infer<typeof CheckInRecorded>;

/** The topic is part of a definition, and every run uses a topic of its own. */
export function checkInRecordedOn(topic: string): EventDefinition<typeof CheckInRecorded> {
  return defineEvent({
    type: 'attendance.bench-check-in-recorded',
    version: 1,
    producer: 'attendance',
    topic,
    schema: CheckInRecorded,
    key: (p) => p.episodeId,
    site: (p) => p.siteId,
    description: 'Benchmark only: a patient checked in to a group session.',
  });
}

const METHODS = ['kiosk', 'staff', 'telehealth'] as const;
const SITES = 20;

/**
 * Payloads spread evenly over `keyCount` episodes (the Kafka key), each episode at one of 20 sites.
 * Event `i` always gets the same episode, so every scenario spreads its load the same way.
 */
export class CheckInFactory {
  private readonly episodes: readonly string[];
  private readonly sites: readonly string[];
  private readonly sessions: readonly string[];

  constructor(readonly keyCount: number) {
    this.episodes = Array.from({ length: keyCount }, () => randomUUID());
    this.sites = Array.from({ length: SITES }, () => randomUUID());
    this.sessions = Array.from({ length: 50 }, () => randomUUID());
  }

  payload(i: number): CheckInRecorded {
    return {
      checkInId: randomUUID(),
      episodeId: this.episodes[i % this.keyCount]!,
      sessionId: this.sessions[i % this.sessions.length]!,
      siteId: this.sites[(i % this.keyCount) % SITES]!,
      method: METHODS[i % METHODS.length]!,
      occurredAt: new Date().toISOString(),
    };
  }

  key(i: number): string {
    return this.episodes[i % this.keyCount]!;
  }
}

export interface RawMessageTemplate {
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes of one message as the relay sends it: key, value and header names and values. */
  readonly bytes: number;
}

/**
 * Headers as the outbox stores them for one real event, so the raw Kafka baseline sends messages of
 * the same size without paying for encoding (the outbox pays that on the writer's side, not the relay).
 */
export function rawMessageTemplate(definition: EventDefinition<typeof CheckInRecorded>, factory: CheckInFactory): RawMessageTemplate {
  const payload = factory.payload(0);
  const encoded = encodeEvent(definition, payload, '/iop/attendance', {});
  const value = JSON.stringify(encoded.payload);
  const headerBytes = Object.entries(encoded.headers).reduce((sum, [name, v]) => sum + Buffer.byteLength(name) + Buffer.byteLength(v), 0);
  return { headers: encoded.headers, bytes: Buffer.byteLength(encoded.key) + Buffer.byteLength(value) + headerBytes };
}
