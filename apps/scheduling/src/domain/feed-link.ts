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

/**
 * A signed link to one patient's calendar feed at one site, for the patient's phone calendar. It names the enrolment
 * too, so it stops with that enrolment (a later enrolment at the same site needs a new link). The signed body starts
 * with `patient`, so a patient's link can never be read as a clinician's, nor a clinician's as a patient's.
 */
export interface PatientFeedLinkClaims {
  readonly patientId: string;
  readonly siteId: string;
  readonly enrolmentId: string;
  /** Expiry, seconds since the epoch. */
  readonly expires: number;
}

export type PatientFeedLinkCheck = { ok: true; claims: PatientFeedLinkClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

export function signPatientFeedLink(claims: PatientFeedLinkClaims, secret: string): string {
  const body = `patient.${claims.patientId}.${claims.siteId}.${claims.enrolmentId}.${claims.expires}`;
  return `${Buffer.from(body).toString('base64url')}.${mac(body, secret)}`;
}

export function verifyPatientFeedLink(token: string, secret: string, now = new Date()): PatientFeedLinkCheck {
  const [encoded, signature, ...rest] = token.split('.');
  if (!encoded || !signature || rest.length > 0) return { ok: false, reason: 'malformed' };
  const body = Buffer.from(encoded, 'base64url').toString('utf8');
  const expected = Buffer.from(mac(body, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  const [kind, patientId, siteId, enrolmentId, expires, ...more] = body.split('.');
  if (kind !== 'patient' || more.length > 0 || ![patientId, siteId, enrolmentId].every((id) => UUID.test(id ?? '')) || !/^\d{1,12}$/.test(expires ?? '')) {
    return { ok: false, reason: 'malformed' };
  }
  if (Number(expires) * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { patientId: patientId!, siteId: siteId!, enrolmentId: enrolmentId!, expires: Number(expires) } };
}
