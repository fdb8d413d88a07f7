import { z } from 'zod';
import { PlannedStartDate } from '@iop/contracts';

export const RequestAdmissionBody = z
  .strictObject({
    payment: z.enum(['insurance', 'self-pay']),
    /** The payer insurance verifies coverage with; the patient's consent must let the site disclose to it for payment. */
    payerId: z.string().trim().min(1).max(80).optional(),
    /** The patient was told the cost and agreed to pay it themselves. */
    selfPayAcknowledged: z.literal(true).optional(),
    /** First day of treatment, in the site's calendar. */
    plannedStart: PlannedStartDate,
  })
  .refine((b) => b.payment !== 'insurance' || b.payerId !== undefined, { message: 'name the payer (payerId) to verify coverage with', path: ['payerId'] })
  .refine((b) => b.payment !== 'self-pay' || b.selfPayAcknowledged === true, {
    message: 'self-pay needs the patient’s acknowledgement of the cost (selfPayAcknowledged: true)',
    path: ['selfPayAcknowledged'],
  });
export type RequestAdmissionBody = z.infer<typeof RequestAdmissionBody>;

/** Why the coordinator withdraws the request: a code, not free text, so no PHI is written into the saga's record. */
export const CancelAdmissionBody = z.strictObject({
  reason: z.enum(['self-pay-instead', 'other-payer', 'patient-not-proceeding', 'payer-unreachable', 'entered-in-error', 'other']),
});
export type CancelAdmissionBody = z.infer<typeof CancelAdmissionBody>;

export const CancelAdmissionAnswer = z.object({
  requestId: z.uuid(),
  referralId: z.uuid(),
  status: z.literal('cancelled'),
  /** Whether the request was still within its deadline (`awaiting-coverage`) or past it (`timed-out`). */
  previousStatus: z.enum(['awaiting-coverage', 'timed-out']),
  cancelledAt: z.iso.datetime(),
});
