import { z } from 'zod';
import { Id, Instant } from '@iop/contracts';
import { RECIPIENT_CLASSES, RECORD_KINDS, REQUIRED_FORM_STATEMENTS, REVOCATION_METHODS, SIGNATURE_METHODS } from '../domain';

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
