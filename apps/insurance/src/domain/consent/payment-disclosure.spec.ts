import { decidePaymentDisclosure, type ConsentCopy, type PaymentDisclosureQuestion } from './payment-disclosure';

/* Insurance's copy of intake's consents, decided by the shared rule: the cases where insurance used to say yes alone. */
function copy(overrides: Partial<ConsentCopy> = {}): ConsentCopy {
  return {
    consentId: 'consent-1',
    patientId: 'pat-1',
    disclosers: [{ kind: 'site', id: 'site-boston' }],
    recipients: [{ kind: 'payer', payerId: 'cigna' }],
    purposes: ['payment'],
    information: 'all-sud-records',
    signedAt: new Date('2025-03-01T12:00:00Z'),
    expiresAt: null,
    revokedAt: null,
    ...overrides,
  };
}

const question: PaymentDisclosureQuestion = {
  siteId: 'site-boston',
  networkId: 'net-harbor',
  patientId: 'pat-1',
  payerId: 'cigna',
  payerName: 'Cigna',
  at: new Date('2025-06-01T12:00:00Z'),
};

describe("insurance's payment disclosure, by the platform's one consent rule", () => {
  it("refuses a consent naming another network (insurance used to accept any network's)", () => {
    const decision = decidePaymentDisclosure([copy({ disclosers: [{ kind: 'network', id: 'net-elsewhere' }] })], question);
    expect(decision).toMatchObject({ allowed: false, denial: 'discloser-not-covered' });
  });

  it('accepts a consent naming the site’s own network', () => {
    expect(decidePaymentDisclosure([copy({ disclosers: [{ kind: 'network', id: 'net-harbor' }] })], question).allowed).toBe(true);
  });

  it('accepts a consent whose second programme is this site (the event used to carry only one discloser)', () => {
    const two = copy({
      disclosers: [
        { kind: 'site', id: 'site-worcester' },
        { kind: 'site', id: 'site-boston' },
      ],
    });
    expect(decidePaymentDisclosure([two], question)).toMatchObject({ allowed: true, consentId: 'consent-1' });
  });

  it('an "other" purpose, which travels without its description, covers nothing', () => {
    expect(decidePaymentDisclosure([copy({ purposes: ['other'] })], question)).toMatchObject({ denial: 'purpose-not-covered' });
  });

  it('refuses from the moment of revocation and after the expiry date', () => {
    expect(decidePaymentDisclosure([copy({ revokedAt: new Date('2025-05-01T00:00:00Z') })], question)).toMatchObject({ denial: 'revoked' });
    expect(decidePaymentDisclosure([copy({ expiresAt: new Date('2025-06-01T12:00:00Z') })], question)).toMatchObject({ denial: 'expired' });
  });
});
