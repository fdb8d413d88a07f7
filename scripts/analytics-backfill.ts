/**
 * Re-publishes the analysts' stream from attendance's tables: every record's fact (same factId, its current revision,
 * the same payload as when it was published live), and every patient-week and site-week row.
 *   npm run analytics:backfill                     all records
 *   npm run analytics:backfill -- --page-size 200  records per transaction (default 500)
 * Use it after a pseudonym key rotation (facts come out under the new key id, with the same factId and revision, so a
 * consumer that upserts by factId replaces the old key), after a new event version, or to fill a new topic.
 *
 * It writes to attendance's outbox, not to Kafka: the attendance service's relay publishes the events (keep it running).
 * The outbox takes each key's lock, so a backfilled fact can never overtake a live correction of the same record, and the
 * events pass the same strict schema check as live ones. Consumers see an event they already have (same factId and
 * revision, same payload), so running it twice changes nothing they hold.
 * Connects as attendance's own role (IOP_ATTENDANCE_DATABASE_URL, else derived from DATABASE_URL as the service does).
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createServiceDataSource } from '@iop/persistence';
import { backfillAnalytics } from '../apps/attendance/src/application/analytics-backfill';
import { analyticsPseudonymiser } from '../apps/attendance/src/application/analytics-stream';

const USAGE = 'usage: npm run analytics:backfill -- [--page-size <n>]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: { 'page-size': { type: 'string', default: '500' } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const pageSize = Number(values['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 5000) {
    process.stderr.write(`--page-size must be a whole number from 1 to 5000\n${USAGE}\n`);
    return 2;
  }
  const pseudonymiser = analyticsPseudonymiser(); // refuses a missing or short key in production before anything is written
  const dataSource = createServiceDataSource('attendance', []);
  await dataSource.initialize();
  const correlationId = `analytics-backfill-${randomUUID()}`;
  const started = Date.now();
  const tty = process.stdout.isTTY;
  try {
    const done = await backfillAnalytics(dataSource, {
      pageSize,
      pseudonymiser,
      correlationId,
      onPage: (count, total) => {
        const line = `analytics:backfill ${count}/${total} records (key ${pseudonymiser.currentKeyId}), ${((Date.now() - started) / 1000).toFixed(1)} s`;
        process.stdout.write(tty ? `\r${line}` : `${line}\n`);
      },
    });
    process.stdout.write(
      `${tty ? '\n' : ''}analytics:backfill done: ${done} facts and their weeks in attendance's outbox (correlation ${correlationId}); the relay publishes them\n`,
    );
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`analytics:backfill failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
