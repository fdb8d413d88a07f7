/**
 * The reference consumer of the analysts' stream (docs/analytics/README.md): lands analytics.attendance,
 * analytics.attendance-weekly and analytics.site-week into an embedded DuckDB file and prints attendance rate and hours
 * per site and ISO week.
 *   npm run analytics:land                                   follow the stream; print the figures each time it catches up
 *   npm run analytics:land -- --until-idle                   stop once everything published so far is landed
 *   npm run analytics:land -- --file /tmp/a.duckdb --json    another file; figures as JSON lines
 * Options: --brokers host:port,... (default KAFKA_BROKERS, else the development broker), --group <id> (default a new
 * group per run), --idle-ms <n> (how long the stream must stay quiet to count as drained, default 1500).
 *
 * Every run reads the topics from the beginning with a consumer group of its own and upserts (scripts/analytics-landing.ts
 * says how), so landing the same stream twice, or a stream with a backfill in it, leaves the same rows.
 */
import { parseArgs } from 'node:util';
// The kafka-client module alone: the messaging library's index loads the outbox, relay and database layers this consumer has no use for.
import { kafkaBrokers } from '../libs/messaging/src/kafka-client';
import { AnalyticsLanding, ANALYTICS_TOPIC_NAMES, type SiteWeekFigure } from './analytics-landing';

const USAGE = 'usage: npm run analytics:land -- [--file <path>] [--until-idle] [--json] [--brokers <list>] [--group <id>] [--idle-ms <n>]';

function print(rows: readonly SiteWeekFigure[], json: boolean, landed: string): void {
  if (json) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  process.stdout.write(`${landed}\n`);
  if (rows.length === 0) {
    process.stdout.write('no facts yet\n');
    return;
  }
  process.stdout.write(`${['site', 'week', 'patients', 'sessions', 'attended', 'rate', 'hours', 'hours/patient'].join('\t')}\n`);
  for (const r of rows) {
    const rate = `${(r.attendanceRate * 100).toFixed(1)}%`;
    process.stdout.write(`${[r.siteId, r.isoWeek, r.patients, r.sessions, r.attended, rate, r.hours.toFixed(2), r.hoursPerPatient.toFixed(2)].join('\t')}\n`);
  }
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        file: { type: 'string', default: '.run/analytics/attendance.duckdb' },
        'until-idle': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        brokers: { type: 'string' },
        group: { type: 'string' },
        'idle-ms': { type: 'string', default: '1500' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const idleMs = Number(values['idle-ms']);
  if (!Number.isInteger(idleMs) || idleMs < 100) {
    process.stderr.write(`--idle-ms must be a whole number of milliseconds, at least 100\n${USAGE}\n`);
    return 2;
  }
  const brokers = values.brokers ? values.brokers.split(',').map((b) => b.trim()) : kafkaBrokers();
  const landing = await AnalyticsLanding.open({ file: values.file, brokers, ...(values.group ? { groupId: values.group } : {}) });

  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolveStop) => (stop = resolveStop));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (!(await landing.start())) process.stderr.write(`none of ${ANALYTICS_TOPIC_NAMES.join(', ')} exists yet\n`);

  let printedAt = -1;
  const timer = setInterval(() => {
    void (async () => {
      if (Date.now() - landing.lastMessageAt < idleMs || !(await landing.caughtUp())) return;
      if (printedAt !== landing.landed) {
        printedAt = landing.landed;
        const skipped = landing.skipped ? `, skipped ${landing.skipped} of unknown type or version` : '';
        print(await landing.figures(), values.json, `landed ${landing.landed} message(s) into ${landing.file}${skipped}`);
      }
      if (values['until-idle']) stop();
    })().catch((error: unknown) => {
      process.stderr.write(`analytics:land: ${(error as Error).message}\n`);
    });
  }, 250);
  await stopped;
  clearInterval(timer);
  await landing.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`analytics:land failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
