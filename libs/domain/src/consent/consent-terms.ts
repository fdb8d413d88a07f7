/*
 * The terms of a written consent under 42 CFR Part 2 §2.31 that decide whether a disclosure is allowed: who may
 * disclose, to whom, for what, which records, from when until when, and any revocation. Intake's full consent
 * (signer, signature method, form statements) is a superset of these terms; another service's copy of a consent
 * (e.g. insurance's read model of `intake.consent-granted`) maps to them. One vocabulary, one rule.
 */

export const CONSENT_PURPOSE_KINDS = ['treatment', 'payment', 'health-care-operations', 'other'] as const;
export type ConsentPurposeKind = (typeof CONSENT_PURPOSE_KINDS)[number];

export type ConsentPurpose =
  | { readonly kind: 'treatment' }
  | { readonly kind: 'payment' }
  | { readonly kind: 'health-care-operations' }
  | { readonly kind: 'other'; readonly description: string };

export const RECORD_KINDS = [
  'attendance',
  'diagnosis',
  'assessment',
  'treatment-plan',
  'progress-notes',
  'medications',
  'toxicology-results',
  'discharge-summary',
  'billing-and-claims',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export type InformationScope = { readonly kind: 'all-sud-records' } | { readonly kind: 'specific'; readonly categories: readonly RecordKind[] };

/** Who may disclose: one programme, or every programme of a network (a "general designation", check). */
export type DiscloserDesignation =
  | { readonly kind: 'program'; readonly programId: string; readonly name: string }
  | { readonly kind: 'network'; readonly networkId: string; readonly name: string };

/**
 * Classes of recipient a consent may name instead of a person or organisation. The 2024 rule allows a general
 * designation for treatment, payment and operations consents, e.g. "my treating providers" (check).
 */
export const RECIPIENT_CLASSES = ['treating-providers', 'health-plans'] as const;
export type RecipientClass = (typeof RECIPIENT_CLASSES)[number];

export type RecipientDesignation =
  | { readonly kind: 'named'; readonly recipientId: string; readonly name: string }
  | { readonly kind: 'class'; readonly recipientClass: RecipientClass; readonly description: string };

export type ConsentExpiry =
  | { readonly kind: 'date'; readonly expiresAt: Date }
  /** e.g. "end of treatment"; the application records when it happens. */
  | { readonly kind: 'event'; readonly description: string; readonly occurredAt?: Date }
  /** "None" is acceptable only for treatment, payment and health-care operations (2024 rule, check). */
  | { readonly kind: 'none' };

/** What the disclosure rule reads of a revocation; a fuller record (who took it, confirmation) may carry more. */
export interface RevocationTerms {
  readonly revokedAt: Date;
  /** How the patient revoked it (written, electronic, verbal), when known: named in the refusal. */
  readonly method?: string;
}

/** The terms of one signed consent, as the disclosure rule reads them. */
export interface ConsentTerms {
  readonly id: string;
  readonly patient: { readonly patientId: string };
  readonly disclosers: readonly DiscloserDesignation[];
  readonly recipients: readonly RecipientDesignation[];
  readonly purposes: readonly ConsentPurpose[];
  readonly information: InformationScope;
  readonly expiry: ConsentExpiry;
  readonly signedAt: Date;
  readonly revocation?: RevocationTerms;
}
