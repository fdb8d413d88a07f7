import type { ConsentTerms } from './consent-terms';
import { decideDisclosure, type DisclosureRequest } from './disclosure-decision';

/*
 * The cases where intake's rule and insurance's copy of it diverged (issue 8, E5). Both services now ask this
 * one function; these pin what it answers.
 */
const day = (iso: string): Date => new Date(`${iso}T12:00:00Z`);

function terms(overrides: Partial<ConsentTerms> = {}): ConsentTerms {
  return {
    id: 'consent-1',
    patient: { patientId: 'pat-1' },
    disclosers: [{ kind: 'program', programId: 'site-boston', name: 'Boston IOP' }],
    recipients: [{ kind: 'named', recipientId: 'cigna', name: 'Cigna' }],
    purposes: [{ kind: 'payment' }],
    information: { kind: 'specific', categories: ['billing-and-claims'] },
    expiry: { kind: 'none' },
    signedAt: day('2025-03-01'),
    ...overrides,
  };
}

function payment(overrides: Partial<DisclosureRequest> = {}): DisclosureRequest {
  return {
    patientId: 'pat-1',
    discloser: { programId: 'site-boston', networkId: 'net-harbor' },
    recipient: { recipientId: 'cigna', name: 'Cigna', classes: ['health-plans'] },
    recordKind: 'billing-and-claims',
    purpose: { kind: 'payment' },
    at: day('2025-06-01'),
    ...overrides,
  };
}

describe('the shared disclosure rule, where intake and insurance used to disagree', () => {
  it('a consent naming a network lets only that network’s programmes disclose, not any network’s', () => {
    const otherNetwork = terms({ disclosers: [{ kind: 'network', networkId: 'net-elsewhere', name: 'Elsewhere Recovery' }] });
    expect(decideDisclosure([otherNetwork], payment())).toMatchObject({ allowed: false, denial: 'discloser-not-covered' });
    const ours = terms({ disclosers: [{ kind: 'network', networkId: 'net-harbor', name: 'Harbor Recovery' }] });
    expect(decideDisclosure([ours], payment({ discloser: { programId: 'site-worcester', networkId: 'net-harbor' } })).allowed).toBe(true);
  });

  it('a consent naming a programme and another network still lets that programme disclose', () => {
    const both = terms({
      disclosers: [
        { kind: 'network', networkId: 'net-elsewhere', name: 'Elsewhere Recovery' },
        { kind: 'program', programId: 'site-boston', name: 'Boston IOP' },
      ],
    });
    expect(decideDisclosure([both], payment())).toMatchObject({ allowed: true, consentId: 'consent-1' });
  });

  it('a consent naming two programmes lets either disclose, and no third', () => {
    const two = terms({
      disclosers: [
        { kind: 'program', programId: 'site-boston', name: 'Boston IOP' },
        { kind: 'program', programId: 'site-worcester', name: 'Worcester IOP' },
      ],
    });
    expect(decideDisclosure([two], payment({ discloser: { programId: 'site-worcester', networkId: 'net-harbor' } })).allowed).toBe(true);
    expect(decideDisclosure([two], payment({ discloser: { programId: 'site-lowell', networkId: 'net-harbor' } }))).toMatchObject({
      denial: 'discloser-not-covered',
    });
  });

  it('a revocation known only by its time (no method) refuses from that moment, not before', () => {
    const revoked = terms({ revocation: { revokedAt: day('2025-05-01') } });
    expect(decideDisclosure([revoked], payment())).toMatchObject({
      denial: 'revoked',
      reason: 'Not allowed: the patient revoked consent consent-1 on 2025-05-01.',
    });
    expect(decideDisclosure([revoked], payment({ at: day('2025-04-30') })).allowed).toBe(true);
  });

  it('a health-plans class covers any payer; billing records need a consent that includes them', () => {
    const byClass = terms({ recipients: [{ kind: 'class', recipientClass: 'health-plans', description: 'health plans' }] });
    expect(decideDisclosure([byClass], payment({ recipient: { recipientId: 'aetna', name: 'Aetna', classes: ['health-plans'] } })).allowed).toBe(true);
    const attendanceOnly = terms({ information: { kind: 'specific', categories: ['attendance'] } });
    expect(decideDisclosure([attendanceOnly], payment())).toMatchObject({ denial: 'information-not-covered' });
  });
});
