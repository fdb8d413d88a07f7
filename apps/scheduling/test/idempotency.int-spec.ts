import type { INestApplication } from '@nestjs/common';
import { createClient } from 'redis';
import request, { type Response } from 'supertest';
import { aSiteRegistration, startService, tokenFor, uniqueName, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { SchedulingModule } from '../src/scheduling.module';

type Redis = ReturnType<typeof createClient>;

describe('POST /sites with an Idempotency-Key', () => {
  let infra: TestInfrastructure;
  let scheduling: INestApplication;
  let redis: Redis;
  let subject: string;
  let admin: string;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    scheduling = await startService(SchedulingModule, 'scheduling');
    redis = createClient({ url: infra.env.redisUrl });
    await redis.connect();
    subject = uniqueName('admin');
    admin = await tokenFor('network_admin', [], subject);
  });

  afterAll(async () => {
    await scheduling?.close();
    if (redis?.isOpen) await redis.quit();
  });

  const aKey = () => crypto.randomUUID();
  const register = (key: string, body: object, token = admin) =>
    request(scheduling.getHttpServer()).post('/sites').set('authorization', `Bearer ${token}`).set('idempotency-key', key).send(body);

  /** What the database holds for sites of these names: the rows and their events. */
  async function stored(...names: string[]): Promise<{ sites: number; events: number }> {
    const [row] = await infra.adminQuery<{ sites: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM scheduling.sites WHERE name = ANY($1)) AS sites,
              (SELECT count(*)::int FROM scheduling.outbox WHERE payload->>'name' = ANY($1)) AS events`,
      [names],
    );
    return row!;
  }

  const replayed = (res: Response) => res.headers['idempotent-replayed'] === 'true';

  it('a retry with the same key and body gets the same answer, replayed, and registers the site once', async () => {
    const key = aKey();
    const body = aSiteRegistration();
    const first = await register(key, body);
    const retry = await register(key, body);

    expect(first.status).toBe(201);
    expect(replayed(first)).toBe(false);
    expect({ status: retry.status, body: retry.body as unknown, replayed: replayed(retry) }).toEqual({
      status: 201,
      body: first.body as unknown,
      replayed: true,
    });
    expect(await stored(body.name)).toEqual({ sites: 1, events: 1 });
  });

  it('the same key with a different body is refused (422) and writes nothing', async () => {
    const key = aKey();
    const original = aSiteRegistration();
    const other = aSiteRegistration();
    await register(key, original).expect(201);

    const res = await register(key, other).expect(422);

    expect((res.body as { detail: string }).detail).toBe('this Idempotency-Key was already used for a different request; use a new key for a new request');
    expect(await stored(other.name)).toEqual({ sites: 0, events: 0 });
  });

  it("another caller's use of the same key is independent of the first caller's", async () => {
    const key = aKey();
    const otherAdmin = await tokenFor('network_admin', [], uniqueName('other-admin'));
    const mine = aSiteRegistration();
    const theirs = aSiteRegistration();

    const first = await register(key, mine).expect(201);
    const second = await register(key, theirs, otherAdmin).expect(201);

    expect(replayed(second)).toBe(false);
    expect((second.body as { siteId: string }).siteId).not.toBe((first.body as { siteId: string }).siteId);
    expect(await stored(mine.name, theirs.name)).toEqual({ sites: 2, events: 2 });
  });

  it('concurrent identical requests with one key register one site; the others wait their turn or get the replay', async () => {
    const key = aKey();
    const body = aSiteRegistration();

    const responses = await Promise.all(Array.from({ length: 5 }, () => register(key, body)));

    const created = responses.filter((r) => r.status === 201 && !replayed(r));
    expect(created).toHaveLength(1);
    for (const res of responses.filter((r) => r !== created[0])) {
      if (res.status === 201) expect({ replayed: replayed(res), body: res.body as unknown }).toEqual({ replayed: true, body: created[0]!.body as unknown });
      else
        expect({ status: res.status, message: (res.body as { detail: string }).detail }).toEqual({
          status: 409,
          message: 'a request with this Idempotency-Key is still being processed; retry in a moment',
        });
    }
    expect(await stored(body.name)).toEqual({ sites: 1, events: 1 });
  });

  it('a request refused by validation can be retried with the same key once the body is fixed', async () => {
    const key = aKey();
    const body = aSiteRegistration();
    await register(key, { ...body, timeZone: 'Eastern' }).expect(400);

    const fixed = await register(key, body).expect(201);
    const retry = await register(key, body).expect(201);

    expect(replayed(fixed)).toBe(false);
    expect(replayed(retry)).toBe(true);
    expect(await stored(body.name)).toEqual({ sites: 1, events: 1 });
  });

  it.each([
    ['contains spaces', 'my key'],
    ['is longer than 255 characters', 'k'.repeat(256)],
    ['is empty', ''],
  ])('a key that %s is refused with 400 and writes nothing', async (_why, key) => {
    const body = aSiteRegistration();
    const res = await register(key, body).expect(400);
    expect((res.body as { detail: string }).detail).toBe('Idempotency-Key must be 1 to 255 visible ASCII characters, e.g. a UUID');
    expect(await stored(body.name)).toEqual({ sites: 0, events: 0 });
  });

  it('the key and its answer are kept for 24 hours', async () => {
    const key = aKey();
    const before = new Set(await redis.keys('idempotency:scheduling:*'));
    await register(key, aSiteRegistration()).expect(201);

    const kept = (await redis.keys('idempotency:scheduling:*')).filter((k) => !before.has(k));
    expect(kept).toHaveLength(1);
    const ttl = await redis.ttl(kept[0]!);
    expect(ttl).toBeGreaterThan(24 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
  });
});
