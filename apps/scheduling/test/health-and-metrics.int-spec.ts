import { Module, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PlatformModule } from '@iop/platform';
import { aSiteRegistration, eventually, itWithDevBroker, startService, tokenFor, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { SchedulingModule } from '../src/scheduling.module';

/** Intake's site directory as the platform provides it; a service test may not import another service's module. */
@Module({ imports: [PlatformModule.forService({ service: 'intake', siteDirectory: true })] })
class IntakeSiteDirectory {}

/** The value of the first sample of `name` carrying all of `labels`, as Prometheus would scrape it; undefined if there is none. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{.*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (wanted.every((pair) => (match[2] ?? '').includes(pair))) return Number(match[3]);
  }
  return undefined;
}

describe('health and metrics', () => {
  let infra: TestInfrastructure;
  let scheduling: INestApplication;
  let intake: INestApplication;
  let admin: string;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    scheduling = await startService(SchedulingModule, 'scheduling');
    intake = await startService(IntakeSiteDirectory, 'intake');
    admin = await tokenFor('network_admin');
  });

  afterAll(async () => {
    await infra?.broker?.up('all');
    await scheduling?.close();
    await intake?.close();
  });

  const metricsOf = async (app: INestApplication) => (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
  const registerSite = async (body = aSiteRegistration()) =>
    (await request(scheduling.getHttpServer()).post('/sites').set('authorization', `Bearer ${admin}`).send(body).expect(201)).body as { siteId: string };
  const inIntakeDirectory = (siteId: string) =>
    eventually(async () => expect(await infra.adminQuery(`SELECT 1 FROM intake.site_directory WHERE site_id = $1`, [siteId])).toHaveLength(1));

  describe('health', () => {
    it('/health/live answers 200 without a token', async () => {
      const res = await request(scheduling.getHttpServer()).get('/health/live').expect(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('/health/ready answers 200 when Postgres, Redis and Kafka are all up', async () => {
      const res = await request(scheduling.getHttpServer()).get('/health/ready').expect(200);
      expect(res.body).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up', kafka: 'up' } });
    });

    it('shows each dependency as up in iop_dependency_up', async () => {
      const text = await metricsOf(scheduling);
      for (const dependency of ['postgres', 'redis', 'kafka']) expect(sample(text, 'iop_dependency_up', { dependency, service: 'scheduling' })).toBe(1);
    });

    it('the public endpoints ignore a bad token rather than refuse the probe', async () => {
      for (const path of ['/health/live', '/health/ready', '/metrics']) {
        await request(scheduling.getHttpServer()).get(path).set('authorization', 'Bearer not-a-token').expect(200);
      }
    });
  });

  describe('/metrics', () => {
    it('is Prometheus text, served without a token', async () => {
      const res = await request(scheduling.getHttpServer()).get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain;/);
      expect(res.headers['content-type']).toContain('version=0.0.4');
      expect(sample(res.text, 'process_cpu_user_seconds_total', { service: 'scheduling' })).toBeGreaterThanOrEqual(0);
    });

    it('times HTTP requests by method, route and the status the caller got, failures included', async () => {
      await registerSite();
      await request(scheduling.getHttpServer()).post('/sites').set('authorization', `Bearer ${admin}`).send({ name: 'No Address' }).expect(400);
      await request(scheduling.getHttpServer())
        .patch(`/sites/${crypto.randomUUID()}`)
        .set('authorization', `Bearer ${admin}`)
        .send({ capacity: 3 })
        .expect(404);

      await eventually(async () => {
        const text = await metricsOf(scheduling);
        expect(sample(text, 'iop_http_request_duration_seconds_count', { method: 'POST', route: '/sites', status: '201' })).toBeGreaterThanOrEqual(1);
        expect(sample(text, 'iop_http_request_duration_seconds_count', { method: 'POST', route: '/sites', status: '400' })).toBeGreaterThanOrEqual(1);
        expect(sample(text, 'iop_http_request_duration_seconds_count', { method: 'PATCH', route: '/sites/:siteId', status: '404' })).toBeGreaterThanOrEqual(1);
      });
    });

    it('shows the outbox backlog and the age of its oldest unpublished event', async () => {
      await registerSite();
      // The relay publishes within moments; once it has, nothing is waiting.
      await eventually(async () => {
        const text = await metricsOf(scheduling);
        expect(sample(text, 'iop_outbox_backlog', { service: 'scheduling' })).toBe(0);
        expect(sample(text, 'iop_outbox_oldest_age_seconds', { service: 'scheduling' })).toBe(0);
      });
    });

    it("shows a consumer's lag per partition, back at 0 once it has caught up with a site event", async () => {
      const site = await registerSite();
      await inIntakeDirectory(site.siteId);
      await eventually(async () => {
        const lags = (await metricsOf(intake))
          .split('\n')
          .filter((line) => line.startsWith('iop_consumer_lag{') && line.includes('service="intake"') && line.includes('topic="scheduling.sites"'))
          .map((line) => ({ partition: /partition="(\d+)"/.exec(line)?.[1], lag: Number(line.split(' ').pop()) }));
        // One gauge per partition the consumer has fetched from, each naming its partition of the topic's three.
        expect(lags.length).toBeGreaterThanOrEqual(1);
        for (const { partition, lag } of lags) {
          expect(['0', '1', '2']).toContain(partition);
          expect(lag).toBe(0);
        }
      });
    });

    it('counts dead letters by consumer, topic and reason', async () => {
      expect(await metricsOf(intake)).toContain('# TYPE iop_dead_letters_total counter');
      // Intake's copy refuses this one site, so its event is retried, then dead-lettered; other sites pass.
      const poisoned = aSiteRegistration({ name: `Unstorable ${crypto.randomUUID()}` });
      await infra.adminQuery(`ALTER TABLE intake.site_directory ADD CONSTRAINT spec_refuses_one_site CHECK (name <> '${poisoned.name}')`);
      const labels = { service: 'intake', topic: 'scheduling.sites', reason: 'retries-exhausted' };
      const before = sample(await metricsOf(intake), 'iop_dead_letters_total', labels) ?? 0;
      try {
        await registerSite(poisoned);
        await eventually(async () => expect(sample(await metricsOf(intake), 'iop_dead_letters_total', labels)).toBe(before + 1), { timeoutMs: 30_000 });
      } finally {
        await infra.adminQuery(`ALTER TABLE intake.site_directory DROP CONSTRAINT spec_refuses_one_site`);
      }
      // The consumer moved on: the next site arrives.
      await inIntakeDirectory((await registerSite()).siteId);
    });
  });

  describe('when Kafka goes away', () => {
    itWithDevBroker(
      'readiness stays 200 and says "degraded" naming kafka, liveness holds, the outbox holds what could not be sent, and all recover',
      async () => {
        const broker = infra.broker!;
        // Liveness would fail for a consumer down this long if Kafka answered; a broker outage must not count.
        process.env['IOP_CONSUMER_DEAD_AFTER_MS'] = '2000';
        await broker.down('all');
        try {
          const res = await request(scheduling.getHttpServer()).get('/health/ready').expect(200);
          expect(res.body).toEqual({ status: 'degraded', checks: { postgres: 'up', redis: 'up', kafka: 'down' } });
          const text = await metricsOf(scheduling);
          expect(sample(text, 'iop_dependency_up', { dependency: 'kafka' })).toBe(0);
          expect(sample(text, 'iop_dependency_up', { dependency: 'postgres' })).toBe(1);
          expect(sample(text, 'iop_dependency_up', { dependency: 'redis' })).toBe(1);

          // Commands still succeed: their events wait in the outbox, and the backlog says so.
          await registerSite();
          const after = await metricsOf(scheduling);
          expect(sample(after, 'iop_outbox_backlog', { service: 'scheduling' })).toBeGreaterThanOrEqual(1);
          expect(sample(after, 'iop_outbox_oldest_age_seconds', { service: 'scheduling' })).toBeGreaterThan(0);

          // Intake's consumer loses its group; past the (shortened) dead-after time both processes are still live.
          await new Promise((r) => setTimeout(r, 8000));
          await request(scheduling.getHttpServer()).get('/health/live').expect(200);
          await request(intake.getHttpServer()).get('/health/live').expect(200);
          await request(intake.getHttpServer()).get('/health/ready').expect(200);
        } finally {
          await broker.up('all');
          delete process.env['IOP_CONSUMER_DEAD_AFTER_MS'];
        }
        await eventually(async () => {
          const res = await request(scheduling.getHttpServer()).get('/health/ready');
          expect({ status: res.status, body: res.body as unknown }).toEqual({
            status: 200,
            body: { status: 'ready', checks: { postgres: 'up', redis: 'up', kafka: 'up' } },
          });
        });
        expect(sample(await metricsOf(scheduling), 'iop_dependency_up', { dependency: 'kafka' })).toBe(1);
        await eventually(async () => expect(sample(await metricsOf(scheduling), 'iop_outbox_backlog', { service: 'scheduling' })).toBe(0), {
          timeoutMs: 30_000,
        });
        // Intake's consumer rejoins its group too (about one session timeout) and events flow again.
        await inIntakeDirectory((await registerSite()).siteId);
      },
    );
  });
});
