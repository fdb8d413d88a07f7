import {
  decideDisclosure,
  type ConsentPurpose,
  type ConsentPurposeKind,
  type ConsentTerms,
  type DisclosureDecision,
  type RecipientDesignation,
  type RecordKind,
} from '@iop/domain';

/** Insurance's copy of a consent, as `intake.consent-granted` carried it (codes and ids; no names, no document). */
export interface ConsentCopy {
  readonly consentId: string;
  readonly patientId: string;
  /** Every programme (site) and network the consent lets disclose. */
  readonly disclosers: ReadonlyArray<{ readonly kind: 'site' | 'network'; readonly id: string }>;
  readonly recipients: ReadonlyArray<
    | { readonly kind: 'payer'; readonly payerId: string }
    | { readonly kind: 'organisation'; readonly organisationId: string }
    | { readonly kind: 'class'; readonly recipientClass: 'treating-providers' | 'health-plans' }
  >;
  readonly purposes: readonly ConsentPurposeKind[];
  readonly information: 'all-sud-records' | readonly RecordKind[];
  readonly signedAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

/**
 * The copy in the shared rule's terms. The event carries ids, not names, so the names the rule quotes are the ids.
 * An "other" purpose travels without its description and so covers nothing here (insurance never asks for one);
 * a consent without an expiry date ends on an event intake records, or never: until intake publishes such an end,
 * it stays in force here unless revoked.
 */
export function consentTerms(copy: ConsentCopy): ConsentTerms {
  return {
    id: copy.consentId,
    patient: { patientId: copy.patientId },
    disclosers: copy.disclosers.map((d) =>
      d.kind === 'network' ? { kind: 'network', networkId: d.id, name: `network ${d.id}` } : { kind: 'program', programId: d.id, name: `site ${d.id}` },
    ),
    recipients: copy.recipients.map((r): RecipientDesignation => {
      switch (r.kind) {
        case 'payer':
          return { kind: 'named', recipientId: r.payerId, name: `payer ${r.payerId}` };
        case 'organisation':
          return { kind: 'named', recipientId: r.organisationId, name: `organisation ${r.organisationId}` };
        case 'class':
          return { kind: 'class', recipientClass: r.recipientClass, description: r.recipientClass };
      }
    }),
    purposes: copy.purposes.flatMap((kind): ConsentPurpose[] => (kind === 'other' ? [] : [{ kind }])),
    information: copy.information === 'all-sud-records' ? { kind: 'all-sud-records' } : { kind: 'specific', categories: copy.information },
    expiry: copy.expiresAt ? { kind: 'date', expiresAt: copy.expiresAt } : { kind: 'none' },
    signedAt: copy.signedAt,
    ...(copy.revokedAt ? { revocation: { revokedAt: copy.revokedAt } } : {}),
  };
}

export interface PaymentDisclosureQuestion {
  readonly siteId: string;
  /** The network the site belongs to: a consent may let every programme of a network disclose. */
  readonly networkId: string;
  readonly patientId: string;
  readonly payerId: string;
  readonly payerName: string;
  readonly at: Date;
}

/**
 * May this site tell this payer about this patient for payment now? An eligibility inquiry (270) tells the payer the
 * patient seeks this care: billing records, for payment, to a health plan. Decided by the platform's one rule.
 */
export function decidePaymentDisclosure(copies: readonly ConsentCopy[], q: PaymentDisclosureQuestion): DisclosureDecision {
  return decideDisclosure(copies.map(consentTerms), {
    patientId: q.patientId,
    discloser: { programId: q.siteId, networkId: q.networkId },
    recipient: { recipientId: q.payerId, name: q.payerName, classes: ['health-plans'] },
    recordKind: 'billing-and-claims',
    purpose: { kind: 'payment' },
    at: q.at,
  });
}
