import { REQUIRED_FORM_STATEMENTS, revokeConsent, validateConsent, type Consent, type ConsentDraft, type ConsentInvalid } from './consent';
import { decideDisclosure, REDISCLOSURE_NOTICE, REDISCLOSURE_NOTICE_SHORT, type DisclosureRequest } from '@iop/domain';

const day = (iso: string): Date => new Date(`${iso}T12:00:00Z`);

function completeDraft(overrides: Partial<ConsentDraft> = {}): ConsentDraft {
  return {
    id: 'consent-1',
    patient: { patientId: 'pat-1', name: 'Dana Reyes' },
    disclosers: [{ kind: 'program', programId: 'prog-boston-iop', name: 'Harbor Recovery Boston IOP' }],
    recipients: [{ kind: 'named', recipientId: 'payer-bcbs', name: 'Blue Cross Blue Shield of Massachusetts' }],
    purposes: [{ kind: 'payment' }],
    information: { kind: 'specific', categories: ['attendance', 'diagnosis', 'treatment-plan'] },
    expiry: { kind: 'date', expiresAt: day('2026-03-01') },
    signedAt: day('2025-03-01'),
    signatureMethod: 'electronic',
    signer: { kind: 'patient', name: 'Dana Reyes' },
    formStatements: REQUIRED_FORM_STATEMENTS,
    ...overrides,
  };
}

function consent(overrides: Partial<ConsentDraft> = {}): Consent {
  const result = validateConsent(completeDraft(overrides));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function invalid(draft: ConsentDraft): ConsentInvalid {
  const result = validateConsent(draft);
  if (result.ok) throw new Error('expected the consent to be refused');
  return result.error;
}

function request(overrides: Partial<DisclosureRequest> = {}): DisclosureRequest {
  return {
    patientId: 'pat-1',
    discloser: { programId: 'prog-boston-iop', networkId: 'net-harbor' },
    recipient: { recipientId: 'payer-bcbs', name: 'Blue Cross Blue Shield of Massachusetts', classes: ['health-plans'] },
    recordKind: 'attendance',
    purpose: { kind: 'payment' },
    at: day('2025-06-01'),
    ...overrides,
  };
}

describe('consent validation', () => {
  it('accepts a complete written consent', () => {
    expect(validateConsent(completeDraft()).ok).toBe(true);
  });

  it('names every missing element of an empty form at once', () => {
    const error = invalid({ id: 'consent-1' });
    expect(error.code).toBe('consent.invalid');
    expect(error.issues.map((i) => i.element)).toEqual([
      'patient',
      'discloser',
      'recipient',
      'purpose',
      'information',
      'expiry',
      'signature-time',
      'signature-method',
      'signer',
      'form-statements',
    ]);
    expect(error.issues.every((i) => i.code === 'consent.missing-element')).toBe(true);
    expect(error.message).toBe(
      'This consent cannot be used yet: 10 elements are missing or invalid (patient, discloser, recipient, purpose, ' +
        'information, expiry, signature-time, signature-method, signer, form-statements).',
    );
  });

  it('refuses a verbal, witnessed consent and says why', () => {
    const error = invalid(completeDraft({ signatureMethod: 'verbal-witnessed' }));
    expect(error.issues).toEqual([
      {
        code: 'consent.invalid-element',
        element: 'signature-method',
        message:
          'Signature method: a verbal consent, even witnessed, is not enough. 42 CFR Part 2 requires written consent ' +
          'signed by the patient or their representative (on paper or electronically). Ask them to sign.',
      },
    ]);
  });

  it('needs a description for an "other" purpose', () => {
    const error = invalid(completeDraft({ purposes: [{ kind: 'treatment' }, { kind: 'other', description: ' ' }] }));
    expect(error.issues.map((i) => [i.element, i.code])).toEqual([['purpose', 'consent.invalid-element']]);
  });

  it('needs at least one category when sharing specific information', () => {
    const error = invalid(completeDraft({ information: { kind: 'specific', categories: [] } }));
    expect(error.issues[0]?.message).toBe('What information: list at least one kind of record to share.');
  });

  it('allows "no expiry" only for treatment, payment and operations', () => {
    expect(validateConsent(completeDraft({ expiry: { kind: 'none' } })).ok).toBe(true);
    const error = invalid(completeDraft({ expiry: { kind: 'none' }, purposes: [{ kind: 'other', description: 'Drug court compliance' }] }));
    expect(error.issues.map((i) => i.element)).toEqual(['expiry']);
  });

  it('refuses an expiry date before the signature', () => {
    const error = invalid(completeDraft({ expiry: { kind: 'date', expiresAt: day('2025-02-01') } }));
    expect(error.issues[0]?.message).toBe('Expiry: the expiry date is on or before the date of signature.');
  });

  it('needs a legal representative to state their authority', () => {
    const error = invalid(completeDraft({ signer: { kind: 'legal-representative', name: 'Ray Reyes', authority: '' } }));
    expect(error.issues.map((i) => i.element)).toEqual(['signer']);
    expect(error.issues[0]?.message).toContain('court-appointed guardian');
  });

  it('names the statements missing from an old form', () => {
    const error = invalid(completeDraft({ formStatements: ['right-to-revoke'] }));
    expect(error.issues[0]?.message).toBe(
      'Form: the signed form must state that treatment does not depend on signing; that disclosed records may be ' +
        'redisclosed by the recipient. Use the current consent form.',
    );
  });
});

describe('revoking a consent', () => {
  it('records when and how the patient revoked it', () => {
    const result = revokeConsent(consent(), { revokedAt: day('2025-05-01'), method: 'written', recordedBy: 'staff-7' });
    expect(result).toMatchObject({
      ok: true,
      value: { revocation: { revokedAt: day('2025-05-01'), method: 'written', writtenConfirmationNeeded: false } },
    });
  });

  it('honours a verbal revocation at once and asks for written confirmation', () => {
    const result = revokeConsent(consent(), { revokedAt: day('2025-05-01'), method: 'verbal', recordedBy: 'staff-7' });
    expect(result.ok && result.value.revocation?.writtenConfirmationNeeded).toBe(true);
  });

  it('refuses to revoke twice or before signature', () => {
    const revoked = revokeConsent(consent(), { revokedAt: day('2025-05-01'), method: 'written', recordedBy: 's' });
    if (!revoked.ok) throw new Error(revoked.error.message);
    expect(revokeConsent(revoked.value, { revokedAt: day('2025-05-02'), method: 'written', recordedBy: 's' })).toMatchObject({
      ok: false,
      error: { code: 'consent.already-revoked', message: 'Consent consent-1 was already revoked on 2025-05-01.' },
    });
    expect(revokeConsent(consent(), { revokedAt: day('2025-01-01'), method: 'written', recordedBy: 's' })).toMatchObject({
      ok: false,
      error: { code: 'consent.revoked-before-signed' },
    });
  });
});

describe('may this record be disclosed?', () => {
  it('allows a disclosure the consent covers, naming the consent and attaching the re-disclosure notice', () => {
    const decision = decideDisclosure([consent()], request());
    expect(decision).toEqual({
      allowed: true,
      consentId: 'consent-1',
      reason: 'Allowed under consent consent-1, signed 2025-03-01.',
      redisclosureNotice: REDISCLOSURE_NOTICE.text,
    });
  });

  it('denies when there is no consent for the patient', () => {
    const decision = decideDisclosure([consent()], request({ patientId: 'pat-2' }));
    expect(decision).toMatchObject({ allowed: false, denial: 'no-consent' });
  });

  it('denies before the consent was signed', () => {
    const decision = decideDisclosure([consent()], request({ at: day('2025-02-01') }));
    expect(decision).toMatchObject({
      allowed: false,
      denial: 'not-yet-signed',
      consentId: 'consent-1',
      reason: 'Not allowed: consent consent-1 was not signed until 2025-03-01.',
    });
  });

  it('denies after expiry', () => {
    const decision = decideDisclosure([consent()], request({ at: day('2026-03-02') }));
    expect(decision).toMatchObject({ denial: 'expired', reason: 'Not allowed: consent consent-1 expired on 2026-03-01.' });
  });

  it('denies once the expiry event has happened', () => {
    const ended = consent({ expiry: { kind: 'event', description: 'end of treatment', occurredAt: day('2025-05-15') } });
    expect(decideDisclosure([ended], request())).toMatchObject({
      denial: 'expired',
      reason: 'Not allowed: consent consent-1 ended with "end of treatment" on 2025-05-15.',
    });
  });

  it('denies from the moment of revocation but not for disclosures before it', () => {
    const revoked = revokeConsent(consent(), { revokedAt: day('2025-05-01'), method: 'verbal', recordedBy: 's' });
    if (!revoked.ok) throw new Error(revoked.error.message);
    expect(decideDisclosure([revoked.value], request())).toMatchObject({
      allowed: false,
      denial: 'revoked',
      reason: 'Not allowed: the patient revoked consent consent-1 on 2025-05-01 (verbal).',
    });
    expect(decideDisclosure([revoked.value], request({ at: day('2025-04-01') })).allowed).toBe(true);
  });

  it('denies a recipient the consent does not name', () => {
    const decision = decideDisclosure([consent()], request({ recipient: { recipientId: 'emp-1', name: 'Acme Corp HR', classes: [] } }));
    expect(decision).toMatchObject({
      denial: 'recipient-not-covered',
      reason: 'Not allowed: consent consent-1 does not name Acme Corp HR or a class of recipients they belong to.',
    });
  });

  it('allows a recipient covered by a class such as the patient’s treating providers', () => {
    const byClass = consent({
      recipients: [{ kind: 'class', recipientClass: 'treating-providers', description: 'my treating providers' }],
      purposes: [{ kind: 'treatment' }],
    });
    const decision = decideDisclosure(
      [byClass],
      request({
        recipient: { recipientId: 'pcp-9', name: 'Dr Okafor', classes: ['treating-providers'] },
        purpose: { kind: 'treatment' },
      }),
    );
    expect(decision.allowed).toBe(true);
  });

  it('denies a purpose the consent does not cover, saying what it does cover', () => {
    const decision = decideDisclosure([consent()], request({ purpose: { kind: 'health-care-operations' } }));
    expect(decision).toMatchObject({
      denial: 'purpose-not-covered',
      reason: 'Not allowed: consent consent-1 does not cover the purpose health-care operations (it covers payment).',
    });
  });

  it('matches an "other" purpose only by its stated description', () => {
    const court = consent({
      purposes: [{ kind: 'other', description: 'Report attendance to Suffolk Drug Court' }],
      recipients: [{ kind: 'named', recipientId: 'court-1', name: 'Suffolk Drug Court' }],
    });
    const toCourt = { recipientId: 'court-1', name: 'Suffolk Drug Court', classes: [] };
    expect(
      decideDisclosure([court], request({ recipient: toCourt, purpose: { kind: 'other', description: 'report attendance to  Suffolk Drug Court' } })).allowed,
    ).toBe(true);
    expect(decideDisclosure([court], request({ recipient: toCourt, purpose: { kind: 'other', description: 'Sentencing' } }))).toMatchObject({
      denial: 'purpose-not-covered',
    });
  });

  it('denies a kind of record outside the consent', () => {
    const decision = decideDisclosure([consent()], request({ recordKind: 'toxicology-results' }));
    expect(decision).toMatchObject({ denial: 'information-not-covered' });
  });

  it('denies a discloser the consent does not name, and accepts any programme of a named network', () => {
    const otherSite = request({ discloser: { programId: 'prog-worcester', networkId: 'net-harbor' } });
    expect(decideDisclosure([consent()], otherSite)).toMatchObject({ denial: 'discloser-not-covered' });
    const networkWide = consent({ disclosers: [{ kind: 'network', networkId: 'net-harbor', name: 'Harbor Recovery' }] });
    expect(decideDisclosure([networkWide], otherSite).allowed).toBe(true);
  });

  it('finds the consent that allows it among several, and otherwise reports the one that came closest', () => {
    const old = consent({ id: 'consent-old', signedAt: day('2024-01-01'), expiry: { kind: 'date', expiresAt: day('2025-01-01') } });
    const treatmentOnly = consent({ id: 'consent-treatment', purposes: [{ kind: 'treatment' }] });
    const denied = decideDisclosure([old, treatmentOnly], request());
    expect(denied).toMatchObject({
      allowed: false,
      denial: 'purpose-not-covered',
      consentId: 'consent-treatment',
      consideredConsentIds: ['consent-old', 'consent-treatment'],
    });
    expect(denied.reason).toContain('1 other consent on file does not allow it either.');

    const payment = consent({ id: 'consent-payment', signedAt: day('2025-04-01') });
    expect(decideDisclosure([old, treatmentOnly, payment], request())).toMatchObject({
      allowed: true,
      consentId: 'consent-payment',
    });
  });
});

describe('re-disclosure notice', () => {
  it('carries the §2.32 statement, marked as still to be checked against the rule', () => {
    expect(REDISCLOSURE_NOTICE.text).toContain('protected by Federal confidentiality rules (42 CFR part 2)');
    expect(REDISCLOSURE_NOTICE.verified).toBe(false);
    expect(REDISCLOSURE_NOTICE_SHORT.text).toBe('42 CFR part 2 prohibits unauthorized use or disclosure of these records.');
  });
});
