import { z } from 'zod';
import { Id, ServiceDate } from '@iop/contracts';

/** Plan and service dates share the platform's window (libs/contracts dates). */
const IsoDate = ServiceDate;
const ProgramType = z.enum(['substance-use', 'mental-health', 'co-occurring']);
const Cents = z.number().int('must be whole cents').min(0).max(100_000_000);

export const VerifyBody = z.strictObject({
  serviceDate: IsoDate,
  programType: ProgramType,
});
export type VerifyBody = z.infer<typeof VerifyBody>;

/** What the payer's representative said, field by field, so the phone path yields the same facts as a 271. */
export const PhoneAnswerBody = z
  .strictObject({
    representative: z.string().trim().min(1).max(80),
    callReference: z.string().trim().min(1).max(80),
    coverageActive: z.boolean(),
    rejectionReason: z.enum(['coverage-inactive', 'service-not-covered', 'member-not-found', 'out-of-network-not-covered', 'other']).optional(),
    planBegin: IsoDate.optional(),
    planEnd: IsoDate.optional(),
    inNetwork: z.boolean().optional(),
    authorizationRequired: z.boolean(),
    carveOutEntity: z.string().trim().min(1).max(120).optional(),
    remainingDeductibleCents: Cents.optional(),
    coinsuranceBasisPoints: z.number().int().min(0).max(10_000).optional(),
    copayPerDayCents: Cents.optional(),
    remainingOutOfPocketCents: Cents.optional(),
    notes: z.string().trim().max(2000).optional(),
  })
  .refine((b) => b.coverageActive || b.rejectionReason !== undefined, {
    message: 'say why the payer does not cover the patient (rejectionReason)',
    path: ['rejectionReason'],
  });
export type PhoneAnswerBody = z.infer<typeof PhoneAnswerBody>;

export const PhoneTaskQuery = z.strictObject({ status: z.enum(['open', 'completed']).default('open') });
export type PhoneTaskQuery = z.infer<typeof PhoneTaskQuery>;

export const EstimateBody = z.strictObject({
  verificationId: Id,
  billingCode: z.enum(['H0015', 'S9480']),
  weeks: z.number().int().min(1).max(104),
  daysPerWeek: z.number().int().min(1).max(7),
});
export type EstimateBody = z.infer<typeof EstimateBody>;

export const FeeScheduleBody = z.strictObject({ perDiemCents: z.number().int('must be whole cents').min(1).max(10_000_000) });
export type FeeScheduleBody = z.infer<typeof FeeScheduleBody>;

export const AuthorizationBody = z
  .strictObject({
    patientId: Id,
    payerId: z.string().min(2).max(80),
    payerReference: z.string().trim().min(1).max(80),
    serviceCode: z.enum(['H0015', 'S9480']),
    unitsApproved: z.number().int().min(1).max(1000),
    startDate: IsoDate,
    endDate: IsoDate,
  })
  .refine((b) => b.startDate <= b.endDate, { message: 'endDate is before startDate', path: ['endDate'] });
export type AuthorizationBody = z.infer<typeof AuthorizationBody>;
