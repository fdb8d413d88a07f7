import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A signed link to one clinician's calendar feed, for calendar apps that subscribe to a URL and cannot send a bearer
 * token. It names the clinician and their site and when it expires, signed with HMAC-SHA256 under the service's feed
 * secret: it grants reading that one feed and nothing else. Rotating the secret revokes every link at once.
 */
export interface FeedLinkClaims {
  readonly clinicianId: string;
  readonly siteId: string;
  /** Expiry, seconds since the epoch. */
  readonly expires: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function signFeedLink(claims: FeedLinkClaims, secret: string): string {
  const body = `${claims.clinicianId}.${claims.siteId}.${claims.expires}`;
  return `${Buffer.from(body).toString('base64url')}.${mac(body, secret)}`;
}

export type FeedLinkCheck = { ok: true; claims: FeedLinkClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

export function verifyFeedLink(token: string, secret: string, now = new Date()): FeedLinkCheck {
  const [encoded, signature, ...rest] = token.split('.');
  if (!encoded || !signature || rest.length > 0) return { ok: false, reason: 'malformed' };
  const body = Buffer.from(encoded, 'base64url').toString('utf8');
  const expected = Buffer.from(mac(body, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  const [clinicianId, siteId, expires] = body.split('.');
  if (!clinicianId || !siteId || !UUID.test(clinicianId) || !UUID.test(siteId) || !/^\d{1,12}$/.test(expires ?? '')) return { ok: false, reason: 'malformed' };
  if (Number(expires) * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { clinicianId, siteId, expires: Number(expires) } };
}

function mac(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}
