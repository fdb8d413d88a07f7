import { z } from 'zod';
import { Id, Instant } from '@iop/contracts';
import { ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';
import type { ConsentView as ConsentViewType } from '../application/consents.use-cases';
import {
  CONSENT_PURPOSE_KINDS,
  DENIAL_REASONS,
  RECIPIENT_CLASSES,
  RECORD_KINDS,
  REQUIRED_FORM_STATEMENTS,
  REVOCATION_METHODS,
  SIGNATURE_METHODS,
  type DisclosureDecision,
} from '../domain';

const Text = z.string().max(300);

/*
 * Every element is optional here on purpose: a consent with elements missing is not a malformed request but an
 * incomplete form, and the domain answers 422 naming every element still to collect. Shapes are still checked.
 */
export const ConsentDiscloser = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('program'), programId: Id, name: Text }),
  z.strictObject({ kind: z.literal('network'), networkId: Id, name: Text }),
]);

export const ConsentRecipientBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('payer'), payerId: z.string().trim().min(1).max(80), name: Text }),
  z.strictObject({ kind: z.literal('organisation'), organisationId: Id, name: Text }),
  z.strictObject({ kind: z.literal('class'), recipientClass: z.enum(RECIPIENT_CLASSES), description: Text }),
]);

export const ConsentPurposeBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.enum(['treatment', 'payment', 'health-care-operations']) }),
  z.strictObject({ kind: z.literal('other'), description: Text }),
]);

export const RecordConsentBody = z.strictObject({
  disclosers: z.array(ConsentDiscloser).max(20).optional(),
  recipients: z.array(ConsentRecipientBody).max(20).optional(),
  purposes: z.array(ConsentPurposeBody).max(10).optional(),
  information: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('all-sud-records') }),
      z.strictObject({ kind: z.literal('specific'), categories: z.array(z.enum(RECORD_KINDS)) }),
    ])
    .optional(),
  expiry: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('date'), expiresAt: Instant }),
      z.strictObject({ kind: z.literal('event'), description: Text }),
      z.strictObject({ kind: z.literal('none') }),
    ])
    .optional(),
  signedAt: Instant.optional(),
  signatureMethod: z.enum(SIGNATURE_METHODS).optional(),
  signer: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('patient'), name: Text }),
      z.strictObject({ kind: z.literal('legal-representative'), name: Text, authority: Text }),
    ])
    .optional(),
  formStatements: z.array(z.enum(REQUIRED_FORM_STATEMENTS)).optional(),
});
export type RecordConsentBody = z.infer<typeof RecordConsentBody>;

export const RevokeConsentBody = z.strictObject({
  method: z.enum(REVOCATION_METHODS),
  revokedAt: Instant.optional(),
});
export type RevokeConsentBody = z.infer<typeof RevokeConsentBody>;

export const DisclosureQuery = z.strictObject({
  /** The site (programme) that would disclose. */
  discloserSiteId: Id,
  recipientKind: z.enum(['payer', 'organisation']),
  recipientId: z.string().trim().min(1).max(80),
  /** Classes the recipient belongs to for this patient, comma-separated (e.g. "health-plans"). */
  recipientClasses: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((c) => c.trim()) : []))
    .pipe(z.array(z.enum(RECIPIENT_CLASSES))),
  purpose: z.enum(['treatment', 'payment', 'health-care-operations', 'other']),
  purposeDescription: z.string().max(300).optional(),
  recordKind: z.enum(RECORD_KINDS),
  /** Defaults to now. */
  at: Instant.optional(),
});
// A separate name: a parameter typed with the schema's own name would hand the zod object to OpenAPI as a model.
export type DisclosureQuestion = z.infer<typeof DisclosureQuery>;

/* Responses: the form as recorded. Not strict: a response is shaped by dropping unknown fields, never refused for them. */

const ConsentFormView = z
  .object({
    disclosers: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('program'), programId: ResponseId, name: z.string() }),
          z.object({ kind: z.literal('network'), networkId: ResponseId, name: z.string() }),
        ]),
      )
      .optional(),
    recipients: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('payer'), payerId: z.string(), name: z.string() }),
          z.object({ kind: z.literal('organisation'), organisationId: ResponseId, name: z.string() }),
          z.object({ kind: z.literal('class'), recipientClass: z.enum(RECIPIENT_CLASSES), description: z.string() }),
        ]),
      )
      .optional(),
    purposes: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({ kind: z.enum(CONSENT_PURPOSE_KINDS).exclude(['other']) }),
          z.object({ kind: z.literal('other'), description: z.string() }),
        ]),
      )
      .optional(),
    information: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('all-sud-records') }),
        z.object({ kind: z.literal('specific'), categories: z.array(z.enum(RECORD_KINDS)) }),
      ])
      .optional(),
    expiry: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('date'), expiresAt: ResponseInstant }),
        z.object({ kind: z.literal('event'), description: z.string() }),
        z.object({ kind: z.literal('none') }),
      ])
      .optional(),
    signedAt: ResponseInstant.optional(),
    signatureMethod: z.enum(SIGNATURE_METHODS).optional(),
    signer: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('patient'), name: z.string() }),
        z.object({ kind: z.literal('legal-representative'), name: z.string(), authority: z.string() }),
      ])
      .optional(),
    formStatements: z.array(z.enum(REQUIRED_FORM_STATEMENTS)).optional(),
  })
  .describe('The signed form as the coordinator entered it');

export const ConsentView = z.object({
  consentId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  signedAt: ResponseInstant,
  expiresAt: ResponseInstant.nullable().describe('Null when the consent ends on an event or not at all'),
  revokedAt: ResponseInstant.nullable().describe('When the patient revoked it; null while it stands'),
  writtenConfirmationNeeded: z.boolean().describe('A verbal revocation is honoured at once but should be confirmed in writing'),
  form: ConsentFormView,
}) satisfies z.ZodType<ConsentViewType>;

export const ConsentList = z.array(ConsentView).describe("The patient's consents, oldest signature first, revoked ones included");

export const DisclosureDecisionView = z
  .discriminatedUnion('allowed', [
    z.object({
      allowed: z.literal(true),
      consentId: ResponseId.describe('The consent that allows the disclosure'),
      reason: z.string(),
      redisclosureNotice: z.string().describe('Must accompany the disclosure (42 CFR §2.32), with a copy or summary of the consent'),
    }),
    z.object({
      allowed: z.literal(false),
      denial: z.enum(DENIAL_REASONS),
      reason: z.string().describe('Why not, and what to collect'),
      consentId: ResponseId.optional().describe('The consent that came closest to allowing; absent when there is none'),
      consideredConsentIds: z.array(ResponseId),
    }),
  ])
  .describe('Whether the disclosure is allowed now, with the reason') satisfies z.ZodType<DisclosureDecision>;

nameSchemas({ ConsentForm: ConsentFormView, Consent: ConsentView, DisclosureDecision: DisclosureDecisionView });
