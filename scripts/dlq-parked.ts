/**
 * Keys a service's consumers hold back behind a dead letter (ADR 0002): later events of the key follow the dead letter
 * to the dead-letter topic until it is replayed and applied.
 *   npm run dlq:parked -- --service insurance                        lists them, oldest first
 *   npm run dlq:parked -- --service insurance --discard <event-id>   the head can never be applied: unpark its key,
 *                                                                    then replay the followers with npm run dlq:replay
 * Connects as the service's own role (DATABASE_URL and the service's password, as the service does).
 */
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { SERVICES } from '@iop/contracts';
import { discardParkedHead, listParkedKeys } from '@iop/messaging';
import { serviceDatabaseUrl } from '@iop/persistence';

const USAGE = 'usage: npm run dlq:parked -- --service <service> [--discard <event-id>]';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), options: { service: { type: 'string' }, discard: { type: 'string' } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { service, discard } = values;
  if (!service || !(SERVICES as readonly string[]).includes(service)) {
    process.stderr.write(`--service must be one of: ${SERVICES.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  if (discard !== undefined && !UUID.test(discard)) {
    process.stderr.write(`--discard takes the head's event id (a UUID, as listed)\n${USAGE}\n`);
    return 2;
  }
  const client = new Client({ connectionString: serviceDatabaseUrl(service) });
  await client.connect();
  try {
    if (discard !== undefined) {
      const unparked = await discardParkedHead(client, service, discard);
      process.stdout.write(unparked === 0 ? `no key waits behind ${discard}\n` : `unparked ${unparked} key(s) behind ${discard}\n`);
      return unparked === 0 ? 1 : 0;
    }
    const parked = await listParkedKeys(client, service);
    if (parked.length === 0) process.stdout.write(`${service}: no parked keys\n`);
    for (const p of parked) {
      process.stdout.write(
        `${p.parkedAt.toISOString()}\t${p.consumer}\t${p.topic}\tkey=${p.key}\thead=${p.headEventId} (${p.headType}, ${p.reason})\tfollowers=${p.followers}\n`,
      );
    }
    return 0;
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`dlq:parked failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
