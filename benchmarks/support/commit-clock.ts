import type { DataSource, EntityManager } from 'typeorm';

type Work<T> = (manager: EntityManager) => Promise<T>;

/**
 * Times a consumer's transactions at the moment COMMIT has returned, which is when an effect is
 * really there for readers. A handler only runs inside the transaction, so it marks its manager
 * with the event's time, and the clock reads the marks once the transaction that used that manager
 * has committed: one per event, several when the consumer applies a batch in one transaction.
 * Duplicate deliveries are never marked, so they are never timed; a transaction that rolled back
 * reports nothing (an event rolled back to its savepoint in a batch that committed is marked again
 * when it is applied alone, and counted once per commit that carried it).
 *
 * It wraps `DataSource.transaction` on one instance, the call `inScopedTransaction` makes for the
 * consumer; nothing else in the process shares that DataSource.
 */
export class CommitClock {
  private readonly marks = new WeakMap<EntityManager, number[]>();

  constructor(private readonly onCommit: (eventTimesMs: readonly number[], committedAtMs: number, transactionMs: number) => void) {}

  /** Called by the handler, inside the transaction. */
  mark(manager: EntityManager, eventTimeMs: number): void {
    const marks = this.marks.get(manager);
    if (marks) marks.push(eventTimeMs);
    else this.marks.set(manager, [eventTimeMs]);
  }

  attach(dataSource: DataSource): void {
    const original = dataSource.transaction.bind(dataSource) as <T>(work: Work<T>) => Promise<T>;
    const marks = this.marks;
    const onCommit = this.onCommit;
    const timed = async <T>(...args: unknown[]): Promise<T> => {
      const [work] = args;
      if (args.length !== 1 || typeof work !== 'function') throw new Error('CommitClock: only transaction(work) is timed; the consumer calls no other form');
      let used: EntityManager | undefined;
      const started = performance.now();
      const result = await original<T>((manager) => {
        used = manager;
        return (work as Work<T>)(manager);
      });
      const committedAt = Date.now();
      const eventTimes = used ? marks.get(used) : undefined;
      if (eventTimes) onCommit(eventTimes, committedAt, performance.now() - started);
      return result;
    };
    Object.defineProperty(dataSource, 'transaction', { value: timed, configurable: true, writable: true });
  }
}
