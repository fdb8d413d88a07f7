import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { connectBrokerControl, readBootstrap, startDevBroker, type DevBroker } from './kafka-dev-broker';

jest.setTimeout(60_000);

const unique = (prefix: string): string => `${prefix}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

const kafkaFor = (broker: DevBroker): Kafka =>
  new Kafka({
    clientId: unique('kafka-dev-broker-spec'),
    brokers: broker.bootstrap,
    logLevel: logLevel.NOTHING,
    // Short, so that an outage surfaces as an error within a second or so.
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
  });

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
};

describe('kafka dev broker (librdkafka mock cluster)', () => {
  let workDir: string;
  let broker: DevBroker;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'kafka-dev-broker-'));
    const topicsFile = join(workDir, 'topics.txt');
    writeFileSync(topicsFile, '# preloaded\nspec.preloaded 2\n');
    broker = await startDevBroker({ brokers: 3, topicsFile, workDir });
  });

  afterAll(async () => {
    await broker?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('starts a 3-broker cluster and publishes its bootstrap list and control port', async () => {
    expect(broker.bootstrap).toHaveLength(3);
    expect(readBootstrap(broker.bootstrapFile)).toEqual(broker.bootstrap);

    const admin = kafkaFor(broker).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    } finally {
      await admin.disconnect();
    }

    // What a Jest worker would do with the file the global setup shares.
    const control = await connectBrokerControl(broker.controlFile);
    await expect(control.ping()).resolves.toBeUndefined();
  });

  it('creates the topics listed in the topics file and on request', async () => {
    const topic = unique('spec.created');
    await broker.control.createTopic(topic, 3);

    await expect(broker.control.topics()).resolves.toEqual(expect.arrayContaining(['spec.preloaded', topic]));
    await expect(broker.control.createTopic(topic, 3)).rejects.toThrow(/TOPIC_ALREADY_EXISTS/);
  });

  it('lets kafkajs produce to a created topic and consume it with a consumer group', async () => {
    const topic = unique('spec.roundtrip');
    await broker.control.createTopic(topic, 3);
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: unique('spec.group'), maxWaitTimeInMs: 200 });
    try {
      await producer.connect();
      await producer.send({
        topic,
        acks: -1,
        messages: ['a', 'b', 'c'].map((key) => ({ key, value: `value-${key}` })),
      });

      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received: string[] = [];
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              received.push(String(message.value));
              if (received.length === 3) resolve();
            },
          })
          .catch(reject);
      });
      expect(received.sort()).toEqual(['value-a', 'value-b', 'value-c']);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('fails produces while all brokers are down and serves them again after up, without a restart', async () => {
    const topic = unique('spec.outage');
    await broker.control.createTopic(topic, 1);
    const kafka = kafkaFor(broker);
    const producer: Producer = kafka.producer();
    const admin = kafka.admin();
    try {
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'before' }] });

      await broker.control.down('all');
      try {
        // The mock closes its listeners too: kafkajs gives up after its retries.
        await expect(producer.send({ topic, messages: [{ value: 'during' }] })).rejects.toThrow(/ECONNREFUSED/);
      } finally {
        await broker.control.up('all');
      }

      await producer.send({ topic, messages: [{ value: 'after' }] });

      // Same process, same memory: the message from before the outage is still there.
      await admin.connect();
      const [offsets] = await admin.fetchTopicOffsets(topic);
      expect(offsets?.high).toBe('2');
      expect(readBootstrap(broker.bootstrapFile)).toEqual(broker.bootstrap);
    } finally {
      await admin.disconnect();
      await producer.disconnect();
    }
  });
});

describe('stopping the kafka dev broker', () => {
  it('removes the bootstrap and control files and ends the process', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'kafka-dev-broker-'));
    try {
      const broker = await startDevBroker({ brokers: 1, workDir });
      expect(existsSync(broker.bootstrapFile)).toBe(true);
      expect(existsSync(broker.controlFile)).toBe(true);

      await broker.stop();

      expect(existsSync(broker.bootstrapFile)).toBe(false);
      expect(existsSync(broker.controlFile)).toBe(false);
      expect(isRunning(broker.pid)).toBe(false);
      await expect(broker.stop()).resolves.toBeUndefined();
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
