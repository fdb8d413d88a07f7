import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { inScopedTransaction, sitesScope } from '@iop/persistence';
import { aSiteRegistration, eventually, startService, tokenFor, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { Module } from '@nestjs/common';
import type { ServiceName } from '@iop/contracts';
import { PlatformModule } from '@iop/platform';
import { SchedulingModule } from '../src/scheduling.module';

/**
 * Each other service's site directory, exactly as the platform gives it to them (a service never
 * imports another; the end-to-end trace test runs the real five as processes).
 */
function siteDirectoryOf(service: ServiceName) {
  @Module({ imports: [PlatformModule.forService({ service, siteDirectory: true })] })
  class SiteDirectoryOnly {}
  return SiteDirectoryOnly;
}

describe('registering and updating sites', () => {
  let infra: TestInfrastructure;
  let scheduling: INestApplication;
  let directories: Record<string, INestApplication>;
  let admin: string;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    scheduling = await startService(SchedulingModule, 'scheduling');
    directories = {
      intake: await startService(siteDirectoryOf('intake'), 'intake'),
      insurance: await startService(siteDirectoryOf('insurance'), 'insurance'),
      attendance: await startService(siteDirectoryOf('attendance'), 'attendance'),
      aftercare: await startService(siteDirectoryOf('aftercare'), 'aftercare'),
    };
    admin = await tokenFor('network_admin');
  });

  afterAll(async () => {
    for (const app of [scheduling, ...Object.values(directories ?? {})]) await app?.close();
  });

  const register = async (body = aSiteRegistration()) => {
    const res = await request(scheduling.getHttpServer()).post('/sites').set('authorization', `Bearer ${admin}`).send(body).expect(201);
    return res.body as { siteId: string; name: string; revision: number };
  };

  it('a registered site reaches the site directory of all four other services', async () => {
    const site = await register(aSiteRegistration({ timeZone: 'America/Chicago', capacity: 25 }));
    for (const [service, app] of Object.entries(directories)) {
      await eventually(async () => {
        const res = await request(app.getHttpServer()).get(`/site-directory/${site.siteId}`).set('authorization', `Bearer ${admin}`);
        expect({ service, status: res.status }).toEqual({ service, status: 200 });
        expect(res.body).toMatchObject({ siteId: site.siteId, timeZone: 'America/Chicago', capacity: 25, revision: 1 });
      });
    }
  });

  it('an update reaches the directories with its new revision, and the event history is in order', async () => {
    const site = await register();
    await request(scheduling.getHttpServer()).patch(`/sites/${site.siteId}`).set('authorization', `Bearer ${admin}`).send({ capacity: 12 }).expect(200);
    await request(scheduling.getHttpServer())
      .patch(`/sites/${site.siteId}`)
      .set('authorization', `Bearer ${admin}`)
      .send({ timeZone: 'America/Denver' })
      .expect(200);
    await eventually(async () => {
      const res = await request(directories['aftercare']!.getHttpServer())
        .get(`/site-directory/${site.siteId}`)
        .set('authorization', `Bearer ${admin}`)
        .expect(200);
      expect(res.body).toMatchObject({ capacity: 12, timeZone: 'America/Denver', revision: 3 });
    });
    const events = await infra.adminQuery<{ type: string }>(`SELECT type FROM scheduling.outbox WHERE key = $1 ORDER BY seq`, [site.siteId]);
    expect(events.map((e) => e.type)).toEqual(['scheduling.site-registered', 'scheduling.site-updated', 'scheduling.site-updated']);
  });

  it('an update that changes nothing raises no event', async () => {
    const site = await register(aSiteRegistration({ capacity: 30 }));
    await request(scheduling.getHttpServer()).patch(`/sites/${site.siteId}`).set('authorization', `Bearer ${admin}`).send({ capacity: 30 }).expect(200);
    const events = await infra.adminQuery(`SELECT 1 FROM scheduling.outbox WHERE key = $1`, [site.siteId]);
    expect(events).toHaveLength(1);
  });

  it('a second site with the same name is refused with a clear conflict', async () => {
    const body = aSiteRegistration();
    await register(body);
    const res = await request(scheduling.getHttpServer())
      .post('/sites')
      .set('authorization', `Bearer ${admin}`)
      .send({ ...body, name: body.name.toUpperCase() })
      .expect(409);
    expect(res.body.detail).toContain('already exists');
  });

  it('only network admins register sites', async () => {
    const siteAdmin = await tokenFor('site_admin', [crypto.randomUUID()]);
    const res = await request(scheduling.getHttpServer()).post('/sites').set('authorization', `Bearer ${siteAdmin}`).send(aSiteRegistration()).expect(403);
    expect(res.body.detail).toContain('network_admin');
  });

  describe('site isolation', () => {
    it("a token for site A asking for site B's record is refused", async () => {
      const a = await register();
      const b = await register();
      const siteAdminOfA = await tokenFor('site_admin', [a.siteId]);
      await request(scheduling.getHttpServer()).get(`/sites/${a.siteId}`).set('authorization', `Bearer ${siteAdminOfA}`).expect(200);
      const res = await request(scheduling.getHttpServer()).get(`/sites/${b.siteId}`).set('authorization', `Bearer ${siteAdminOfA}`).expect(403);
      expect(res.body.detail).toContain(b.siteId);
    });

    it("a list for site A's admin shows site A only", async () => {
      const a = await register();
      await register();
      const siteAdminOfA = await tokenFor('site_admin', [a.siteId]);
      const res = await request(scheduling.getHttpServer()).get('/sites').set('authorization', `Bearer ${siteAdminOfA}`).expect(200);
      expect(res.body.map((s: { siteId: string }) => s.siteId)).toEqual([a.siteId]);
    });

    it('with the guard bypassed, row-level security still returns nothing of another site', async () => {
      const a = await register();
      const b = await register();
      await eventually(async () => {
        expect(await infra.adminQuery(`SELECT 1 FROM intake.site_directory WHERE site_id = $1`, [b.siteId])).toHaveLength(1);
      });
      // Queries that "forget" the site filter, run as the services' own roles in site A's scope.
      for (const app of [scheduling, directories['intake']!]) {
        const rows = await inScopedTransaction(app.get(DataSource), sitesScope([a.siteId]), (m) =>
          m.query(app === scheduling ? 'SELECT site_id FROM sites' : 'SELECT site_id FROM site_directory'),
        );
        expect(rows.map((r: { site_id: string }) => r.site_id)).toEqual([a.siteId]);
      }
      // And a transaction that sets no scope at all sees nothing.
      const unscoped = await scheduling.get(DataSource).query('SELECT count(*)::int AS n FROM sites');
      expect(unscoped[0].n).toBe(0);
    });

    it("a service's role cannot reach another service's schema", async () => {
      await expect(directories['intake']!.get(DataSource).query('SELECT * FROM scheduling.sites')).rejects.toThrow(/permission denied/);
    });
  });
});
