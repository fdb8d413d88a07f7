import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, SignJWT, errors, type JWTVerifyGetKey, type JWTPayload } from 'jose';
import { z } from 'zod';
import { ROLES, type Principal } from './roles';

export interface TokenConfig {
  readonly issuer: string;
  readonly audience: string;
  /** HS256 shared secret (development). */
  readonly secret?: string;
  /** RS256 key set URL (production): the identity provider's JWKS, e.g. an OIDC issuer's `jwks_uri`. */
  readonly jwksUrl?: string;
  /** In production an HS256 secret is refused unless this is set (AUTH_ALLOW_HS256_IN_PRODUCTION=true). */
  readonly allowHs256InProduction?: boolean;
  /** Longest a token may be valid, from `iat` (or now, when the token has none) to `exp`. Default 12 hours. */
  readonly maxLifetimeSeconds?: number;
}

/** Twelve hours: a clinic's working day. A longer-lived bearer token is a stolen laptop's gift. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;

export function tokenConfigFromEnv(): TokenConfig {
  const jwksUrl = process.env['AUTH_JWKS_URL'] || undefined;
  // With a key set, a secret is ignored: one way to verify, never a fallback that would accept HS256 too.
  const secret = jwksUrl ? undefined : (process.env['AUTH_JWT_SECRET'] ?? DEVELOPMENT_SECRET);
  const maxLifetime = process.env['AUTH_MAX_TOKEN_LIFETIME_SECONDS'];
  return {
    issuer: process.env['AUTH_ISSUER'] ?? 'iop-dev',
    audience: process.env['AUTH_AUDIENCE'] ?? 'iop-platform',
    ...(secret ? { secret } : {}),
    ...(jwksUrl ? { jwksUrl } : {}),
    ...(maxLifetime ? { maxLifetimeSeconds: Number(maxLifetime) } : {}),
    allowHs256InProduction: process.env['AUTH_ALLOW_HS256_IN_PRODUCTION'] === 'true',
  };
}

/** Used only when no secret or key set is configured: never in production (NODE_ENV=production refuses it). */
export const DEVELOPMENT_SECRET = 'iop-development-only-secret-do-not-use-in-production';

const Claims = z.object({
  sub: z.string().min(1),
  roles: z.array(z.enum(ROLES)).min(1, 'the token grants no role'),
  sites: z.array(z.uuid()).default([]),
  jti: z.string().optional(),
});

export class TokenRejected extends Error {}

/** A verified token is trusted again without re-verifying for at most this long (and never past its `exp`). */
export const VERIFIED_TOKEN_REUSE_SECONDS = 5 * 60;
/** Verified tokens remembered at once; the oldest is forgotten first (it is verified again on its next use). */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

interface Verified {
  readonly principal: Principal;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
  /** When to verify it again (ms since the epoch), even though it has not expired. */
  readonly reverifyAt: number;
}

/**
 * Verifies bearer tokens (signature, issuer, audience, expiry, lifetime, claims). Each request carries its token, and
 * verifying one costs far more than the rest of a cheap read's CPU, so a verified token is remembered by the SHA-256 of
 * its text (never the token itself) with the caller it names: reused until it expires (checked on every use, to the
 * second, as jose checks it) and for at most `VERIFIED_TOKEN_REUSE_SECONDS`, after which its signature is checked again
 * (a rotated or withdrawn signing key takes effect within that time, as with jose's own key set cache). Tokens that fail
 * are never remembered.
 */
export class TokenVerifier {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly maxLifetimeSeconds: number;
  private readonly verified = new Map<string, Verified>();

  constructor(private readonly config: TokenConfig) {
    this.maxLifetimeSeconds = config.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
    if (!Number.isInteger(this.maxLifetimeSeconds) || this.maxLifetimeSeconds <= 0) {
      throw new Error(`AUTH_MAX_TOKEN_LIFETIME_SECONDS must be a positive whole number of seconds, not "${String(config.maxLifetimeSeconds)}"`);
    }
    if (config.jwksUrl) {
      this.key = createRemoteJWKSet(new URL(config.jwksUrl));
      this.algorithms = ['RS256'];
    } else if (config.secret) {
      if (process.env['NODE_ENV'] === 'production') {
        if (config.secret === DEVELOPMENT_SECRET) throw new Error('AUTH_JWKS_URL (or AUTH_JWT_SECRET) must be set in production');
        // Every service holding the shared secret could mint any token, network admin included.
        if (!config.allowHs256InProduction) {
          throw new Error(
            "AUTH_JWT_SECRET (HS256) is refused in production: set AUTH_JWKS_URL to your identity provider's key set (RS256), or set AUTH_ALLOW_HS256_IN_PRODUCTION=true to accept the risk",
          );
        }
      }
      this.key = new TextEncoder().encode(config.secret);
      this.algorithms = ['HS256'];
    } else {
      throw new Error('configure AUTH_JWKS_URL (RS256) or AUTH_JWT_SECRET (HS256)');
    }
  }

  async verify(token: string): Promise<Principal> {
    const key = createHash('sha256').update(token).digest('base64');
    const now = Date.now();
    const known = this.verified.get(key);
    if (known) {
      if (Math.floor(now / 1000) >= known.expiresAt) {
        this.verified.delete(key);
        throw new TokenRejected('the access token has expired: sign in again');
      }
      if (now < known.reverifyAt) return known.principal;
      this.verified.delete(key);
    }
    const { principal, expiresAt } = await this.verifySignedToken(token);
    if (this.verified.size >= VERIFIED_TOKEN_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, { principal, expiresAt, reverifyAt: now + VERIFIED_TOKEN_REUSE_SECONDS * 1000 });
    return principal;
  }

  private async verifySignedToken(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    let payload: JWTPayload;
    try {
      const options = { issuer: this.config.issuer, audience: this.config.audience, algorithms: this.algorithms };
      payload = this.key instanceof Uint8Array ? (await jwtVerify(token, this.key, options)).payload : (await jwtVerify(token, this.key, options)).payload;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new TokenRejected('the access token has expired: sign in again');
      if (error instanceof errors.JWTClaimValidationFailed) throw new TokenRejected(`the access token is not valid here: ${error.message}`);
      throw new TokenRejected('the access token is not valid: its signature or format was rejected');
    }
    // jose checks `exp` only when present: a token without one would be valid forever.
    if (typeof payload.exp !== 'number') throw new TokenRejected('the access token has no expiry ("exp"): sign in again for a token that expires');
    const validFrom = typeof payload.iat === 'number' ? payload.iat : Math.floor(Date.now() / 1000);
    if (payload.exp - validFrom > this.maxLifetimeSeconds) {
      throw new TokenRejected(
        `the access token lives too long: tokens may be valid for at most ${humanDuration(this.maxLifetimeSeconds)} (${this.maxLifetimeSeconds} s) from issue to expiry`,
      );
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success)
      throw new TokenRejected(`the access token's claims are not valid: ${claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const { sub, roles, sites, jti } = claims.data;
    // Frozen: one principal answers every request that carries the same token.
    const principal: Principal = Object.freeze({
      subject: sub,
      roles: Object.freeze(roles),
      siteIds: Object.freeze(sites),
      allSites: roles.includes('network_admin'),
      ...(jti ? { tokenId: jti } : {}),
    });
    return { principal, expiresAt: payload.exp };
  }
}

function humanDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** Mints an HS256 token, for development and tests. */
export async function mintDevelopmentToken(
  claims: { subject: string; roles: readonly string[]; sites?: readonly string[]; expiresIn?: string },
  config: TokenConfig = tokenConfigFromEnv(),
): Promise<string> {
  if (!config.secret) throw new Error('minting needs an HS256 secret (AUTH_JWT_SECRET)');
  return new SignJWT({ roles: [...claims.roles], sites: [...(claims.sites ?? [])] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(claims.expiresIn ?? '8h')
    .sign(new TextEncoder().encode(config.secret));
}
