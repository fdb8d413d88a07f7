/**
 * Sends a service's dead letters back to the topics they came from, once their cause is fixed.
 *   npm run dlq:replay -- --service intake
 *   npm run dlq:replay -- --service intake --event-id <uuid> [--event-id <uuid> ...]
 * Without --event-id it replays what no earlier full replay has sent back; with it, exactly those
 * events. Consumers skip events they already processed (their inbox), so a second replay is harmless.
 * Brokers: KAFKA_BROKERS, else the development broker's bootstrap file (see kafkaBrokers()).
 */
import { parseArgs } from 'node:util';
import { SERVICES, deadLetterTopic, type ServiceName } from '@iop/contracts';
import { createKafka, describeError, kafkaBrokers, replayDeadLetters, type Log } from '@iop/messaging';

const USAGE = 'usage: npm run dlq:replay -- --service <service> [--event-id <uuid> ...] [--timeout-ms <ms>]';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Command {
  readonly service: ServiceName;
  readonly eventIds: string[] | undefined;
  readonly timeoutMs: number;
}

/** The command line, or what is wrong with it. */
function parseCommand(args: string[]): Command | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        service: { type: 'string' },
        'event-id': { type: 'string', multiple: true },
        'timeout-ms': { type: 'string', default: '30000' },
      },
    }));
  } catch (error) {
    return (error as Error).message;
  }
  const service = values.service;
  if (!service) return '--service is required: whose dead-letter topic to replay';
  if (!(SERVICES as readonly string[]).includes(service)) return `unknown service "${service}"; services are: ${SERVICES.join(', ')}`;
  const eventIds = values['event-id'];
  const malformed = (eventIds ?? []).filter((id) => !UUID.test(id));
  if (malformed.length > 0) return `--event-id takes an event id (a UUID, the ce_id header); not: ${malformed.join(', ')}`;
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return `--timeout-ms must be a positive whole number of milliseconds, not "${values['timeout-ms']}"`;
  return { service: service as ServiceName, eventIds: eventIds && [...new Set(eventIds.map((id) => id.toLowerCase()))], timeoutMs };
}

// What was replayed goes to stdout, one line each; everything else (kafkajs warnings) to stderr.
const log: Log = {
  debug: () => undefined,
  info: (fields, message) => {
    const { eventId, topic } = fields as { eventId?: string; topic?: string };
    if (message === 'dead letter replayed') process.stdout.write(`replayed ${eventId ?? '(no ce_id)'} to ${topic}\n`);
    else process.stderr.write(`${message ?? ''} ${JSON.stringify(fields)}\n`);
  },
  warn: (fields, message) => process.stderr.write(`warning: ${message ?? ''} ${JSON.stringify(fields)}\n`),
  error: (fields, message) => process.stderr.write(`error: ${message ?? ''} ${JSON.stringify(fields)}\n`),
};

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  if (typeof command === 'string') {
    process.stderr.write(`${command}\n${USAGE}\n`);
    return 2;
  }
  const topic = deadLetterTopic(command.service);
  const kafka = createKafka(`iop-dlq-replay-${command.service}`, log, kafkaBrokers());
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
  await producer.connect();
  try {
    const result = await replayDeadLetters({
      kafka,
      producer,
      deadLetterTopic: topic,
      log,
      timeoutMs: command.timeoutMs,
      ...(command.eventIds ? { eventIds: command.eventIds } : {}),
    });
    process.stdout.write(`${topic}: replayed ${result.replayed}, skipped ${result.skipped}\n`);
    const missing = command.eventIds ? command.eventIds.length - result.replayed : 0;
    if (missing > 0) {
      process.stderr.write(`${missing} of the requested event ids were not found in ${topic}\n`);
      return 1;
    }
    return 0;
  } finally {
    await producer.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`dlq:replay failed: ${describeError(error)}\n`);
    process.exit(1);
  },
);
