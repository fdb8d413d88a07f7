import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';

/**
 * Times a consumer's transactions at the moment COMMIT has returned, which is when an effect is
 * really there for readers. A handler only runs inside the transaction, so it marks its manager
 * with the event's time, and the clock reads the marks once the transaction that used that manager
 * has committed: one per event, several when the consumer applies a batch in one transaction.
 * Duplicate deliveries are never marked, so they are never timed; a transaction that rolled back
 * reports nothing (an event rolled back to its savepoint in a batch that committed is marked again
 * when it is applied alone, and counted once per commit that carried it).
 *
 * It listens to the commits TypeORM reports on one DataSource (as a subscriber, so every way the consumer
 * opens a transaction is seen: its batch transaction, and the lone event's `inScopedTransaction`), and times
 * each transaction from the moment its query runner was made. Nothing else in the process shares that DataSource.
 */
export class CommitClock {
  private readonly marks = new WeakMap<EntityManager, number[]>();
  private readonly opened = new WeakMap<QueryRunner, number>();

  constructor(private readonly onCommit: (eventTimesMs: readonly number[], committedAtMs: number, transactionMs: number) => void) {}

  /** Called by the handler, inside the transaction. */
  mark(manager: EntityManager, eventTimeMs: number): void {
    const marks = this.marks.get(manager);
    if (marks) marks.push(eventTimeMs);
    else this.marks.set(manager, [eventTimeMs]);
  }

  attach(dataSource: DataSource): void {
    const createQueryRunner = dataSource.createQueryRunner.bind(dataSource);
    const opened = this.opened;
    Object.defineProperty(dataSource, 'createQueryRunner', {
      value: (...args: Parameters<DataSource['createQueryRunner']>) => {
        const runner = createQueryRunner(...args);
        opened.set(runner, performance.now());
        return runner;
      },
      configurable: true,
      writable: true,
    });
    const { marks, onCommit } = this;
    const subscriber: EntitySubscriberInterface = {
      // TypeORM reports savepoints too; only the outermost commit makes the effects visible.
      afterTransactionCommit({ queryRunner }) {
        if (queryRunner.isTransactionActive) return;
        const committedAt = Date.now();
        const eventTimes = marks.get(queryRunner.manager);
        marks.delete(queryRunner.manager);
        if (eventTimes) onCommit(eventTimes, committedAt, performance.now() - (opened.get(queryRunner) ?? performance.now()));
      },
      afterTransactionRollback({ queryRunner }) {
        if (!queryRunner.isTransactionActive) marks.delete(queryRunner.manager);
      },
    };
    (dataSource.subscribers as EntitySubscriberInterface[]).push(subscriber);
  }
}
