import type {
  ConsentExpiry,
  ConsentPurpose,
  ConsentPurposeKind,
  ConsentTerms,
  DiscloserDesignation,
  InformationScope,
  RecipientDesignation,
} from '@iop/domain';
import { assertNever, err, ok, type DomainError, type Result } from '../shared';

// The consent vocabulary and the disclosure rule are shared with insurance (libs/domain): one rule, not two copies.
export { CONSENT_PURPOSE_KINDS, RECORD_KINDS, RECIPIENT_CLASSES } from '@iop/domain';
export type {
  ConsentPurposeKind,
  ConsentPurpose,
  RecordKind,
  InformationScope,
  DiscloserDesignation,
  RecipientClass,
  RecipientDesignation,
  ConsentExpiry,
} from '@iop/domain';

/*
 * A written consent to disclose substance use disorder (SUD) records under 42 CFR Part 2 §2.31, which since the
 * 2024 rule also serves as the HIPAA authorisation. Every element is listed by name so validation can say exactly
 * which ones a coordinator still has to collect. Facts marked (check) are from memory of the public rule.
 */

export const SIGNATURE_METHODS = ['wet', 'electronic', 'verbal-witnessed'] as const;
export type SignatureMethod = (typeof SIGNATURE_METHODS)[number];

export type Signer =
  | { readonly kind: 'patient'; readonly name: string }
  /** Authority e.g. "court-appointed guardian", "parent of a minor" (state law decides who may sign, check). */
  | { readonly kind: 'legal-representative'; readonly name: string; readonly authority: string };

/** Statements the signed form itself must contain (§2.31(a), check against the current rule). */
export const REQUIRED_FORM_STATEMENTS = ['right-to-revoke', 'treatment-not-conditioned-on-signing', 'redisclosure-potential'] as const;
export type FormStatement = (typeof REQUIRED_FORM_STATEMENTS)[number];

const FORM_STATEMENT_LABELS: Readonly<Record<FormStatement, string>> = {
  'right-to-revoke': 'the patient’s right to revoke the consent and how',
  'treatment-not-conditioned-on-signing': 'that treatment does not depend on signing',
  'redisclosure-potential': 'that disclosed records may be redisclosed by the recipient',
};

export interface ConsentPatient {
  readonly patientId: string;
  readonly name: string;
}

export const REVOCATION_METHODS = ['written', 'electronic', 'verbal'] as const;
export type RevocationMethod = (typeof REVOCATION_METHODS)[number];

export interface Revocation {
  readonly revokedAt: Date;
  readonly method: RevocationMethod;
  readonly recordedBy: string;
  /** A verbal revocation is honoured at once but should be confirmed in writing. */
  readonly writtenConfirmationNeeded: boolean;
}

export interface Consent extends ConsentTerms {
  readonly id: string;
  readonly patient: ConsentPatient;
  readonly disclosers: readonly DiscloserDesignation[];
  readonly recipients: readonly RecipientDesignation[];
  readonly purposes: readonly ConsentPurpose[];
  readonly information: InformationScope;
  readonly expiry: ConsentExpiry;
  readonly signedAt: Date;
  readonly signatureMethod: Exclude<SignatureMethod, 'verbal-witnessed'>;
  readonly signer: Signer;
  readonly formStatements: readonly FormStatement[];
  readonly revocation?: Revocation;
}

/** What a coordinator has collected so far; anything may still be missing. */
export interface ConsentDraft {
  readonly id: string;
  readonly patient?: ConsentPatient;
  readonly disclosers?: readonly DiscloserDesignation[];
  readonly recipients?: readonly RecipientDesignation[];
  readonly purposes?: readonly ConsentPurpose[];
  readonly information?: InformationScope;
  readonly expiry?: ConsentExpiry;
  readonly signedAt?: Date;
  readonly signatureMethod?: SignatureMethod;
  readonly signer?: Signer;
  readonly formStatements?: readonly FormStatement[];
}

export const CONSENT_ELEMENTS = [
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
] as const;
export type ConsentElement = (typeof CONSENT_ELEMENTS)[number];

export interface ConsentIssue {
  readonly code: 'consent.missing-element' | 'consent.invalid-element';
  readonly element: ConsentElement;
  readonly message: string;
}

export interface ConsentInvalid {
  readonly code: 'consent.invalid';
  readonly message: string;
  readonly issues: readonly ConsentIssue[];
}

const blank = (text: string | undefined): boolean => (text ?? '').trim() === '';

function missing(element: ConsentElement, message: string): ConsentIssue {
  return { code: 'consent.missing-element', element, message };
}

function invalid(element: ConsentElement, message: string): ConsentIssue {
  return { code: 'consent.invalid-element', element, message };
}

const TPO: ReadonlySet<ConsentPurposeKind> = new Set(['treatment', 'payment', 'health-care-operations']);

function checkPatient(draft: ConsentDraft): ConsentIssue[] {
  if (!draft.patient) return [missing('patient', 'Patient: say which patient this consent is about.')];
  if (blank(draft.patient.patientId) || blank(draft.patient.name)) {
    return [invalid('patient', 'Patient: the patient’s name and record are both needed.')];
  }
  return [];
}

function checkDisclosers(draft: ConsentDraft): ConsentIssue[] {
  const disclosers = draft.disclosers ?? [];
  if (disclosers.length === 0) {
    return [missing('discloser', 'Who may disclose: name the programme, or network of programmes, allowed to disclose.')];
  }
  return disclosers.some((d) => blank(d.name)) ? [invalid('discloser', 'Who may disclose: every programme or network named needs its name on the form.')] : [];
}

function checkRecipients(draft: ConsentDraft): ConsentIssue[] {
  const recipients = draft.recipients ?? [];
  if (recipients.length === 0) {
    return [
      missing(
        'recipient',
        'Recipient: name the person or organisation receiving the records, or a class of recipients (e.g. the patient’s treating providers).',
      ),
    ];
  }
  const issues: ConsentIssue[] = [];
  for (const recipient of recipients) {
    switch (recipient.kind) {
      case 'named':
        if (blank(recipient.name)) issues.push(invalid('recipient', 'Recipient: a named recipient needs their name.'));
        break;
      case 'class':
        if (blank(recipient.description)) {
          issues.push(invalid('recipient', 'Recipient: describe the class of recipients as it appears on the form.'));
        }
        break;
      default:
        return assertNever(recipient, 'recipient designation');
    }
  }
  return issues;
}

function checkPurposes(draft: ConsentDraft): ConsentIssue[] {
  const purposes = draft.purposes ?? [];
  if (purposes.length === 0) {
    return [missing('purpose', 'Purpose: choose at least one purpose (treatment, payment, health-care operations, or other with a description).')];
  }
  return purposes.some((p) => p.kind === 'other' && blank(p.description))
    ? [invalid('purpose', 'Purpose: "other" needs a description of what the records will be used for.')]
    : [];
}

function checkInformation(draft: ConsentDraft): ConsentIssue[] {
  const information = draft.information;
  if (!information) {
    return [missing('information', 'What information: choose all substance use disorder records, or list the kinds of record to share.')];
  }
  switch (information.kind) {
    case 'all-sud-records':
      return [];
    case 'specific':
      return information.categories.length === 0 ? [invalid('information', 'What information: list at least one kind of record to share.')] : [];
    default:
      return assertNever(information, 'information scope');
  }
}

function checkExpiry(draft: ConsentDraft): ConsentIssue[] {
  const expiry = draft.expiry;
  if (!expiry) {
    return [missing('expiry', 'Expiry: give an expiry date or an event that ends the consent (e.g. end of treatment).')];
  }
  switch (expiry.kind) {
    case 'date':
      return draft.signedAt && expiry.expiresAt.getTime() <= draft.signedAt.getTime()
        ? [invalid('expiry', 'Expiry: the expiry date is on or before the date of signature.')]
        : [];
    case 'event':
      return blank(expiry.description) ? [invalid('expiry', 'Expiry: describe the event that ends the consent.')] : [];
    case 'none': {
      const purposes = draft.purposes ?? [];
      return purposes.every((p) => TPO.has(p.kind))
        ? []
        : [invalid('expiry', 'Expiry: "none" is allowed only when every purpose is treatment, payment or health-care operations; give a date or an event.')];
    }
    default:
      return assertNever(expiry, 'consent expiry');
  }
}

function checkSignature(draft: ConsentDraft): ConsentIssue[] {
  const issues: ConsentIssue[] = [];
  if (!draft.signedAt) issues.push(missing('signature-time', 'Signature: record the date and time it was signed.'));
  const method = draft.signatureMethod;
  if (method === undefined) {
    issues.push(missing('signature-method', 'Signature method: record whether it was signed on paper or electronically.'));
  } else if (method === 'verbal-witnessed') {
    issues.push(
      invalid(
        'signature-method',
        'Signature method: a verbal consent, even witnessed, is not enough. 42 CFR Part 2 requires written consent ' +
          'signed by the patient or their representative (on paper or electronically). Ask them to sign.',
      ),
    );
  }
  const signer = draft.signer;
  if (!signer) {
    issues.push(missing('signer', 'Signer: record who signed, the patient or their legal representative.'));
  } else if (blank(signer.name)) {
    issues.push(invalid('signer', 'Signer: record the signer’s name.'));
  } else if (signer.kind === 'legal-representative' && blank(signer.authority)) {
    issues.push(invalid('signer', 'Signer: a legal representative must state their authority (e.g. court-appointed guardian, parent of a minor).'));
  }
  return issues;
}

function checkFormStatements(draft: ConsentDraft): ConsentIssue[] {
  const present = new Set(draft.formStatements ?? []);
  const absent = REQUIRED_FORM_STATEMENTS.filter((s) => !present.has(s));
  return absent.length === 0
    ? []
    : [missing('form-statements', `Form: the signed form must state ${absent.map((s) => FORM_STATEMENT_LABELS[s]).join('; ')}. Use the current consent form.`)];
}

/** Names every missing or invalid element at once, so the coordinator can collect them in one conversation. */
export function validateConsent(draft: ConsentDraft): Result<Consent, ConsentInvalid> {
  const issues = [
    ...checkPatient(draft),
    ...checkDisclosers(draft),
    ...checkRecipients(draft),
    ...checkPurposes(draft),
    ...checkInformation(draft),
    ...checkExpiry(draft),
    ...checkSignature(draft),
    ...checkFormStatements(draft),
  ];
  const { patient, disclosers, recipients, purposes, information, expiry, signedAt, signatureMethod, signer, formStatements } = draft;
  if (
    issues.length > 0 ||
    !patient ||
    !disclosers ||
    !recipients ||
    !purposes ||
    !information ||
    !expiry ||
    !signedAt ||
    !signer ||
    !formStatements ||
    signatureMethod === undefined ||
    signatureMethod === 'verbal-witnessed'
  ) {
    const elements = [...new Set(issues.map((i) => i.element))];
    return err({
      code: 'consent.invalid',
      message: `This consent cannot be used yet: ${elements.length} element${elements.length === 1 ? ' is' : 's are'} missing or invalid (${elements.join(', ')}).`,
      issues,
    });
  }
  return ok({
    id: draft.id,
    patient,
    disclosers,
    recipients,
    purposes,
    information,
    expiry,
    signedAt,
    signatureMethod,
    signer,
    formStatements,
  });
}

export type RevocationErrorCode = 'consent.already-revoked' | 'consent.revoked-before-signed' | 'consent.revocation-unrecorded';

export interface RevocationRequest {
  readonly revokedAt: Date;
  readonly method: RevocationMethod;
  /** The staff member who took the revocation. */
  readonly recordedBy: string;
}

/**
 * Records a revocation. Disclosures already made in reliance on the consent stay lawful; every disclosure from
 * `revokedAt` on is refused. A verbal revocation is honoured immediately (refusing to disclose is the safe side)
 * and flagged for written confirmation, since HIPAA and the 2024 Part 2 rule speak of revoking in writing (check).
 */
export function revokeConsent(consent: Consent, request: RevocationRequest): Result<Consent, DomainError<RevocationErrorCode>> {
  if (consent.revocation) {
    return err({
      code: 'consent.already-revoked',
      message: `Consent ${consent.id} was already revoked on ${consent.revocation.revokedAt.toISOString().slice(0, 10)}.`,
    });
  }
  if (request.revokedAt.getTime() < consent.signedAt.getTime()) {
    return err({
      code: 'consent.revoked-before-signed',
      message: 'The revocation time is before the consent was signed. Check the date and time.',
    });
  }
  if (blank(request.recordedBy)) {
    return err({ code: 'consent.revocation-unrecorded', message: 'Record who took the revocation.' });
  }
  return ok({
    ...consent,
    revocation: { ...request, writtenConfirmationNeeded: request.method === 'verbal' },
  });
}
