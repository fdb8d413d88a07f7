import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Pseudonymous patient keys for the analysts' stream (docs/analytics/README.md): HMAC-SHA256 of the platform patient id under
 * a network secret. The same patient gets the same key at every site and in every event while the secret stays; without
 * the secret a key cannot be turned back into a patient id, nor an id into a key. Secrets rotate: ANALYTICS_PSEUDONYM_KEYS
 * lists `keyId:secret` pairs, newest first; events are keyed with the first, and carry its id so that keys made under
 * different secrets are never compared.
 */

export const PSEUDONYM_KEYS_VARIABLE = 'ANALYTICS_PSEUDONYM_KEYS';
/** 256 bits: as long as the HMAC-SHA256 output, so the secret is not the weak link (RFC 2104 section 3). */
export const MIN_SECRET_BYTES = 32;
/** Outside production only: a known secret, so development and tests need no configuration. Refused in production. */
export const DEVELOPMENT_PSEUDONYM_KEYS = 'dev:development-only-pseudonym-secret-not-for-production-use';

/** Domain separation: the same secret used for something else one day can never yield these keys. */
const CONTEXT = 'iop-analytics-patient-key:v1:';

export interface PseudonymKey {
  readonly keyId: string;
  readonly secret: Buffer;
}

export interface PatientPseudonym {
  readonly patientKey: string;
  readonly keyId: string;
}

export class PseudonymConfigError extends Error {}

/** Parses `k2:secretB,k1:secretA` (newest first). Secrets are taken as UTF-8 bytes; a secret may itself contain ':'. */
export function parsePseudonymKeys(text: string): PseudonymKey[] {
  const keys = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(':');
      const keyId = at > 0 ? entry.slice(0, at) : '';
      const secret = at > 0 ? entry.slice(at + 1) : '';
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(keyId))
        throw new PseudonymConfigError(`${PSEUDONYM_KEYS_VARIABLE}: each entry must be "<keyId>:<secret>" with a key id of letters, digits, '_' or '-'`);
      if (!secret) throw new PseudonymConfigError(`${PSEUDONYM_KEYS_VARIABLE}: key ${keyId} has no secret`);
      return { keyId, secret: Buffer.from(secret, 'utf8') };
    });
  if (keys.length === 0) throw new PseudonymConfigError(`${PSEUDONYM_KEYS_VARIABLE} names no key`);
  const ids = keys.map((k) => k.keyId);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new PseudonymConfigError(`${PSEUDONYM_KEYS_VARIABLE}: key id ${twice} appears twice`);
  return keys;
}

/**
 * The keys from the environment. In production the variable is required, and every secret must be at least 32 bytes and
 * not the development one: a service refuses to start rather than publish keys anyone could recompute.
 */
export function pseudonymKeysFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): PseudonymKey[] {
  const production = env['NODE_ENV'] === 'production';
  const text = env[PSEUDONYM_KEYS_VARIABLE]?.trim();
  if (!text) {
    if (production)
      throw new PseudonymConfigError(`${PSEUDONYM_KEYS_VARIABLE} is required in production (e.g. "k1:<at least ${MIN_SECRET_BYTES} random bytes>")`);
    return parsePseudonymKeys(DEVELOPMENT_PSEUDONYM_KEYS);
  }
  const keys = parsePseudonymKeys(text);
  if (production) {
    const development = parsePseudonymKeys(DEVELOPMENT_PSEUDONYM_KEYS)[0]!;
    for (const key of keys) {
      if (key.secret.length < MIN_SECRET_BYTES)
        throw new PseudonymConfigError(
          `${PSEUDONYM_KEYS_VARIABLE}: the secret of key ${key.keyId} is ${key.secret.length} bytes; production needs at least ${MIN_SECRET_BYTES}`,
        );
      if (key.secret.equals(development.secret)) throw new PseudonymConfigError(`${PSEUDONYM_KEYS_VARIABLE}: key ${key.keyId} is the development secret`);
    }
  }
  return keys;
}

export class Pseudonymiser {
  private readonly byId: ReadonlyMap<string, PseudonymKey>;

  constructor(private readonly keys: readonly PseudonymKey[]) {
    if (keys.length === 0) throw new PseudonymConfigError('no pseudonymisation key');
    this.byId = new Map(keys.map((k) => [k.keyId, k]));
  }

  static fromEnv(env?: Readonly<Record<string, string | undefined>>): Pseudonymiser {
    return new Pseudonymiser(pseudonymKeysFromEnv(env));
  }

  /** The id of the key new events are made with (the first listed). */
  get currentKeyId(): string {
    return this.keys[0]!.keyId;
  }

  /** The patient's key under the current key (or the one named). */
  keyFor(patientId: string, keyId = this.currentKeyId): PatientPseudonym {
    const key = this.byId.get(keyId);
    if (!key) throw new PseudonymConfigError(`no pseudonymisation key ${keyId}`);
    return { patientKey: `pk_${this.digest(key, patientId).toString('hex')}`, keyId };
  }

  /**
   * Whether `patientKey` (made under `keyId`) is this patient's. Compares in constant time, so a caller probing keys learns
   * nothing from how long a wrong guess takes. False for an unknown key id or a malformed key.
   */
  matches(patientId: string, pseudonym: PatientPseudonym): boolean {
    const key = this.byId.get(pseudonym.keyId);
    const match = /^pk_([0-9a-f]{64})$/.exec(pseudonym.patientKey);
    if (!key || !match) return false;
    return timingSafeEqual(Buffer.from(match[1]!, 'hex'), this.digest(key, patientId));
  }

  private digest(key: PseudonymKey, patientId: string): Buffer {
    // Ids are UUIDs; upper- and lower-case spellings of one id are one patient.
    return createHmac('sha256', key.secret)
      .update(CONTEXT + patientId.trim().toLowerCase(), 'utf8')
      .digest();
  }
}
