import { DEVELOPMENT_PSEUDONYM_KEYS, parsePseudonymKeys, PseudonymConfigError, Pseudonymiser, pseudonymKeysFromEnv } from './pseudonym';

const PATIENT = '3f1d2c4b-5a69-4786-9a0b-c1d2e3f40516';
const OTHER = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const SECRET_A = 'a'.repeat(16) + 'secret-A-for-tests-only-0123456789';
const SECRET_B = 'b'.repeat(16) + 'secret-B-for-tests-only-0123456789';

describe('pseudonymous patient keys', () => {
  const k1 = new Pseudonymiser(parsePseudonymKeys(`k1:${SECRET_A}`));
  const rotated = new Pseudonymiser(parsePseudonymKeys(`k2:${SECRET_B},k1:${SECRET_A}`));

  it('give a patient the same key every time under one key id', () => {
    expect(k1.keyFor(PATIENT)).toEqual(k1.keyFor(PATIENT));
    expect(k1.keyFor(PATIENT).patientKey).toMatch(/^pk_[0-9a-f]{64}$/);
    expect(k1.keyFor(PATIENT.toUpperCase())).toEqual(k1.keyFor(PATIENT));
  });

  it('give two patients different keys', () => {
    expect(k1.keyFor(PATIENT).patientKey).not.toEqual(k1.keyFor(OTHER).patientKey);
  });

  it('never contain the patient id', () => {
    expect(k1.keyFor(PATIENT).patientKey).not.toContain(PATIENT.replace(/-/g, '').slice(0, 8));
  });

  it('use the first listed key for new events, and a rotated key gives a different key for the same patient', () => {
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.keyFor(PATIENT).keyId).toBe('k2');
    expect(rotated.keyFor(PATIENT).patientKey).not.toEqual(k1.keyFor(PATIENT).patientKey);
    expect(rotated.keyFor(PATIENT, 'k1')).toEqual(k1.keyFor(PATIENT));
  });

  it('match a key to its patient only under the key id it was made with', () => {
    const old = k1.keyFor(PATIENT);
    expect(rotated.matches(PATIENT, old)).toBe(true);
    expect(rotated.matches(OTHER, old)).toBe(false);
    expect(rotated.matches(PATIENT, { ...old, keyId: 'k2' })).toBe(false);
    expect(rotated.matches(PATIENT, { ...old, keyId: 'k9' })).toBe(false);
    expect(rotated.matches(PATIENT, { patientKey: 'pk_short', keyId: 'k1' })).toBe(false);
  });

  it('refuse a malformed key list', () => {
    expect(() => parsePseudonymKeys('')).toThrow(PseudonymConfigError);
    expect(() => parsePseudonymKeys('nosecret')).toThrow(PseudonymConfigError);
    expect(() => parsePseudonymKeys('k1:')).toThrow(PseudonymConfigError);
    expect(() => parsePseudonymKeys(`k1:${SECRET_A},k1:${SECRET_B}`)).toThrow(/twice/);
    expect(parsePseudonymKeys('k1:a:b')[0]!.secret.toString()).toBe('a:b');
  });
});

describe('pseudonymisation keys from the environment', () => {
  it('fall back to the development key outside production', () => {
    expect(pseudonymKeysFromEnv({})).toEqual(parsePseudonymKeys(DEVELOPMENT_PSEUDONYM_KEYS));
  });

  it('are required in production', () => {
    expect(() => pseudonymKeysFromEnv({ NODE_ENV: 'production' })).toThrow(/required in production/);
  });

  it('refuse in production a secret shorter than 32 bytes, even an old one', () => {
    expect(() => pseudonymKeysFromEnv({ NODE_ENV: 'production', ANALYTICS_PSEUDONYM_KEYS: `k2:${SECRET_B},k1:short` })).toThrow(/k1 is 5 bytes/);
  });

  it('refuse the development secret in production', () => {
    expect(() => pseudonymKeysFromEnv({ NODE_ENV: 'production', ANALYTICS_PSEUDONYM_KEYS: DEVELOPMENT_PSEUDONYM_KEYS })).toThrow(/development secret/);
  });

  it('accept 32-byte secrets in production, newest first', () => {
    const keys = pseudonymKeysFromEnv({ NODE_ENV: 'production', ANALYTICS_PSEUDONYM_KEYS: `k2:${SECRET_B}, k1:${SECRET_A}` });
    expect(keys.map((k) => k.keyId)).toEqual(['k2', 'k1']);
  });
});
