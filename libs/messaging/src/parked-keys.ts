import { assertSqlIdentifier } from '@iop/persistence';

/** A `pg` client or pool. */
interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;
}

export interface ParkedKey {
  readonly consumer: string;
  readonly topic: string;
  readonly key: string;
  /** The dead-lettered event the key waits behind. */
  readonly headEventId: string;
  readonly headType: string;
  readonly reason: string;
  readonly parkedAt: Date;
  /** Later events of the key that followed the head to the dead-letter topic. */
  readonly followers: number;
}

/** A service's keys parked behind a dead letter (ADR 0002), oldest first. */
export async function listParkedKeys(db: Queryable, schema: string): Promise<ParkedKey[]> {
  const { rows } = await db.query(
    `SELECT consumer, topic, key, head_event_id, head_type, reason, parked_at, followers
       FROM ${assertSqlIdentifier(schema)}.parked_keys ORDER BY parked_at, consumer, topic, key`,
  );
  return rows.map((r) => ({
    consumer: r['consumer'] as string,
    topic: r['topic'] as string,
    key: r['key'] as string,
    headEventId: r['head_event_id'] as string,
    headType: r['head_type'] as string,
    reason: r['reason'] as string,
    parkedAt: r['parked_at'] as Date,
    followers: Number(r['followers']),
  }));
}

/**
 * An operator decided that a dead-lettered head can never be applied: its key is unparked, so later events of the key
 * (replayed from the dead-letter topic, or new ones) are applied again. Returns the keys unparked (0 when no key waits
 * behind that event).
 */
export async function discardParkedHead(db: Queryable, schema: string, headEventId: string): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM ${assertSqlIdentifier(schema)}.parked_keys WHERE head_event_id = $1`, [headEventId]);
  return rowCount ?? 0;
}
