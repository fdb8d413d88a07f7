import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { aSiteRegistration, eventually, startService, tokenFor, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { SchedulingModule } from '../src/scheduling.module';

/** A port nothing listens on (taken from the OS, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A Redis of this test's own, on its own port, that the test can stop: the machine's shared Redis
 * (6379) serves other test runs and is never touched.
 */
async function startPrivateRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await eventually(
    () =>
      new Promise<void>((resolve, reject) => {
        const probe = createServer().listen(port, '127.0.0.1');
        // Listening succeeds only while the port is free, i.e. redis-server is not up yet.
        probe.once('listening', () => probe.close(() => reject(new Error('redis-server not listening yet'))));
        probe.once('error', () => resolve());
      }),
    { timeoutMs: 10_000 },
  );
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('scheduling while Redis is away', () => {
  let infra: TestInfrastructure;
  let scheduling: INestApplication;
  let redis: ChildProcess | undefined;
  let admin: string;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    const port = await freePort();
    redis = await startPrivateRedis(port);
    process.env['REDIS_URL'] = `redis://127.0.0.1:${port}/0`;
    scheduling = await startService(SchedulingModule, 'scheduling');
    admin = await tokenFor('network_admin');
  });

  afterAll(async () => {
    await scheduling?.close();
    await stop(redis);
  });

  const post = (body: object, key?: string) => {
    const req = request(scheduling.getHttpServer()).post('/sites').set('authorization', `Bearer ${admin}`);
    return (key ? req.set('idempotency-key', key) : req).send(body);
  };
  const sitesNamed = async (name: string) =>
    (await infra.adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM scheduling.sites WHERE name = $1`, [name]))[0]!.n;

  it('works with an Idempotency-Key while its Redis is up', async () => {
    await post(aSiteRegistration(), crypto.randomUUID()).expect(201);
  });

  describe('once Redis has gone', () => {
    beforeAll(async () => {
      await stop(redis);
    });

    it('answers a POST with an Idempotency-Key 503 within a second or two, and writes nothing', async () => {
      const body = aSiteRegistration();
      const started = Date.now();
      const res = await post(body, crypto.randomUUID());
      const tookMs = Date.now() - started;

      expect(res.status).toBe(503);
      expect((res.body as { detail: string }).detail).toContain('Redis unavailable');
      expect(tookMs).toBeLessThan(2000);
      expect(await sitesNamed(body.name)).toBe(0);
    });

    it('answers every such request fast, also while the client keeps trying to reconnect', async () => {
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        await post(aSiteRegistration(), crypto.randomUUID()).expect(503);
        expect(Date.now() - started).toBeLessThan(2000);
        await new Promise((r) => setTimeout(r, 700));
      }
    });

    it('still serves a POST without an Idempotency-Key', async () => {
      const body = aSiteRegistration();
      await post(body).expect(201);
      expect(await sitesNamed(body.name)).toBe(1);
    });

    it('stays ready (200, "degraded", naming redis) and live', async () => {
      const res = await request(scheduling.getHttpServer()).get('/health/ready').expect(200);
      expect(res.body).toEqual({ status: 'degraded', checks: { postgres: 'up', redis: 'down', kafka: 'up' } });
      await request(scheduling.getHttpServer()).get('/health/live').expect(200);
    });
  });
});

describe('scheduling started while its Redis cannot be reached at all', () => {
  let scheduling: INestApplication;

  beforeAll(async () => {
    await useTestInfrastructure();
    process.env['REDIS_URL'] = `redis://127.0.0.1:${await freePort()}/0`;
    scheduling = await startService(SchedulingModule, 'scheduling');
  });

  afterAll(async () => {
    await scheduling?.close();
  });

  it('starts, answers an Idempotency-Key request 503 at once, and is ready', async () => {
    const admin = await tokenFor('network_admin');
    const started = Date.now();
    await request(scheduling.getHttpServer())
      .post('/sites')
      .set('authorization', `Bearer ${admin}`)
      .set('idempotency-key', crypto.randomUUID())
      .send(aSiteRegistration())
      .expect(503);
    expect(Date.now() - started).toBeLessThan(2000);
    const res = await request(scheduling.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body).toMatchObject({ status: 'degraded', checks: { postgres: 'up', redis: 'down' } });
  });
});
