import { z } from 'zod';
import { BirthDate, Id, ServiceDate } from '@iop/contracts';
import { ResponseDate, ResponseId, nameSchemas } from '@iop/platform';
import type { DisclosureAnswer } from '../application/consent-read-model';
import type { Coverage } from '../application/coverage-repository';
import type { Payer } from '../application/payer-directory';

const NoDelimiters = /^[^*~^:|{}\\]+$/;
const Person = z.strictObject({
  firstName: z.string().trim().min(1).max(35).regex(NoDelimiters, 'may not contain * ~ ^ : | { } or \\'),
  lastName: z.string().trim().min(1).max(60).regex(NoDelimiters, 'may not contain * ~ ^ : | { } or \\'),
  birthDate: BirthDate,
  gender: z.enum(['F', 'M', 'U']).optional(),
});

/** X12 has no escaping: a delimiter inside a value would break the 270, so ids are kept to safe characters. */
const X12Safe = (what: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9 .-]+$/, `${what} may hold letters, digits, spaces, dots and dashes only`);

export const RecordCoverageBody = z
  .strictObject({
    patientId: Id,
    payerId: z.string().min(2).max(80),
    priority: z.enum(['primary', 'secondary']),
    memberId: X12Safe('memberId', 2, 80),
    groupNumber: X12Safe('groupNumber', 1, 50).optional(),
    relationship: z.enum(['self', 'spouse', 'child', 'other-adult']),
    subscriber: Person,
    patient: Person.optional(),
    planBegin: ServiceDate.optional(),
    planEnd: ServiceDate.optional(),
  })
  .refine((b) => !b.planBegin || !b.planEnd || b.planBegin <= b.planEnd, { message: 'planEnd is before planBegin', path: ['planEnd'] });
export type RecordCoverageBody = z.infer<typeof RecordCoverageBody>;

export const UpdatePayerBody = z
  .strictObject({
    name: z.string().trim().min(1).max(60),
    electronicPayerId: z
      .string()
      .regex(/^[A-Za-z0-9]{2,80}$/, 'must be the clearinghouse payer id (letters and digits)')
      .nullable(),
    routing: z.enum(['clearinghouse', 'phone']),
    phone: z.string().trim().max(40).nullable(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type UpdatePayerBody = z.infer<typeof UpdatePayerBody>;

export const DisclosureCheckQuery = z.strictObject({ payerId: z.string().min(2).max(80) });

/* Responses */

const PersonView = z.object({
  firstName: z.string(),
  lastName: z.string(),
  birthDate: ResponseDate,
  gender: z.enum(['F', 'M', 'U']).optional(),
});

/** A patient's plan as copied from the card (PHI: every read is audited). */
export const CoverageView = z.object({
  coverageId: ResponseId,
  siteId: ResponseId,
  patientId: ResponseId,
  payerId: z.string().describe('The payer in the directory (GET /payers)'),
  priority: z.enum(['primary', 'secondary']),
  memberId: z.string(),
  groupNumber: z.string().nullable(),
  relationship: z.enum(['self', 'spouse', 'child', 'other-adult']).describe("The patient's relationship to the subscriber"),
  subscriber: PersonView,
  patient: PersonView.nullable().describe("The patient, when they are the subscriber's dependent; null when they are the subscriber"),
  planBegin: ResponseDate.nullable(),
  planEnd: ResponseDate.nullable(),
}) satisfies z.ZodType<Coverage>;

export const CoverageList = z.array(CoverageView).describe("The patient's coverages at the site, primary first");

export const PaymentDisclosureView = z
  .discriminatedUnion('allowed', [
    z.object({ allowed: z.literal(true), consentId: ResponseId.describe('The consent in force that allows it') }),
    z.object({ allowed: z.literal(false), missing: z.string().describe('What consent is missing, and what to do') }),
  ])
  .describe('Whether an eligibility inquiry (270) to the payer may be sent now') satisfies z.ZodType<DisclosureAnswer>;

export const PayerView = z.object({
  payerId: z.string(),
  name: z.string(),
  electronicPayerId: z.string().nullable().describe('The id the clearinghouse routes a 270 by; null for payers verified by phone only'),
  routing: z.enum(['clearinghouse', 'phone']).describe('How coverage is verified with this payer'),
  phone: z.string().nullable().describe("The payer's provider line, for phone verification"),
  revision: z.number().int().min(1).describe('Increases with every change'),
}) satisfies z.ZodType<Payer>;

export const PayerList = z.array(PayerView).describe('The payers, by name');

nameSchemas({ CoverageHolder: PersonView, Coverage: CoverageView, PaymentDisclosure: PaymentDisclosureView, Payer: PayerView });
