import { z } from 'zod';
import { PlannedStartDate } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, keysOf, nameSchemas } from '@iop/platform';
import { LEVELS_OF_CARE, PROGRAM_TYPE_LABELS } from '../domain';
import type { FollowUpTask } from '../infrastructure/admission.repository';

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

/* Responses */

const TASK_KINDS = keysOf({
  'coverage-timeout': true,
  'coverage-rejected': true,
  'coverage-verification-failed': true,
  'site-full': true,
  'offer-place': true,
  'transfer-referral': true,
  'readmission-referral': true,
} satisfies Record<FollowUpTask['kind'], true>);

export const EpisodeView = z.object({
  episodeId: ResponseId,
  referralId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  programType: z.enum(keysOf(PROGRAM_TYPE_LABELS)),
  levelOfCare: z.enum(LEVELS_OF_CARE),
  plannedWeeklyHours: z.number(),
  plannedStart: ResponseDate.describe("First day of treatment, in the site's calendar"),
  payment: z.enum(['insurance', 'self-pay']),
  status: z.enum(['active', 'ended']),
  admittedAt: ResponseInstant,
});

export const AdmittedView = z
  .object({
    status: z.literal('admitted'),
    kind: z.literal('admitted'),
    requestId: ResponseId.describe('The admission request'),
    episode: EpisodeView.describe('The treatment episode the patient was admitted to'),
  })
  .describe('Admitted at once: self-pay and the site had a place');

export const AwaitingCoverageView = z
  .object({
    status: z.literal('awaiting-coverage'),
    requestId: ResponseId.describe('The admission request; its outcome appears on the referral when insurance answers'),
    answerBy: ResponseInstant.describe("When insurance's answer is due; after it a follow-up task is opened"),
    consentId: ResponseId.describe('The consent under which the patient’s details were disclosed to the payer'),
  })
  .describe('Insurance is verifying coverage; the admission completes when it answers');

/** What the admission answers: 201 admitted, 202 awaiting coverage (a full site is a 409 with the waitlist place). */
export const AdmissionAnswerView = z.discriminatedUnion('status', [AdmittedView, AwaitingCoverageView]);

export const FollowUpTaskView = z.object({
  taskId: ResponseId,
  siteId: ResponseId,
  referralId: ResponseId,
  patientId: ResponseId,
  kind: z.enum(TASK_KINDS),
  detail: z.string().describe('What happened and what to do, for the coordinator'),
  createdAt: ResponseInstant,
});

export const FollowUpTaskList = z.array(FollowUpTaskView).describe('Open tasks, oldest first');

export const FollowUpTaskCompleted = z.object({ taskId: ResponseId, completed: z.literal(true) });

nameSchemas({
  Episode: EpisodeView,
  AdmissionAdmitted: AdmittedView,
  AdmissionAwaitingCoverage: AwaitingCoverageView,
  FollowUpTask: FollowUpTaskView,
  FollowUpTaskCompleted,
});

/** Why the coordinator withdraws the request: a code, not free text, so no PHI is written into the saga's record. */
export const CancelAdmissionBody = z.strictObject({
  reason: z.enum(['self-pay-instead', 'other-payer', 'patient-not-proceeding', 'payer-unreachable', 'entered-in-error', 'other']),
});
export type CancelAdmissionBody = z.infer<typeof CancelAdmissionBody>;

export const CancelAdmissionAnswer = z.object({
  requestId: ResponseId,
  referralId: ResponseId,
  status: z.literal('cancelled'),
  /** Whether the request was still within its deadline (`awaiting-coverage`) or past it (`timed-out`). */
  previousStatus: z.enum(['awaiting-coverage', 'timed-out']),
  cancelledAt: ResponseInstant,
});
