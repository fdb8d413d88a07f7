import { Client } from 'pg';
import type { Producer, TopicMessages } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { Counter, Gauge, type Registry } from 'prom-client';
import { assertSqlIdentifier } from '@iop/persistence';
import { outboxChannel } from './outbox';
import { wakeLocally } from './relay-wake';
import { describeError } from './errors';
import type { Log } from './kafka-client';

export interface OutboxRelayOptions {
  readonly schema: string;
  readonly dataSource: DataSource;
  /** A connection string for the relay's own session: it holds the leader lock and LISTENs. */
  readonly connectionString: string;
  readonly producer: Producer;
  readonly log: Log;
  readonly registry?: Registry;
  readonly batchSize?: number;
  /** A safety net under LISTEN/NOTIFY: the relay also looks every so often. */
  readonly pollIntervalMs?: number;
  readonly maxBackoffMs?: number;
  readonly retainPublishedDays?: number;
  /**
   * How long the inbox remembers an event it applied (default 30 days). Longer than any redelivery:
   * uncommitted offsets are redelivered within a session timeout, and a consumer group's committed
   * offsets are kept by Kafka for 7 days (offsets.retention.minutes), so only an idle group older than
   * that could start again from the beginning of a topic.
   */
  readonly retainInboxDays?: number;
  /**
   * The leader's lease, in seconds (default 30, or OUTBOX_LEADER_LEASE_SECONDS): the leader proves it is
   * alive on its session three times per lease, and Postgres ends a session silent for a whole lease
   * (idle_session_timeout), releasing the leader lock. A leader whose host vanished or froze without
   * closing its socket so hands over within a lease, instead of after the kernel's TCP timeout (hours).
   */
  readonly leaseSeconds?: number;
  /**
   * While it leads, writers in this process on the same data source wake it with a function call instead of a
   * NOTIFY (default true). Writers in other processes always NOTIFY.
   */
  readonly wakeLocally?: boolean;
}

interface OutboxRow {
  seq: string;
  topic: string;
  key: string;
  headers: Record<string, string>;
  payload: string;
}

/**
 * Publishes the outbox to Kafka in the order it was written (per key, and overall per topic),
 * with acks from all in-sync replicas, and marks rows published only after Kafka has them. A crash
 * between the two republishes a batch (consumers are idempotent); nothing is ever lost. One relay
 * per schema leads, chosen by an advisory lock; others wait in standby.
 */
export class OutboxRelay {
  private readonly schema: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private session: Client | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopLocalWake: (() => void) | undefined;
  private readonly leaseSeconds: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private notified = false;
  /** The next batch, read in the statement that marked the last one published. */
  private prefetched: OutboxRow[] | undefined;
  private lastPrune = 0;
  private readonly published: Counter | undefined;
  private readonly failures: Counter | undefined;
  private readonly parked: Counter | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.schema = assertSqlIdentifier(options.schema);
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.leaseSeconds = options.leaseSeconds ?? Number(process.env['OUTBOX_LEADER_LEASE_SECONDS'] ?? 30);
    const registry = options.registry;
    if (registry) {
      this.published = new Counter({ name: 'iop_outbox_published_total', help: 'Events the relay published to Kafka', registers: [registry] });
      this.failures = new Counter({ name: 'iop_outbox_publish_failures_total', help: 'Relay batches Kafka did not accept', registers: [registry] });
      this.parked = new Counter({
        name: 'iop_outbox_parked_total',
        help: 'Events Kafka refused for good, set aside (npm run outbox:parked)',
        registers: [registry],
      });
      const schema = this.schema;
      const dataSource = options.dataSource;
      new Gauge({
        name: 'iop_outbox_parked',
        help: 'Events parked now: refused by Kafka for good, waiting for someone to act',
        registers: [registry],
        async collect() {
          const [row] = (await dataSource.query(
            `SELECT count(*)::int AS n FROM ${schema}.outbox WHERE parked_at IS NOT NULL AND published_at IS NULL`,
          )) as Array<{
            n: number;
          }>;
          this.set(row?.n ?? 0);
        },
      });
      const stats = () => this.backlog();
      new Gauge({
        name: 'iop_outbox_backlog',
        help: 'Events written but not yet published',
        registers: [registry],
        async collect() {
          this.set((await stats()).count);
        },
      });
      new Gauge({
        name: 'iop_outbox_oldest_age_seconds',
        help: 'Age of the oldest unpublished event',
        registers: [registry],
        async collect() {
          this.set((await stats()).oldestAgeSeconds);
        },
      });
    }
  }

  async backlog(): Promise<{ count: number; oldestAgeSeconds: number }> {
    const [row] = (await this.options.dataSource.query(
      `SELECT count(*)::int AS count, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS age
         FROM ${this.schema}.outbox WHERE published_at IS NULL AND parked_at IS NULL`,
    )) as Array<{ count: number; age: number }>;
    return { count: row?.count ?? 0, oldestAgeSeconds: row?.age ?? 0 };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.closeSession();
  }

  /** Publishes everything pending now; for tests and the benchmark. Returns how many were published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.publishBatch();
      total += n;
      if (n < this.batchSize && !this.prefetched) return total;
    }
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        if (!(await this.lead())) {
          await this.sleep(this.pollIntervalMs * 2);
          continue;
        }
        const n = await this.publishBatch();
        backoff = 100;
        await this.pruneNowAndThen();
        if (n < this.batchSize && !this.prefetched) await this.sleep(this.pollIntervalMs);
      } catch (error) {
        this.failures?.inc();
        this.options.log.warn({ err: describeError(error), backoffMs: backoff }, 'outbox relay: publish failed, will retry');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  /** Holds the leader lock on the relay's own session, which also LISTENs for new rows. */
  private async lead(): Promise<boolean> {
    if (this.session) return true;
    const session = new Client({ connectionString: this.options.connectionString, application_name: `iop-${this.schema}-relay`, keepAlive: true });
    session.on('error', (error) => {
      this.options.log.warn({ err: describeError(error) }, 'outbox relay: session lost');
      void this.closeSession();
    });
    await session.connect();
    const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`outbox-relay:${this.schema}`]);
    if (!rows[0]?.locked) {
      await session.end();
      return false;
    }
    const wakeUp = () => {
      this.notified = true;
      this.wake?.();
    };
    session.on('notification', wakeUp);
    await session.query(`LISTEN ${outboxChannel(this.schema)}`);
    if (this.options.wakeLocally ?? true) this.stopLocalWake = wakeLocally(this.options.dataSource, outboxChannel(this.schema), wakeUp);
    // The lease: Postgres ends this session (and so frees the lock) after a lease of silence; the
    // heartbeat, on a timer of its own, keeps a live leader talking even while a batch waits on Kafka.
    const leaseMs = Math.round(this.leaseSeconds * 1000);
    await session.query(
      `SELECT set_config('idle_session_timeout', $1, false), set_config('tcp_keepalives_idle', $2, false), set_config('tcp_keepalives_interval', $2, false)`,
      [String(leaseMs), String(Math.max(1, Math.floor(this.leaseSeconds / 3)))],
    );
    this.heartbeat = setInterval(() => void session.query('SELECT 1').catch(() => undefined), Math.max(100, Math.floor(leaseMs / 3)));
    this.heartbeat.unref();
    this.session = session;
    return true;
  }

  private async closeSession(): Promise<void> {
    this.stopLocalWake?.();
    this.stopLocalWake = undefined;
    // Read while leading; another leader may publish them meanwhile.
    this.prefetched = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const session = this.session;
    this.session = undefined;
    await session?.end().catch(() => undefined);
  }

  private async publishBatch(): Promise<number> {
    // Reset before reading: a wake-up for a row committed after the read below finds the flag set.
    this.notified = false;
    const rows =
      this.prefetched ??
      ((await this.options.dataSource.query(
        `SELECT seq, topic, key, headers, payload::text AS payload
           FROM ${this.schema}.outbox WHERE published_at IS NULL AND parked_at IS NULL ORDER BY seq LIMIT $1`,
        [this.batchSize],
      )) as OutboxRow[]);
    this.prefetched = undefined;
    if (rows.length === 0) return 0;

    try {
      await this.send(rows);
    } catch (error) {
      if (!refusedForGood(error)) {
        await this.recordFailure(rows, error);
        throw error;
      }
      // Kafka refuses something in this batch for good: find which rows, one at a time, and set them aside.
      return this.publishOneByOne(rows);
    }
    await this.markPublishedAndReadNext(rows);
    return rows.length;
  }

  /**
   * Marks a sent batch published and reads the next one in the same round trip. The update's effect is not
   * visible to the read in the same statement, so the read leaves the sent rows out by their seq.
   */
  private async markPublishedAndReadNext(rows: readonly OutboxRow[]): Promise<void> {
    const next = (await this.options.dataSource.query(
      `WITH marked AS (UPDATE ${this.schema}.outbox SET published_at = now() WHERE seq = ANY($1::bigint[]))
       SELECT seq, topic, key, headers, payload::text AS payload
         FROM ${this.schema}.outbox WHERE published_at IS NULL AND parked_at IS NULL AND seq <> ALL($1::bigint[]) ORDER BY seq LIMIT $2`,
      [rows.map((r) => r.seq), this.batchSize],
    )) as OutboxRow[];
    this.published?.inc(rows.length);
    this.prefetched = next.length > 0 ? next : undefined;
  }

  private async send(rows: readonly OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const row of rows) {
      let entry = byTopic.get(row.topic);
      if (!entry) byTopic.set(row.topic, (entry = { topic: row.topic, messages: [] }));
      entry.messages.push({ key: row.key, value: row.payload, headers: row.headers });
    }
    await this.options.producer.sendBatch({ acks: -1, topicMessages: [...byTopic.values()] });
  }

  /**
   * Publishes a batch row by row after Kafka refused it for good: each refused row is parked (kept, with
   * its error, out of the relay's way) and the others go on in order. A row behind a parked one with the
   * same key overtakes it: a refused event cannot be published as it is, so holding its key back would
   * only stop that aggregate's events for good; the parked row is an alert to act on, not a queue.
   */
  private async publishOneByOne(rows: readonly OutboxRow[]): Promise<number> {
    let published = 0;
    for (const row of rows) {
      try {
        await this.send([row]);
      } catch (error) {
        if (!refusedForGood(error)) {
          await this.recordFailure([row], error);
          throw error;
        }
        await this.options.dataSource.query(`UPDATE ${this.schema}.outbox SET parked_at = now(), attempts = attempts + 1, last_error = $2 WHERE seq = $1`, [
          row.seq,
          describeError(error).slice(0, 2000),
        ]);
        this.parked?.inc();
        this.options.log.error(
          { seq: row.seq, topic: row.topic, err: describeError(error) },
          'outbox relay: Kafka refused an event for good; parked it (npm run outbox:parked)',
        );
        continue;
      }
      await this.markPublished([row]);
      published++;
    }
    return published;
  }

  private async markPublished(rows: readonly OutboxRow[]): Promise<void> {
    await this.options.dataSource.query(`UPDATE ${this.schema}.outbox SET published_at = now() WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
    this.published?.inc(rows.length);
  }

  /** Every row of a failed batch counts the attempt and keeps the error, not only the first. */
  private async recordFailure(rows: readonly OutboxRow[], error: unknown): Promise<void> {
    await this.options.dataSource
      .query(`UPDATE ${this.schema}.outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = ANY($1::bigint[])`, [
        rows.map((r) => r.seq),
        describeError(error).slice(0, 2000),
      ])
      .catch(() => undefined);
  }

  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrune < 10 * 60_000) return;
    this.lastPrune = Date.now();
    const days = this.options.retainPublishedDays ?? 7;
    await this.options.dataSource.query(`DELETE FROM ${this.schema}.outbox WHERE published_at < now() - make_interval(days => $1)`, [days]);
    // The relay leads one per schema, so the inbox is pruned once too, not by every consumer replica.
    const inboxDays = this.options.retainInboxDays ?? Number(process.env['INBOX_RETENTION_DAYS'] ?? 30);
    await this.options.dataSource.query(`DELETE FROM ${this.schema}.inbox WHERE received_at < now() - make_interval(days => $1)`, [inboxDays]);
  }

  private sleep(ms: number): Promise<void> {
    if (this.notified || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * Kafka's refusals that no retry can change: the message itself or the producer's rights are at fault.
 * Anything else (a broker away, a leader moving, a timeout) is retried with backoff, for as long as it takes.
 */
const REFUSED_FOR_GOOD = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

export function refusedForGood(error: unknown): boolean {
  for (let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string' && REFUSED_FOR_GOOD.has(e.type)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}
