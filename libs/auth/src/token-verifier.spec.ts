import { SignJWT, UnsecuredJWT } from 'jose';
import { DEVELOPMENT_SECRET, TokenRejected, TokenVerifier, mintDevelopmentToken, type TokenConfig } from './token-verifier';

const config: TokenConfig = { issuer: 'iop-spec', audience: 'iop-platform-spec', secret: 'a-secret-only-these-specs-know-0123456789' };
const siteA = '0b6f1c2e-4d5a-4b8c-9e7f-1a2b3c4d5e6f';
const siteB = '7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f';

const verifier = () => new TokenVerifier(config);

interface TokenShape {
  /** Private claims; `roles: undefined` leaves the claim out. */
  readonly claims: Record<string, unknown>;
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  readonly expiresAt: number;
}

/** A token as an identity provider would issue it; each override bends one thing. */
function aToken(overrides: Partial<TokenShape> = {}): Promise<string> {
  const claims = JSON.parse(JSON.stringify({ roles: ['clinician'], ...overrides.claims })) as Record<string, unknown>;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('clinician-7')
    .setIssuer(overrides.issuer ?? config.issuer)
    .setAudience(overrides.audience ?? config.audience)
    .setIssuedAt()
    .setExpirationTime(overrides.expiresAt ?? Math.floor(Date.now() / 1000) + 600)
    .sign(new TextEncoder().encode(overrides.secret ?? config.secret));
}

const rejection = async (token: string): Promise<string> => {
  const error: unknown = await verifier()
    .verify(token)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(TokenRejected);
  return (error as TokenRejected).message;
};

describe('TokenVerifier', () => {
  describe('accepts a good HS256 token', () => {
    it('and maps its subject, roles and sites to the caller', async () => {
      const principal = await verifier().verify(await aToken({ claims: { roles: ['clinician', 'intake_coordinator'], sites: [siteA, siteB] } }));
      expect(principal).toEqual({ subject: 'clinician-7', roles: ['clinician', 'intake_coordinator'], siteIds: [siteA, siteB], allSites: false });
    });

    it('gives a network admin every site, whatever sites the token names', async () => {
      const principal = await verifier().verify(await aToken({ claims: { roles: ['network_admin'] } }));
      expect(principal).toMatchObject({ roles: ['network_admin'], siteIds: [], allSites: true });
    });

    it('treats a token without a sites claim as reaching no site', async () => {
      const principal = await verifier().verify(await aToken({ claims: { roles: ['site_admin'] } }));
      expect(principal).toMatchObject({ siteIds: [], allSites: false });
    });

    it('keeps the token id, so that an audit record can name the token used', async () => {
      const token = await mintDevelopmentToken({ subject: 'analyst-1', roles: ['analyst'] }, config);
      const principal = await verifier().verify(token);
      expect(principal.tokenId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('refuses, with a message the caller can act on,', () => {
    it('an expired token', async () => {
      expect(await rejection(await aToken({ expiresAt: Math.floor(Date.now() / 1000) - 60 }))).toBe('the access token has expired: sign in again');
    });

    it('a token signed with another secret', async () => {
      expect(await rejection(await aToken({ secret: 'somebody-elses-secret-0123456789abcdef' }))).toBe(
        'the access token is not valid: its signature or format was rejected',
      );
    });

    it('a token from another issuer', async () => {
      expect(await rejection(await aToken({ issuer: 'someone-else' }))).toMatch(/^the access token is not valid here: .*"iss"/);
    });

    it('a token meant for another audience', async () => {
      expect(await rejection(await aToken({ audience: 'another-platform' }))).toMatch(/^the access token is not valid here: .*"aud"/);
    });

    it('an unsigned token (alg: none)', async () => {
      const unsigned = new UnsecuredJWT({ roles: ['network_admin'] })
        .setSubject('intruder')
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setExpirationTime('1h')
        .encode();
      expect(await rejection(unsigned)).toBe('the access token is not valid: its signature or format was rejected');
    });

    it('a token that is not a JWT at all', async () => {
      expect(await rejection('not-a-token')).toBe('the access token is not valid: its signature or format was rejected');
    });

    it('a token without a roles claim', async () => {
      expect(await rejection(await aToken({ claims: { roles: undefined } }))).toMatch(/^the access token's claims are not valid: roles: /);
    });

    it('a token that grants no role', async () => {
      expect(await rejection(await aToken({ claims: { roles: [] } }))).toBe("the access token's claims are not valid: roles: the token grants no role");
    });

    it('a token with a role the platform does not know', async () => {
      expect(await rejection(await aToken({ claims: { roles: ['superuser'] } }))).toMatch(
        /^the access token's claims are not valid: roles\.0: .*network_admin/,
      );
    });

    it('a token whose sites are not UUIDs', async () => {
      expect(await rejection(await aToken({ claims: { sites: [siteA, 'riverside'] } }))).toMatch(/^the access token's claims are not valid: sites\.1: /);
    });
  });

  describe('configuration', () => {
    const nodeEnv = process.env['NODE_ENV'];
    afterEach(() => {
      if (nodeEnv === undefined) delete process.env['NODE_ENV'];
      else process.env['NODE_ENV'] = nodeEnv;
    });

    it('refuses to start without a secret or a key set', () => {
      expect(() => new TokenVerifier({ issuer: 'x', audience: 'y' })).toThrow(/AUTH_JWKS_URL.*AUTH_JWT_SECRET/);
    });

    it('refuses the development secret in production', () => {
      process.env['NODE_ENV'] = 'production';
      expect(() => new TokenVerifier({ ...config, secret: DEVELOPMENT_SECRET })).toThrow(/must be set in production/);
    });
  });
});
