import { Client } from 'pg';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { eventually, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { Outbox, OutboxRelay, outboxChannel, relayWakesSent } from '../src';
import { MemoryLog } from './support/memory-log';
import { probeEvent, range, uniqueKeys, type Probe } from './support/test-events';
import { provisionTestSchema, type TestSchema } from './support/test-schema';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Issue 8 D4: a NOTIFY in every writer transaction serialised the commits of all of them, server-wide. No relay leads in this process here, so writers NOTIFY. */
describe('waking the relay after writers commit', () => {
  let infra: TestInfrastructure;
  let db: TestSchema;
  let outbox: Outbox;
  let listener: Client;
  let heard: number[];
  const event = probeEvent('msgtest.wake.unused-topic');

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    db = await provisionTestSchema(infra);
    outbox = new Outbox(db.schema);
    listener = new Client({ connectionString: db.connectionString });
    await listener.connect();
    listener.on('notification', () => heard.push(Date.now()));
    await listener.query(`LISTEN ${outboxChannel(db.schema)}`);
  });

  beforeEach(() => {
    heard = [];
  });

  afterAll(async () => {
    await listener?.end();
    await db?.dispose();
  });

  const wakesSent = () => relayWakesSent(db.dataSource, outboxChannel(db.schema)).notifies;
  /** No wake still on its way from an earlier test. */
  const quiet = async () => {
    let before: number;
    do {
      before = wakesSent();
      await sleep(100);
    } while (wakesSent() !== before);
    heard = [];
  };

  it('sends one wake-up for a transaction however many events it adds, and only once it has committed', async () => {
    await quiet();
    const [key] = uniqueKeys(1) as [string];
    const before = wakesSent();
    let heardBeforeCommit = -1;
    await inScopedTransaction(db.dataSource, ALL_SITES, async (manager) => {
      for (const seq of range(20)) await outbox.add(manager, event, { key, seq });
      await outbox.addMany(
        manager,
        event,
        range(5).map((seq): Probe => ({ key, seq: 20 + seq })),
      );
      await sleep(200);
      heardBeforeCommit = heard.length;
    });

    await eventually(() => expect(heard).toHaveLength(1));
    await sleep(200);
    expect(heard).toHaveLength(1);
    expect(heardBeforeCommit).toBe(0);
    expect(wakesSent() - before).toBe(1);
    expect(await db.count('outbox', 'key = $1', [key])).toBe(25);
  });

  it('sends no wake-up for a transaction that rolled back', async () => {
    await quiet();
    const [key] = uniqueKeys(1) as [string];
    const before = wakesSent();
    await expect(
      inScopedTransaction(db.dataSource, ALL_SITES, async (manager) => {
        await outbox.add(manager, event, { key, seq: 1 });
        throw new Error('the command failed after adding its event');
      }),
    ).rejects.toThrow('the command failed');

    await sleep(300);
    expect(heard).toEqual([]);
    expect(wakesSent()).toBe(before);
    expect(await db.count('outbox', 'key = $1', [key])).toBe(0);
  });

  it('folds the wake-ups of many concurrent transactions into fewer, the last one sent after the last commit', async () => {
    await quiet();
    const keys = uniqueKeys(40);
    const before = wakesSent();
    let lastCommit = 0;
    await Promise.all(
      keys.map(async (key) => {
        await inScopedTransaction(db.dataSource, ALL_SITES, (manager) => outbox.add(manager, event, { key, seq: 1 }));
        lastCommit = Math.max(lastCommit, Date.now());
      }),
    );

    await eventually(() => expect(heard.at(-1)).toBeGreaterThanOrEqual(lastCommit));
    const sent = wakesSent() - before;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThan(keys.length);
    expect(await db.count('outbox', 'key = ANY($1::text[])', [keys])).toBe(keys.length);
  });

  it('sends no NOTIFY inside the writer transaction, so notifying does not serialise writers’ commits', async () => {
    await quiet();
    const [key] = uniqueKeys(1) as [string];
    const statements: string[] = [];
    await inScopedTransaction(db.dataSource, ALL_SITES, async (manager) => {
      const query = manager.query.bind(manager);
      jest.spyOn(manager, 'query').mockImplementation((sql: string, parameters?: unknown[]) => {
        statements.push(sql);
        return query(sql, parameters);
      });
      await outbox.add(manager, event, { key, seq: 1 });
    });

    expect(statements).toHaveLength(1);
    expect(statements.join('\n')).not.toMatch(/notify/i);
    await eventually(() => expect(heard).toHaveLength(1));
  });

  it('wakes a relay leading in the same process with a call, and sends no NOTIFY', async () => {
    await quiet();
    const sends: number[] = [];
    const producer = { sendBatch: () => Promise.resolve(void sends.push(Date.now())) };
    const relay = new OutboxRelay({
      schema: db.schema,
      dataSource: db.dataSource,
      connectionString: db.connectionString,
      producer: producer as never,
      log: new MemoryLog(),
      // So long that only a wake-up can explain a prompt publish.
      pollIntervalMs: 60_000,
    });
    relay.start();
    try {
      await eventually(async () => expect((await relay.backlog()).count).toBe(0));
      const [key] = uniqueKeys(1) as [string];
      const before = relayWakesSent(db.dataSource, outboxChannel(db.schema));
      const committed = await inScopedTransaction(db.dataSource, ALL_SITES, (manager) => outbox.add(manager, event, { key, seq: 1 })).then(() => Date.now());

      await eventually(async () => expect(await db.count('outbox', 'key = $1 AND published_at IS NOT NULL', [key])).toBe(1), { timeoutMs: 5_000 });
      expect(sends.at(-1)).toBeGreaterThanOrEqual(committed);
      const after = relayWakesSent(db.dataSource, outboxChannel(db.schema));
      expect(after.local - before.local).toBe(1);
      expect(after.notifies).toBe(before.notifies);
      expect(heard).toEqual([]);
    } finally {
      await relay.stop();
    }
  });
});
