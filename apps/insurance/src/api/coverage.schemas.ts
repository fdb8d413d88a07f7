import { z } from 'zod';
import { BirthDate, Id, ServiceDate } from '@iop/contracts';

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
