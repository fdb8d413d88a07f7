/**
 * An outbox relay on its own in a process, as it runs inside a service, so that a test can kill it
 * with SIGKILL like a crashed pod. Started by relay-child.ts; configured by environment:
 *   DATABASE_URL      the test database (administrative URL; the relay connects as the service role)
 *   KAFKA_BROKERS     the run's brokers
 *   RELAY_SCHEMA      the service schema whose outbox it publishes
 *   RELAY_BATCH_SIZE  rows per batch
 * It writes `sending <n>` to stdout just before its n-th batch goes to Kafka, so the test knows a
 * batch is in flight (read from the outbox, not yet marked published) when it pulls the plug.
 */
import type { ProducerBatch } from 'kafkajs';
import { createServiceDataSource, serviceDatabaseUrl } from '@iop/persistence';
import { OutboxRelay, createKafka, describeError, type Log } from '../../src';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`relay-process: ${name} is not set`);
  return value;
}

// Logs go to stderr, as JSON lines; stdout carries only the batch markers.
const log: Log = {
  debug: () => undefined,
  info: (fields, message) => process.stderr.write(`${JSON.stringify({ level: 'info', message, ...fields })}\n`),
  warn: (fields, message) => process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...fields })}\n`),
  error: (fields, message) => process.stderr.write(`${JSON.stringify({ level: 'error', message, ...fields })}\n`),
};

async function main(): Promise<void> {
  const schema = required('RELAY_SCHEMA');
  required('DATABASE_URL');
  const dataSource = createServiceDataSource(schema, []);
  await dataSource.initialize();
  const producer = createKafka(`msgtest-relay-${process.pid}`, log).producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
  await producer.connect();

  // Announces each batch, then hands it to the real producer unchanged.
  const sendBatch = producer.sendBatch.bind(producer);
  let batches = 0;
  producer.sendBatch = (batch: ProducerBatch) => {
    process.stdout.write(`sending ${++batches}\n`);
    return sendBatch(batch);
  };

  const relay = new OutboxRelay({
    schema,
    dataSource,
    connectionString: serviceDatabaseUrl(schema),
    producer,
    log,
    batchSize: Number(process.env['RELAY_BATCH_SIZE'] ?? 100),
    pollIntervalMs: 50,
    maxBackoffMs: 500,
  });
  relay.start();
  process.stdout.write('started\n');

  process.once('SIGTERM', () => {
    void relay
      .stop()
      .then(() => producer.disconnect())
      .then(() => dataSource.destroy())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  log.error({ err: describeError(error) }, 'relay-process failed to start');
  process.exit(1);
});
