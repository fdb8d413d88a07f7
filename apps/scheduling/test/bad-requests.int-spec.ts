import { Module, type INestApplication } from '@nestjs/common';
import { SignJWT } from 'jose';
import request, { type Response } from 'supertest';
import { tokenConfigFromEnv } from '@iop/auth';
import { PlatformModule } from '@iop/platform';
import { aSiteRegistration, eventually, startService, tokenFor, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { SchedulingModule } from '../src/scheduling.module';

/** Intake's site directory as the platform provides it; a service test may not import another service's module. */
@Module({ imports: [PlatformModule.forService({ service: 'intake', siteDirectory: true })] })
class IntakeSiteDirectory {}

interface Writes {
  sites: number;
  outbox: number;
  directory: number;
}

describe('bad requests are refused with a clear 4xx and change nothing', () => {
  let infra: TestInfrastructure;
  let scheduling: INestApplication;
  let intake: INestApplication;
  let admin: string;
  let existingSiteId: string;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    scheduling = await startService(SchedulingModule, 'scheduling');
    intake = await startService(IntakeSiteDirectory, 'intake');
    admin = await tokenFor('network_admin');
    const res = await request(scheduling.getHttpServer()).post('/sites').set('authorization', `Bearer ${admin}`).send(aSiteRegistration()).expect(201);
    existingSiteId = (res.body as { siteId: string }).siteId;
    // Settled before the tests count rows: the directory copy arrives through Kafka.
    await eventually(async () => expect(await writes()).toMatchObject({ sites: 1, outbox: 1, directory: 1 }));
  });

  afterAll(async () => {
    await scheduling?.close();
    await intake?.close();
  });

  async function writes(): Promise<Writes> {
    const [row] = await infra.adminQuery<Writes>(
      `SELECT (SELECT count(*)::int FROM scheduling.sites) AS sites,
              (SELECT count(*)::int FROM scheduling.outbox) AS outbox,
              -- Intake's directory also fills from other test files' events on the shared topic; only this file's sites count.
              (SELECT count(*)::int FROM intake.site_directory d JOIN scheduling.sites s USING (site_id)) AS directory`,
    );
    return row!;
  }

  /** Sends a request and checks what the caller gets back: the status, the error's shape, the words that say what to fix; and that nothing was written. */
  async function refused(send: () => request.Test, status: number, ...mustSay: Array<string | RegExp>): Promise<Response> {
    const before = await writes();
    const res = await send();
    expect({ status: res.status, body: res.body as unknown }).toEqual({
      status,
      body: expect.objectContaining({
        type: expect.any(String),
        title: expect.any(String),
        status,
        detail: expect.any(String),
        instance: expect.any(String),
        requestId: expect.any(String),
      }),
    });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((res.body as { requestId: string }).requestId).toBe(res.headers['x-request-id']);
    for (const words of mustSay) expect((res.body as { detail: string }).detail).toMatch(words);
    expect(await writes()).toEqual(before);
    return res;
  }

  const http = () => request(scheduling.getHttpServer());
  const postSite = (body: unknown, token = admin) =>
    http()
      .post('/sites')
      .set('authorization', `Bearer ${token}`)
      .send(body as object);
  const withField = (field: string, value: unknown) => ({ ...aSiteRegistration(), [field]: value });

  /** A token signed the way the platform's are, but with one thing changed. */
  const tokenWith = (change: Partial<{ secret: string; issuer: string; audience: string; expiresAt: number; roles: string[] }>) => {
    const config = tokenConfigFromEnv();
    return new SignJWT({ roles: change.roles ?? ['network_admin'], sites: [] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('bad-request-spec')
      .setIssuer(change.issuer ?? config.issuer)
      .setAudience(change.audience ?? config.audience)
      .setIssuedAt()
      .setExpirationTime(change.expiresAt ?? Math.floor(Date.now() / 1000) + 600)
      .sign(new TextEncoder().encode(change.secret ?? config.secret));
  };

  describe('the body', () => {
    it('malformed JSON is a 400 saying the body is not valid JSON, with the request id to quote', async () => {
      const res = await refused(
        () =>
          http()
            .post('/sites')
            .set('authorization', `Bearer ${admin}`)
            .set('x-request-id', 'support-ticket-1234')
            .set('content-type', 'application/json')
            .send('{"name": "Riverside",'),
        400,
        'not valid JSON',
      );
      expect((res.body as { requestId: string }).requestId).toBe('support-ticket-1234');
    });

    it.each(['gzip', 'deflate', 'br'])('a body sent with Content-Encoding %s is a 415 asking for it uncompressed', async (encoding) => {
      await refused(
        () =>
          http()
            .post('/sites')
            .set('authorization', `Bearer ${admin}`)
            .set('content-type', 'application/json')
            .set('content-encoding', encoding)
            .send(JSON.stringify(aSiteRegistration())),
        415,
        'uncompressed',
      );
    });

    it('a body that is not JSON is a 415 asking for JSON', async () => {
      await refused(
        () => http().post('/sites').set('authorization', `Bearer ${admin}`).set('content-type', 'text/plain').send('name=Riverside'),
        415,
        'application/json',
      );
    });

    it('a NUL character in any text field is a 400 naming the field, however deep', async () => {
      const body = aSiteRegistration();
      await refused(() => postSite({ ...body, name: 'River\u0000side' }), 400, 'name: must not contain a NUL character');
      await refused(() => postSite({ ...body, address: { ...body.address, city: 'Bos\u0000ton' } }), 400, 'address.city: must not contain a NUL character');
    });

    it('fields of the wrong type are named', async () => {
      const body = { ...aSiteRegistration(), name: 42, capacity: 'thirty' };
      await refused(() => postSite(body), 400, /name: .*expected string/, /capacity: .*expected number/);
    });

    it('an unknown top-level field is named rather than silently dropped', async () => {
      await refused(() => postSite(withField('colour', 'blue')), 400, 'unknown field "colour"');
    });

    it('an unknown field inside the address is named with where it is', async () => {
      const body = aSiteRegistration();
      await refused(() => postSite({ ...body, address: { ...body.address, suite: '4B' } }), 400, 'unknown field "suite" in address');
    });

    it('every missing required field is named, and listed in issues for a form to highlight', async () => {
      const res = await refused(() => postSite({ name: 'Only A Name' }), 400, 'address', 'timeZone', 'capacity');
      expect((res.body as { issues: Array<{ field: string }> }).issues.map((i) => i.field).sort()).toEqual(['address', 'capacity', 'timeZone']);
    });

    it('a time zone that is not an IANA zone is refused with an example of one', async () => {
      await refused(() => postSite(withField('timeZone', 'Mars/Olympus_Mons')), 400, 'timeZone: must be an IANA time zone such as "America/New_York"');
    });

    it('a negative capacity is refused', async () => {
      await refused(() => postSite(withField('capacity', -1)), 400, /capacity: .*>=\s*0/);
    });

    it('a fractional capacity is refused', async () => {
      await refused(() => postSite(withField('capacity', 12.5)), 400, 'capacity must be a whole number of patients');
    });

    it('a body over the size limit is a 413', async () => {
      await refused(() => postSite(withField('notes', 'x'.repeat(70 * 1024))), 413, 'larger than this endpoint accepts');
    });
  });

  describe('the token', () => {
    it('none: 401 asking the caller to sign in with a bearer token', async () => {
      await refused(() => http().post('/sites').send(aSiteRegistration()), 401, 'Authorization: Bearer <token>');
    });

    it('not a bearer token: 401 naming the expected scheme', async () => {
      await refused(() => http().post('/sites').set('authorization', 'Basic YWRtaW46YWRtaW4=').send(aSiteRegistration()), 401, 'must be "Bearer <token>"');
    });

    it('expired: 401 asking to sign in again', async () => {
      const expired = await tokenWith({ expiresAt: Math.floor(Date.now() / 1000) - 60 });
      await refused(() => postSite(aSiteRegistration(), expired), 401, 'expired: sign in again');
    });

    it('forged with another secret: 401, signature rejected', async () => {
      const forged = await tokenWith({ secret: 'not-the-platform-secret-0123456789abcdef' });
      await refused(() => postSite(aSiteRegistration(), forged), 401, 'signature');
    });

    it('granting a role the platform does not know: 401 naming the roles claim', async () => {
      const superuser = await tokenWith({ roles: ['superuser'] });
      await refused(() => postSite(aSiteRegistration(), superuser), 401, /roles\.0: .*network_admin/);
    });

    it('granting no role: 401 saying so', async () => {
      const roleless = await tokenWith({ roles: [] });
      await refused(() => postSite(aSiteRegistration(), roleless), 401, 'the token grants no role');
    });

    it('issued by someone else: 401 naming the issuer claim', async () => {
      const foreign = await tokenWith({ issuer: 'https://login.example.org' });
      await refused(() => postSite(aSiteRegistration(), foreign), 401, '"iss"');
    });

    it('meant for another audience: 401 naming the audience claim', async () => {
      const elsewhere = await tokenWith({ audience: 'billing-platform' });
      await refused(() => postSite(aSiteRegistration(), elsewhere), 401, '"aud"');
    });
  });

  describe('the path', () => {
    it('PATCH of a site that does not exist: 404 naming it', async () => {
      const unknown = crypto.randomUUID();
      await refused(() => http().patch(`/sites/${unknown}`).set('authorization', `Bearer ${admin}`).send({ capacity: 10 }), 404, `there is no site ${unknown}`);
    });

    it('a path id that is not a UUID: 400 naming the parameter', async () => {
      await refused(() => http().patch('/sites/riverside').set('authorization', `Bearer ${admin}`).send({ capacity: 10 }), 400, 'siteId: must be a UUID');
      await refused(() => http().get('/sites/42').set('authorization', `Bearer ${admin}`), 400, 'siteId: must be a UUID');
    });

    it('a PATCH that changes nothing at all (empty body): 400 asking for a field', async () => {
      await refused(() => http().patch(`/sites/${existingSiteId}`).set('authorization', `Bearer ${admin}`).send({}), 400, 'name at least one field to change');
      await refused(() => http().patch(`/sites/${existingSiteId}`).set('authorization', `Bearer ${admin}`), 400, 'name at least one field to change');
    });

    it("intake's site directory asked for a site it does not know: 404 naming the site and what to do", async () => {
      const unknown = crypto.randomUUID();
      const res = await refused(
        () => request(intake.getHttpServer()).get(`/site-directory/${unknown}`).set('authorization', `Bearer ${admin}`),
        404,
        `site ${unknown} is not known to intake: check the site id, or register the site in scheduling first`,
      );
      expect(res.body).toMatchObject({ title: 'Not Found', status: 404, code: 'site.unknown' });
    });
  });
});
