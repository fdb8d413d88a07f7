import { assertNever } from '../assert-never';
import type { ConsentPurpose, ConsentTerms, DiscloserDesignation, RecipientClass, RecipientDesignation, RecordKind } from './consent-terms';
import { REDISCLOSURE_NOTICE } from './redisclosure-notice';

/*
 * The one consent rule of the platform (42 CFR Part 2): intake decides disclosures with it on its full consent
 * records, insurance before every 270 on its copy of them. A service that discloses SUD records asks this, and
 * nothing else, whether it may.
 */

export interface DisclosureRequest {
  readonly patientId: string;
  readonly discloser: { readonly programId: string; readonly networkId: string };
  readonly recipient: {
    readonly recipientId: string;
    readonly name: string;
    /** The classes this recipient belongs to for this patient, e.g. a treating provider. */
    readonly classes: readonly RecipientClass[];
  };
  readonly recordKind: RecordKind;
  readonly purpose: ConsentPurpose;
  readonly at: Date;
}

/** Ordered by how far a consent got: a consent failing later in the list came closer to allowing. */
export const DENIAL_REASONS = [
  'no-consent',
  'not-yet-signed',
  'revoked',
  'expired',
  'discloser-not-covered',
  'recipient-not-covered',
  'purpose-not-covered',
  'information-not-covered',
] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

export type DisclosureDecision =
  | {
      readonly allowed: true;
      readonly consentId: string;
      readonly reason: string;
      /** Must accompany the disclosure (§2.32), with a copy or summary of the consent. */
      readonly redisclosureNotice: string;
    }
  | {
      readonly allowed: false;
      readonly denial: DenialReason;
      readonly reason: string;
      /** The consent whose refusal is reported: the one that came closest to allowing. */
      readonly consentId?: string;
      readonly consideredConsentIds: readonly string[];
    };

type Check = { readonly pass: true } | { readonly pass: false; readonly denial: DenialReason; readonly reason: string };

const PASS: Check = { pass: true };
const day = (date: Date): string => date.toISOString().slice(0, 10);
const normalise = (text: string): string => text.trim().toLowerCase().replace(/\s+/g, ' ');

function purposeLabel(purpose: ConsentPurpose): string {
  switch (purpose.kind) {
    case 'treatment':
      return 'treatment';
    case 'payment':
      return 'payment';
    case 'health-care-operations':
      return 'health-care operations';
    case 'other':
      return `other: "${purpose.description}"`;
    default:
      return assertNever(purpose, 'consent purpose');
  }
}

function samePurpose(covered: ConsentPurpose, asked: ConsentPurpose): boolean {
  if (covered.kind !== asked.kind) return false;
  // A free-text purpose is covered only by the same stated purpose, not by any "other".
  return covered.kind === 'other' && asked.kind === 'other' ? normalise(covered.description) === normalise(asked.description) : true;
}

function discloserCovers(designation: DiscloserDesignation, discloser: DisclosureRequest['discloser']): boolean {
  switch (designation.kind) {
    case 'program':
      return designation.programId === discloser.programId;
    case 'network':
      return designation.networkId === discloser.networkId;
    default:
      return assertNever(designation, 'discloser designation');
  }
}

function recipientCovers(designation: RecipientDesignation, recipient: DisclosureRequest['recipient']): boolean {
  switch (designation.kind) {
    case 'named':
      return designation.recipientId === recipient.recipientId;
    case 'class':
      return recipient.classes.includes(designation.recipientClass);
    default:
      return assertNever(designation, 'recipient designation');
  }
}

function checkConsent(consent: ConsentTerms, request: DisclosureRequest): Check {
  const at = request.at.getTime();
  if (at < consent.signedAt.getTime()) {
    return { pass: false, denial: 'not-yet-signed', reason: `consent ${consent.id} was not signed until ${day(consent.signedAt)}` };
  }
  if (consent.revocation && at >= consent.revocation.revokedAt.getTime()) {
    return {
      pass: false,
      denial: 'revoked',
      reason: `the patient revoked consent ${consent.id} on ${day(consent.revocation.revokedAt)}${consent.revocation.method ? ` (${consent.revocation.method})` : ''}`,
    };
  }
  const expiry = consent.expiry;
  switch (expiry.kind) {
    case 'date':
      if (at >= expiry.expiresAt.getTime()) {
        return { pass: false, denial: 'expired', reason: `consent ${consent.id} expired on ${day(expiry.expiresAt)}` };
      }
      break;
    case 'event':
      if (expiry.occurredAt && at >= expiry.occurredAt.getTime()) {
        return {
          pass: false,
          denial: 'expired',
          reason: `consent ${consent.id} ended with "${expiry.description}" on ${day(expiry.occurredAt)}`,
        };
      }
      break;
    case 'none':
      break;
    default:
      return assertNever(expiry, 'consent expiry');
  }
  if (!consent.disclosers.some((d) => discloserCovers(d, request.discloser))) {
    const names = consent.disclosers.map((d) => d.name).join(', ');
    return { pass: false, denial: 'discloser-not-covered', reason: `consent ${consent.id} lets only ${names} disclose` };
  }
  if (!consent.recipients.some((r) => recipientCovers(r, request.recipient))) {
    return {
      pass: false,
      denial: 'recipient-not-covered',
      reason: `consent ${consent.id} does not name ${request.recipient.name} or a class of recipients they belong to`,
    };
  }
  if (!consent.purposes.some((p) => samePurpose(p, request.purpose))) {
    return {
      pass: false,
      denial: 'purpose-not-covered',
      reason: `consent ${consent.id} does not cover the purpose ${purposeLabel(request.purpose)} (it covers ${consent.purposes.map(purposeLabel).join(', ')})`,
    };
  }
  const information = consent.information;
  switch (information.kind) {
    case 'all-sud-records':
      return PASS;
    case 'specific':
      return information.categories.includes(request.recordKind)
        ? PASS
        : {
            pass: false,
            denial: 'information-not-covered',
            reason: `consent ${consent.id} does not cover ${request.recordKind} records (it covers ${information.categories.join(', ')})`,
          };
    default:
      return assertNever(information, 'information scope');
  }
}

/**
 * May this discloser disclose this patient's records of this kind to this recipient for this purpose at this time?
 * Only consent-based disclosure is decided here; whether a disclosure needs consent at all (e.g. a medical
 * emergency, or mental-health records outside Part 2) is the caller's question.
 */
export function decideDisclosure(consents: readonly ConsentTerms[], request: DisclosureRequest): DisclosureDecision {
  const patientsConsents = consents.filter((c) => c.patient.patientId === request.patientId);
  const considered = patientsConsents.map((c) => c.id);
  if (patientsConsents.length === 0) {
    return {
      allowed: false,
      denial: 'no-consent',
      reason: 'Not allowed: there is no signed consent on file for this patient. Collect a written consent first.',
      consideredConsentIds: [],
    };
  }
  const newestFirst = [...patientsConsents].sort((a, b) => b.signedAt.getTime() - a.signedAt.getTime());
  const checked = newestFirst.map((consent) => ({ consent, check: checkConsent(consent, request) }));

  const allowing = checked.find((c) => c.check.pass);
  if (allowing) {
    const { consent } = allowing;
    return {
      allowed: true,
      consentId: consent.id,
      reason: `Allowed under consent ${consent.id}, signed ${day(consent.signedAt)}.`,
      redisclosureNotice: REDISCLOSURE_NOTICE.text,
    };
  }

  let closest: { consent: ConsentTerms; denial: DenialReason; reason: string } | undefined;
  for (const { consent, check } of checked) {
    if (check.pass) continue;
    if (!closest || DENIAL_REASONS.indexOf(check.denial) > DENIAL_REASONS.indexOf(closest.denial)) {
      closest = { consent, denial: check.denial, reason: check.reason };
    }
  }
  if (!closest) throw new Error('unreachable: every consent either allows or is refused');
  const others = checked.length - 1;
  const tail =
    others === 0 ? '' : others === 1 ? ' 1 other consent on file does not allow it either.' : ` ${others} other consents on file do not allow it either.`;
  return {
    allowed: false,
    denial: closest.denial,
    reason: `Not allowed: ${closest.reason}.${tail}`,
    consentId: closest.consent.id,
    consideredConsentIds: considered,
  };
}
