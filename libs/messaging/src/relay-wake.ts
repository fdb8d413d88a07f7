import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';

/**
 * Wakes the outbox relay once a writer's transaction has committed, instead of sending NOTIFY inside it.
 *
 * Why not NOTIFY in the transaction: Postgres serialises the commits of every transaction that notifies, on
 * the whole server (PreCommit_Notify takes a database-wide lock and holds it through the commit's WAL flush),
 * so those commits cannot share a flush (group commit). With one event per transaction that cost a third of
 * the write rate (ADR 0002, benchmarks/README.md).
 *
 * What happens instead: `Outbox.add` records that its transaction wants a wake. When TypeORM reports the
 * commit, the process's waker for that data source and channel sends one NOTIFY in a transaction of its own
 * with `synchronous_commit` off: the lock is then held for microseconds, not for a flush. The waker coalesces:
 * while one NOTIFY is on its way, any number of commits ask for one more, sent after it. So the relay hears of
 * every commit after that commit, at most one round trip later, and under load the NOTIFYs are far fewer
 * than the transactions. Losing a wake (a crash between commit and NOTIFY) costs only latency: the relay
 * also polls.
 *
 * When the leading relay runs in this process on the same data source (one replica, or the replica that
 * leads), the wake is a function call and no NOTIFY is sent at all: nobody else needs it, since only the
 * leader publishes, and a new leader starts by reading everything pending.
 */
export function wakeRelayAfterCommit(manager: EntityManager, channel: string): void {
  const runner = manager.queryRunner;
  if (!runner || !runner.isTransactionActive) {
    // No transaction around the insert: it has committed already.
    wake(manager.connection, channel);
    return;
  }
  watchCommits(manager.connection);
  let channels = pending.get(runner);
  if (!channels) pending.set(runner, (channels = new Set()));
  channels.add(channel);
}

const pending = new WeakMap<QueryRunner, Set<string>>();
const localRelays = new WeakMap<DataSource, Map<string, Set<() => void>>>();
const localWakes = new WeakMap<DataSource, Map<string, number>>();

function wake(dataSource: DataSource, channel: string): void {
  const local = localRelays.get(dataSource)?.get(channel);
  if (local && local.size > 0) {
    for (const relay of local) relay();
    const counts = localWakes.get(dataSource) ?? new Map<string, number>();
    localWakes.set(dataSource, counts.set(channel, (counts.get(channel) ?? 0) + 1));
    return;
  }
  wakerFor(dataSource, channel).request();
}

/**
 * For the relay while it leads: writers on `dataSource` in this process wake it with a call instead of a NOTIFY.
 * Returns the function that stops it (when the relay loses or gives up the lead).
 */
export function wakeLocally(dataSource: DataSource, channel: string, relay: () => void): () => void {
  let byChannel = localRelays.get(dataSource);
  if (!byChannel) localRelays.set(dataSource, (byChannel = new Map()));
  let relays = byChannel.get(channel);
  if (!relays) byChannel.set(channel, (relays = new Set()));
  relays.add(relay);
  return () => void relays.delete(relay);
}
const watched = new WeakSet<DataSource>();
const wakers = new WeakMap<DataSource, Map<string, RelayWaker>>();

function wakerFor(dataSource: DataSource, channel: string): RelayWaker {
  let byChannel = wakers.get(dataSource);
  if (!byChannel) wakers.set(dataSource, (byChannel = new Map()));
  let waker = byChannel.get(channel);
  if (!waker) byChannel.set(channel, (waker = new RelayWaker(dataSource, channel)));
  return waker;
}

/** TypeORM tells its subscribers about every commit and rollback, savepoints included; only the outermost counts. */
function watchCommits(dataSource: DataSource): void {
  if (watched.has(dataSource)) return;
  watched.add(dataSource);
  const subscriber: EntitySubscriberInterface = {
    afterTransactionCommit({ queryRunner }) {
      if (queryRunner.isTransactionActive) return;
      const channels = pending.get(queryRunner);
      if (!channels) return;
      pending.delete(queryRunner);
      for (const channel of channels) wake(dataSource, channel);
    },
    afterTransactionRollback({ queryRunner }) {
      if (!queryRunner.isTransactionActive) pending.delete(queryRunner);
    },
  };
  (dataSource.subscribers as EntitySubscriberInterface[]).push(subscriber);
}

/** One NOTIFY in flight per data source and channel; requests made meanwhile are folded into the next one. */
export class RelayWaker {
  private sending = false;
  private again = false;
  /** NOTIFYs sent, for tests and the benchmark. */
  sent = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly channel: string,
  ) {}

  request(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    void this.send();
  }

  private async send(): Promise<void> {
    try {
      do {
        this.again = false;
        if (!this.dataSource.isInitialized) return;
        // Its own one-statement transaction; not flushed, because a lost wake costs only latency.
        await this.dataSource
          .query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')`, [this.channel])
          .then(() => this.sent++)
          .catch(() => undefined);
      } while (this.again);
    } finally {
      this.sending = false;
    }
  }
}

/** How many wake-ups this process has sent on a data source's channel (tests, benchmark): NOTIFYs, and calls to a relay leading here. */
export function relayWakesSent(dataSource: DataSource, channel: string): { readonly notifies: number; readonly local: number } {
  return { notifies: wakers.get(dataSource)?.get(channel)?.sent ?? 0, local: localWakes.get(dataSource)?.get(channel) ?? 0 };
}
