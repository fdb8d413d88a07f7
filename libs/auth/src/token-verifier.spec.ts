import { SignJWT, UnsecuredJWT } from 'jose';
import { DEVELOPMENT_SECRET, TokenRejected, TokenVerifier, mintDevelopmentToken, tokenConfigFromEnv, type TokenConfig } from './token-verifier';

const config: TokenConfig = { issuer: 'iop-spec', audience: 'iop-platform-spec', secret: 'a-secret-only-these-specs-know-0123456789' };
const siteA = '0b6f1c2e-4d5a-4b8c-9e7f-1a2b3c4d5e6f';
const siteB = '7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f';

const verifier = () => new TokenVerifier(config);
const now = () => Math.floor(Date.now() / 1000);
const HOUR = 3600;

interface TokenShape {
  /** Private claims; `roles: undefined` leaves the claim out. */
  readonly claims: Record<string, unknown>;
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  /** `null` leaves the claim out. */
  readonly expiresAt: number | null;
  /** `null` leaves the claim out; default: now. */
  readonly issuedAt: number | null;
}

/** A token as an identity provider would issue it; each override bends one thing. */
function aToken(overrides: Partial<TokenShape> = {}): Promise<string> {
  const claims = JSON.parse(JSON.stringify({ roles: ['clinician'], ...overrides.claims })) as Record<string, unknown>;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('clinician-7')
    .setIssuer(overrides.issuer ?? config.issuer)
    .setAudience(overrides.audience ?? config.audience);
  if (overrides.issuedAt !== null) jwt.setIssuedAt(overrides.issuedAt ?? now());
  if (overrides.expiresAt !== null) jwt.setExpirationTime(overrides.expiresAt ?? now() + 600);
  return jwt.sign(new TextEncoder().encode(overrides.secret ?? config.secret));
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

    it('that expires within the maximum lifetime (12 hours unless configured)', async () => {
      await expect(verifier().verify(await aToken({ issuedAt: now(), expiresAt: now() + 12 * HOUR }))).resolves.toMatchObject({ subject: 'clinician-7' });
    });

    it('without an issued-at time, when it expires within the maximum lifetime from now', async () => {
      await expect(verifier().verify(await aToken({ issuedAt: null, expiresAt: now() + HOUR }))).resolves.toMatchObject({ subject: 'clinician-7' });
    });

    it('minted for development (8 hours)', async () => {
      const token = await mintDevelopmentToken({ subject: 'dev-user', roles: ['clinician'] }, config);
      await expect(verifier().verify(token)).resolves.toMatchObject({ subject: 'dev-user' });
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

    it('a token that never expires (no "exp")', async () => {
      expect(await rejection(await aToken({ expiresAt: null }))).toBe('the access token has no expiry ("exp"): sign in again for a token that expires');
    });

    it('a token that lives longer than the maximum lifetime (exp - iat)', async () => {
      expect(await rejection(await aToken({ issuedAt: now(), expiresAt: now() + 12 * HOUR + 60 }))).toBe(
        'the access token lives too long: tokens may be valid for at most 12 h (43200 s) from issue to expiry',
      );
    });

    it('a token without an issued-at time that expires further ahead than the maximum lifetime (exp - now)', async () => {
      expect(await rejection(await aToken({ issuedAt: null, expiresAt: now() + 30 * 24 * HOUR }))).toMatch(/^the access token lives too long: /);
    });

    it('a token issued long ago, even though it has not expired yet', async () => {
      expect(await rejection(await aToken({ issuedAt: now() - 24 * HOUR, expiresAt: now() + HOUR }))).toMatch(/^the access token lives too long: /);
    });

    it('a token longer-lived than a configured maximum', async () => {
      const strict = new TokenVerifier({ ...config, maxLifetimeSeconds: 15 * 60 });
      const error: unknown = await strict.verify(await aToken({ expiresAt: now() + HOUR })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenRejected);
      expect((error as Error).message).toBe('the access token lives too long: tokens may be valid for at most 15 min (900 s) from issue to expiry');
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

  describe('a token used again (verified once, then remembered)', () => {
    afterEach(() => jest.useRealTimers());

    it('names the same caller on every use', async () => {
      const tokens = verifier();
      const token = await aToken({ claims: { roles: ['intake_coordinator'], sites: [siteA] } });
      const first = await tokens.verify(token);
      await expect(tokens.verify(token)).resolves.toEqual(first);
      expect(first).toMatchObject({ subject: 'clinician-7', roles: ['intake_coordinator'], siteIds: [siteA] });
    });

    it('is refused once it has expired, as a token seen for the first time would be', async () => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      const tokens = verifier();
      const token = await aToken({ expiresAt: now() + 30 });
      await expect(tokens.verify(token)).resolves.toMatchObject({ subject: 'clinician-7' });
      jest.setSystemTime(Date.now() + 31_000);
      const error: unknown = await tokens.verify(token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenRejected);
      expect((error as TokenRejected).message).toBe('the access token has expired: sign in again');
    });

    it('gives a caller that one request cannot change for the next', async () => {
      const tokens = verifier();
      const token = await aToken({ claims: { roles: ['clinician'], sites: [siteA] } });
      const principal = await tokens.verify(token);
      expect(() => (principal.siteIds as string[]).push(siteB)).toThrow(TypeError);
      await expect(tokens.verify(token)).resolves.toMatchObject({ siteIds: [siteA] });
    });

    it('does not remember a token it refused: a good one with the same claims is still accepted', async () => {
      const tokens = verifier();
      await expect(tokens.verify(await aToken({ secret: 'another-secret-0123456789-0123456789' }))).rejects.toBeInstanceOf(TokenRejected);
      await expect(tokens.verify(await aToken())).resolves.toMatchObject({ subject: 'clinician-7' });
    });
  });

  describe('configuration', () => {
    const VARIABLES = ['NODE_ENV', 'AUTH_JWT_SECRET', 'AUTH_JWKS_URL', 'AUTH_ALLOW_HS256_IN_PRODUCTION', 'AUTH_MAX_TOKEN_LIFETIME_SECONDS'] as const;
    const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
    afterEach(() => {
      for (const name of VARIABLES) {
        if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = saved[name];
      }
    });
    /** The service's environment, exactly: what is not named is unset. */
    const environment = (values: Partial<Record<(typeof VARIABLES)[number], string>>) => {
      for (const name of VARIABLES) {
        if (values[name] === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = values[name];
      }
    };
    const JWKS = 'https://login.example.org/realms/iop/protocol/openid-connect/certs';

    it('refuses to start without a secret or a key set', () => {
      expect(() => new TokenVerifier({ issuer: 'x', audience: 'y' })).toThrow(/AUTH_JWKS_URL.*AUTH_JWT_SECRET/);
    });

    it('refuses the development secret in production', () => {
      process.env['NODE_ENV'] = 'production';
      expect(() => new TokenVerifier({ ...config, secret: DEVELOPMENT_SECRET })).toThrow(/must be set in production/);
    });

    describe('in production (NODE_ENV=production)', () => {
      it('starts with an identity provider key set (RS256, AUTH_JWKS_URL)', () => {
        environment({ NODE_ENV: 'production', AUTH_JWKS_URL: JWKS });
        expect(() => new TokenVerifier(tokenConfigFromEnv())).not.toThrow();
      });

      it('refuses to start without a key set, naming AUTH_JWKS_URL', () => {
        environment({ NODE_ENV: 'production' });
        expect(() => new TokenVerifier(tokenConfigFromEnv())).toThrow(/AUTH_JWKS_URL/);
      });

      it('refuses an HS256 secret: a shared secret lets every service that verifies tokens also mint them', () => {
        environment({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'a-long-random-secret-from-a-vault-0123456789' });
        expect(() => new TokenVerifier(tokenConfigFromEnv())).toThrow(
          "AUTH_JWT_SECRET (HS256) is refused in production: set AUTH_JWKS_URL to your identity provider's key set (RS256), or set AUTH_ALLOW_HS256_IN_PRODUCTION=true to accept the risk",
        );
      });

      it('accepts an HS256 secret only when explicitly allowed', () => {
        environment({ NODE_ENV: 'production', AUTH_JWT_SECRET: 'a-long-random-secret-from-a-vault-0123456789', AUTH_ALLOW_HS256_IN_PRODUCTION: 'true' });
        expect(() => new TokenVerifier(tokenConfigFromEnv())).not.toThrow();
      });

      it('never accepts the development secret, allowed or not', () => {
        environment({ NODE_ENV: 'production', AUTH_JWT_SECRET: DEVELOPMENT_SECRET, AUTH_ALLOW_HS256_IN_PRODUCTION: 'true' });
        expect(() => new TokenVerifier(tokenConfigFromEnv())).toThrow(/must be set in production/);
      });

      it('prefers the key set when both are set, so a leftover secret verifies nothing', async () => {
        environment({ NODE_ENV: 'production', AUTH_JWKS_URL: JWKS, AUTH_JWT_SECRET: config.secret! });
        const fromEnv = tokenConfigFromEnv();
        expect(fromEnv.secret).toBeUndefined();
        expect(fromEnv.jwksUrl).toBe(JWKS);
      });
    });

    it('reads the maximum token lifetime from AUTH_MAX_TOKEN_LIFETIME_SECONDS', () => {
      environment({ AUTH_MAX_TOKEN_LIFETIME_SECONDS: '900' });
      expect(tokenConfigFromEnv().maxLifetimeSeconds).toBe(900);
      environment({ AUTH_MAX_TOKEN_LIFETIME_SECONDS: 'a day' });
      expect(() => new TokenVerifier(tokenConfigFromEnv())).toThrow(/AUTH_MAX_TOKEN_LIFETIME_SECONDS must be a positive whole number/);
    });
  });
});
