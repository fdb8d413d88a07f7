import { signFeedLink, verifyFeedLink } from './feed-link';

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
