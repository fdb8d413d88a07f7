/**
 * The events a service's relay set aside because Kafka refused them for good (too large, not authorised):
 *   npm run outbox:parked -- --service intake                  lists them, oldest first
 *   npm run outbox:parked -- --service intake --requeue <seq>  hands one back to the relay (after the cause is fixed,
 *                                                              e.g. the broker's message.max.bytes raised)
 *   npm run outbox:parked -- --service intake --requeue all
 * Connects as the service's own role (DATABASE_URL and the service's password, as the service does).
 */
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { SERVICES } from '@iop/contracts';
import { serviceDatabaseUrl } from '@iop/persistence';

const USAGE = 'usage: npm run outbox:parked -- --service <service> [--requeue <seq>|all]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: { service: { type: 'string' }, requeue: { type: 'string' } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const service = values.service;
  if (!service || !(SERVICES as readonly string[]).includes(service)) {
    process.stderr.write(`--service must be one of: ${SERVICES.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const requeue = values.requeue;
  if (requeue !== undefined && requeue !== 'all' && !/^\d+$/.test(requeue)) {
    process.stderr.write(`--requeue takes a seq number from the list, or "all"\n${USAGE}\n`);
    return 2;
  }
  const client = new Client({ connectionString: serviceDatabaseUrl(service) });
  await client.connect();
  try {
    if (requeue !== undefined) {
      const { rowCount } = await client.query(
        `UPDATE ${service}.outbox SET parked_at = NULL WHERE parked_at IS NOT NULL AND published_at IS NULL AND ($1::bigint IS NULL OR seq = $1::bigint)`,
        [requeue === 'all' ? null : requeue],
      );
      process.stdout.write(`handed ${rowCount ?? 0} parked event(s) back to the relay\n`);
      return 0;
    }
    const { rows } = await client.query<{ seq: string; id: string; type: string; topic: string; key: string; parked_at: Date; last_error: string }>(
      `SELECT seq, id, type, topic, key, parked_at, last_error FROM ${service}.outbox
        WHERE parked_at IS NOT NULL AND published_at IS NULL ORDER BY seq`,
    );
    if (rows.length === 0) process.stdout.write(`${service}: no parked events\n`);
    for (const r of rows) process.stdout.write(`${r.seq}\t${r.parked_at.toISOString()}\t${r.type}\t${r.topic}\tkey=${r.key}\tid=${r.id}\t${r.last_error}\n`);
    return 0;
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`outbox:parked failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
