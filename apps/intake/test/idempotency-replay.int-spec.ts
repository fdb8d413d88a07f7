import type { INestApplication } from '@nestjs/common';
import { createClient } from 'redis';
import request from 'supertest';
import { startService, tokenFor, uniqueName, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { IntakeModule } from '../src/intake.module';
import { aCaller, aReferral, intakeKit, type Kit } from './intake-test-kit';

type Redis = ReturnType<typeof createClient>;

/**
 * An Idempotency-Key replay hands back a stored answer without running the command: it must only reach
 * someone allowed to read it, hold nothing readable in Redis, and be audited like the read it is.
 */
describe('Idempotency-Key replays of answers that hold PHI', () => {
  let infra: TestInfrastructure;
  let intake: INestApplication;
  let kit: Kit;
  let redis: Redis;
  let siteA: string;
  let siteB: string;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    intake = await startService(IntakeModule, 'intake');
    kit = await intakeKit(infra, intake);
    [siteA, siteB] = [await kit.site(), await kit.site()];
    redis = createClient({ url: infra.env.redisUrl });
    await redis.connect();
  });

  afterAll(async () => {
    await kit?.close();
    await intake?.close();
    if (redis?.isOpen) await redis.quit();
  });

  const http = () => request(intake.getHttpServer());
  const contact = (referralId: string, token: string, key: string) =>
    http().post(`/referrals/${referralId}/contact`).set('authorization', `Bearer ${token}`).set('idempotency-key', key).send({});
  const referAt = async (siteId: string, token: string, caller = aCaller()) =>
    (await http().post('/referrals').set('authorization', `Bearer ${token}`).send(aReferral(siteId, { caller })).expect(201)).body as {
      referralId: string;
      patientId: string;
    };

  it("a token for site A with the same subject and key never gets site B's answer", async () => {
    const subject = uniqueName('coordinator');
    const atB = await tokenFor('intake_coordinator', [siteB], subject);
    const atA = await tokenFor('intake_coordinator', [siteA], subject);
    const referral = await referAt(siteB, atB);
    const key = crypto.randomUUID();

    await contact(referral.referralId, atB, key).expect(200);
    const fromA = await contact(referral.referralId, atA, key);

    expect(fromA.headers['idempotent-replayed']).toBeUndefined();
    expect(fromA.status).toBe(404);
    expect(JSON.stringify(fromA.body)).not.toContain(referral.patientId);
  });

  it('a replay to the same caller is audited as a read of the patient it shows', async () => {
    const subject = uniqueName('coordinator');
    const token = await tokenFor('intake_coordinator', [siteA], subject);
    const referral = await referAt(siteA, token);
    const key = crypto.randomUUID();
    const first = await contact(referral.referralId, token, key).expect(200);

    const replay = await contact(referral.referralId, token, key).expect(200);

    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const audited = await infra.adminQuery<{ actor: string; action: string; resource: string; site_id: string }>(
      `SELECT actor, action, resource, site_id FROM intake.audit_log WHERE patient_id = $1 AND resource LIKE 'idempotent-replay:%'`,
      [referral.patientId],
    );
    expect(audited).toEqual([{ actor: subject, action: 'read', resource: `idempotent-replay:POST /referrals/${referral.referralId}/contact`, site_id: siteA }]);
  });

  it('what Redis keeps names neither the caller nor the key, and holds no readable PHI', async () => {
    const subject = uniqueName('coordinator');
    const token = await tokenFor('intake_coordinator', [siteA], subject);
    const caller = aCaller();
    const key = crypto.randomUUID();
    const before = new Set(await redis.keys('idempotency:intake:*'));

    await http().post('/referrals').set('authorization', `Bearer ${token}`).set('idempotency-key', key).send(aReferral(siteA, { caller })).expect(201);

    const added = (await redis.keys('idempotency:intake:*')).filter((k) => !before.has(k));
    expect(added).toHaveLength(1);
    expect(added[0]).not.toContain(subject);
    expect(added[0]).not.toContain(key);
    const stored = (await redis.get(added[0]!))!;
    for (const phi of [caller.givenName, caller.familyName, caller.dateOfBirth, caller.phone]) expect(stored).not.toContain(phi);
    const ttl = await redis.ttl(added[0]!);
    expect(ttl).toBeGreaterThan(24 * 3600 - 60);
  });
});
