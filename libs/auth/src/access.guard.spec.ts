import { BadRequestException, ForbiddenException, UnauthorizedException, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SignJWT } from 'jose';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Access, AccessGuard, Public, type AuthenticatedRequest } from './access.guard';
import type { Role } from './roles';
import { TokenVerifier, mintDevelopmentToken, type TokenConfig } from './token-verifier';

const config: TokenConfig = { issuer: 'iop-spec', audience: 'iop-platform-spec', secret: 'a-secret-only-these-specs-know-0123456789' };
const siteA = '0b6f1c2e-4d5a-4b8c-9e7f-1a2b3c4d5e6f';
const siteB = '7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f';

/** Routes as a service would declare them; the guard reads their metadata like Nest does. */
class ReferralsRoutes {
  @Access({ roles: ['intake_coordinator', 'clinician'] })
  list() {}

  @Access({ roles: ['clinician'], site: { from: 'param', name: 'siteId' } })
  bySiteInPath() {}

  @Access({ roles: ['intake_coordinator'], site: { from: 'body', name: 'siteId' } })
  bySiteInBody() {}

  @Access({ roles: ['analyst', 'clinician'], site: { from: 'query', name: 'site' } })
  bySiteInQuery() {}

  @Public()
  health() {}

  forgotten() {}
}

@Access({ roles: ['site_admin'] })
class SiteAdminRoutes {
  inherited() {}

  @Access({ roles: ['analyst'] })
  overridden() {}
}

const guard = () => new AccessGuard(new Reflector(), new TokenVerifier(config));

const bearer = async (roles: readonly Role[], sites: readonly string[] = []) =>
  `Bearer ${await mintDevelopmentToken({ subject: 'user-1', roles, sites }, config)}`;

function aRequest(
  parts: { authorization?: string; params?: Record<string, string>; query?: Record<string, unknown>; body?: unknown } = {},
): AuthenticatedRequest {
  return {
    headers: parts.authorization === undefined ? {} : { authorization: parts.authorization },
    params: parts.params ?? {},
    query: parts.query ?? {},
    body: parts.body,
  };
}

/** The context Nest hands a guard for an HTTP call to `routes.method`. */
function httpCall<T>(routes: Type<T>, method: keyof T & string, request: AuthenticatedRequest): ExecutionContextHost {
  const handler = routes.prototype[method] as () => void;
  const context = new ExecutionContextHost([request, {}, () => undefined], routes, handler);
  context.setType('http');
  return context;
}

const refusal = async (run: Promise<boolean>) => {
  const error: unknown = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return error as Error;
};

describe('AccessGuard', () => {
  describe('routes', () => {
    it('a route without an access rule is closed, even to a network admin', async () => {
      const error = await refusal(guard().canActivate(httpCall(ReferralsRoutes, 'forgotten', aRequest({ authorization: await bearer(['network_admin']) }))));
      expect(error).toBeInstanceOf(ForbiddenException);
      expect(error.message).toBe('this endpoint declares no access rule and is closed');
    });

    it('a public route is open without a token', async () => {
      await expect(guard().canActivate(httpCall(ReferralsRoutes, 'health', aRequest()))).resolves.toBe(true);
    });

    it("a route without its own rule takes its controller's", async () => {
      const g = guard();
      await expect(g.canActivate(httpCall(SiteAdminRoutes, 'inherited', aRequest({ authorization: await bearer(['site_admin']) })))).resolves.toBe(true);
      await expect(g.canActivate(httpCall(SiteAdminRoutes, 'inherited', aRequest({ authorization: await bearer(['analyst']) })))).rejects.toThrow(
        'this action needs one of the roles: site_admin',
      );
    });

    it("a route's own rule overrides its controller's", async () => {
      const g = guard();
      await expect(g.canActivate(httpCall(SiteAdminRoutes, 'overridden', aRequest({ authorization: await bearer(['analyst']) })))).resolves.toBe(true);
      await expect(g.canActivate(httpCall(SiteAdminRoutes, 'overridden', aRequest({ authorization: await bearer(['site_admin']) })))).rejects.toThrow(
        'this action needs one of the roles: analyst',
      );
    });

    it('leaves calls that are not HTTP (Kafka, RPC) to their own transport', async () => {
      const context = new ExecutionContextHost([{}], ReferralsRoutes, ReferralsRoutes.prototype.forgotten);
      context.setType('rpc');
      await expect(guard().canActivate(context)).resolves.toBe(true);
    });
  });

  describe('authentication', () => {
    it('asks a caller without a token to sign in', async () => {
      const error = await refusal(guard().canActivate(httpCall(ReferralsRoutes, 'list', aRequest())));
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect(error.message).toBe('sign in: send an access token as "Authorization: Bearer <token>"');
    });

    it('refuses an Authorization header that is not a bearer token', async () => {
      const error = await refusal(guard().canActivate(httpCall(ReferralsRoutes, 'list', aRequest({ authorization: 'Basic dXNlcjpwYXNz' }))));
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect(error.message).toBe('the Authorization header must be "Bearer <token>"');
    });

    it("passes on the verifier's reason for refusing a token", async () => {
      const forged = await mintDevelopmentToken({ subject: 'user-1', roles: ['clinician'] }, { ...config, secret: 'somebody-elses-secret-0123456789abcdef' });
      const error = await refusal(guard().canActivate(httpCall(ReferralsRoutes, 'list', aRequest({ authorization: `Bearer ${forged}` }))));
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect(error.message).toBe('the access token is not valid: its signature or format was rejected');
    });

    it('answers 401 to a token that never expires', async () => {
      const eternal = await new SignJWT({ roles: ['network_admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('user-1')
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setIssuedAt()
        .sign(new TextEncoder().encode(config.secret));
      const error = await refusal(guard().canActivate(httpCall(ReferralsRoutes, 'list', aRequest({ authorization: `Bearer ${eternal}` }))));
      expect(error).toBeInstanceOf(UnauthorizedException);
      expect(error.message).toBe('the access token has no expiry ("exp"): sign in again for a token that expires');
    });

    it('accepts the scheme in any case, as HTTP allows', async () => {
      const token = (await bearer(['clinician'])).replace('Bearer', 'bearer');
      await expect(guard().canActivate(httpCall(ReferralsRoutes, 'list', aRequest({ authorization: token })))).resolves.toBe(true);
    });

    it('puts the verified caller on the request for the unit of work and the audit trail', async () => {
      const request = aRequest({ authorization: await bearer(['clinician'], [siteA]) });
      await guard().canActivate(httpCall(ReferralsRoutes, 'list', request));
      expect(request.principal).toMatchObject({ subject: 'user-1', roles: ['clinician'], siteIds: [siteA], allSites: false });
    });
  });

  describe('roles', () => {
    it('lets in a caller holding one of the roles the route names', async () => {
      await expect(guard().canActivate(httpCall(ReferralsRoutes, 'list', aRequest({ authorization: await bearer(['analyst', 'clinician']) })))).resolves.toBe(
        true,
      );
    });

    it('refuses a caller without any of them, naming the roles needed', async () => {
      const error = await refusal(guard().canActivate(httpCall(ReferralsRoutes, 'list', aRequest({ authorization: await bearer(['analyst']) }))));
      expect(error).toBeInstanceOf(ForbiddenException);
      expect(error.message).toBe('this action needs one of the roles: intake_coordinator, clinician');
    });
  });

  describe('site scope', () => {
    it('from a path parameter: own site in, another site out with the site named', async () => {
      const g = guard();
      const clinicianOfA = await bearer(['clinician'], [siteA]);
      await expect(
        g.canActivate(httpCall(ReferralsRoutes, 'bySiteInPath', aRequest({ authorization: clinicianOfA, params: { siteId: siteA } }))),
      ).resolves.toBe(true);
      const error = await refusal(
        g.canActivate(httpCall(ReferralsRoutes, 'bySiteInPath', aRequest({ authorization: clinicianOfA, params: { siteId: siteB } }))),
      );
      expect(error).toBeInstanceOf(ForbiddenException);
      expect(error.message).toBe(`your access does not include site ${siteB}`);
    });

    it('from the body', async () => {
      const g = guard();
      const coordinatorOfA = await bearer(['intake_coordinator'], [siteA]);
      await expect(
        g.canActivate(httpCall(ReferralsRoutes, 'bySiteInBody', aRequest({ authorization: coordinatorOfA, body: { siteId: siteA, note: 'x' } }))),
      ).resolves.toBe(true);
      await expect(
        g.canActivate(httpCall(ReferralsRoutes, 'bySiteInBody', aRequest({ authorization: coordinatorOfA, body: { siteId: siteB } }))),
      ).rejects.toThrow(`your access does not include site ${siteB}`);
    });

    it('from the query string', async () => {
      const g = guard();
      const analystOfA = await bearer(['analyst'], [siteA]);
      await expect(g.canActivate(httpCall(ReferralsRoutes, 'bySiteInQuery', aRequest({ authorization: analystOfA, query: { site: siteA } })))).resolves.toBe(
        true,
      );
      await expect(g.canActivate(httpCall(ReferralsRoutes, 'bySiteInQuery', aRequest({ authorization: analystOfA, query: { site: siteB } })))).rejects.toThrow(
        `your access does not include site ${siteB}`,
      );
    });

    it('a network admin acts on any site', async () => {
      const admin = await bearer(['network_admin', 'clinician']);
      await expect(guard().canActivate(httpCall(ReferralsRoutes, 'bySiteInPath', aRequest({ authorization: admin, params: { siteId: siteB } })))).resolves.toBe(
        true,
      );
    });

    it('the role check comes first: a caller of the right site but the wrong role is refused', async () => {
      const analystOfA = await bearer(['analyst'], [siteA]);
      await expect(
        guard().canActivate(httpCall(ReferralsRoutes, 'bySiteInPath', aRequest({ authorization: analystOfA, params: { siteId: siteA } }))),
      ).rejects.toThrow('this action needs one of the roles: clinician');
    });

    it('a request that names no site is left to validation (the body schema says whether the site is required)', async () => {
      const coordinatorOfA = await bearer(['intake_coordinator'], [siteA]);
      await expect(
        guard().canActivate(httpCall(ReferralsRoutes, 'bySiteInBody', aRequest({ authorization: coordinatorOfA, body: { note: 'x' } }))),
      ).resolves.toBe(true);
    });

    it('a site named twice in the query (?site=A&site=B) is refused, not waved through', async () => {
      const analystOfA = await bearer(['analyst'], [siteA]);
      const error = await refusal(
        guard().canActivate(httpCall(ReferralsRoutes, 'bySiteInQuery', aRequest({ authorization: analystOfA, query: { site: [siteA, siteB] } }))),
      );
      expect(error).toBeInstanceOf(BadRequestException);
      expect(error.message).toBe('site must be a single site id');
    });
  });
});
