import { signFeedLink, signPatientFeedLink, verifyFeedLink, verifyPatientFeedLink } from './feed-link';

const claims = { clinicianId: '0b9f6a4e-3c1d-4f5e-8a7b-1c2d3e4f5a6b', siteId: '5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c', expires: 1_900_000_000 };
const now = new Date(1_800_000_000_000);

describe('a signed calendar feed link', () => {
  it('verifies with the secret it was signed with, and gives back whose feed it opens', () => {
    expect(verifyFeedLink(signFeedLink(claims, 'secret'), 'secret', now)).toEqual({ ok: true, claims });
  });

  it('is refused under another secret (a rotated secret revokes every link)', () => {
    expect(verifyFeedLink(signFeedLink(claims, 'old'), 'new', now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('is refused once expired', () => {
    expect(verifyFeedLink(signFeedLink(claims, 'secret'), 'secret', new Date(claims.expires * 1000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('cannot be pointed at another clinician without the secret', () => {
    const [, signature] = signFeedLink(claims, 'secret').split('.');
    const forged = `${Buffer.from(`${claims.siteId}.${claims.siteId}.${claims.expires}`).toString('base64url')}.${signature}`;
    expect(verifyFeedLink(forged, 'secret', now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each(['', 'abc', 'a.b.c', '..'])('refuses %j as malformed or unsigned', (token) => {
    expect(verifyFeedLink(token, 'secret', now).ok).toBe(false);
  });
});

describe("a signed link to a patient's calendar feed", () => {
  const patient = {
    patientId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    siteId: claims.siteId,
    enrolmentId: '9f8e7d6c-5b4a-4938-8271-6f5e4d3c2b1a',
    expires: claims.expires,
  };

  it('verifies with its secret and gives back the patient, site and enrolment it opens', () => {
    expect(verifyPatientFeedLink(signPatientFeedLink(patient, 'secret'), 'secret', now)).toEqual({ ok: true, claims: patient });
  });

  it('is refused under another secret, and once expired', () => {
    expect(verifyPatientFeedLink(signPatientFeedLink(patient, 'old'), 'new', now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyPatientFeedLink(signPatientFeedLink(patient, 'secret'), 'secret', new Date(patient.expires * 1000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('cannot be pointed at another patient with the same signature', () => {
    const [, signature] = signPatientFeedLink(patient, 'secret').split('.');
    const body = `patient.${claims.clinicianId}.${patient.siteId}.${patient.enrolmentId}.${patient.expires}`;
    expect(verifyPatientFeedLink(`${Buffer.from(body).toString('base64url')}.${signature}`, 'secret', now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it("is never a clinician's link, and a clinician's link is never a patient's", () => {
    expect(verifyFeedLink(signPatientFeedLink(patient, 'secret'), 'secret', now).ok).toBe(false);
    expect(verifyPatientFeedLink(signFeedLink(claims, 'secret'), 'secret', now)).toEqual({ ok: false, reason: 'malformed' });
  });
});
