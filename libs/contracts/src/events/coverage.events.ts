import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';

/*
 * The admission saga's request and its three answers. Intake asks; insurance answers once per
 * request, correlated by requestId. No member ids or names travel: insurance holds the patient's
 * coverage (entered by insurance coordinators) and looks it up by patientId.
 */

export const ProgramType = z.enum(['substance-use', 'mental-health', 'co-occurring']);

export const CoverageVerificationRequested = defineEvent({
  type: 'intake.coverage-verification-requested',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeCoverageRequests.name,
  schema: z.object({
    requestId: Id,
    patientId: Id,
    referralId: Id,
    siteId: Id,
    programType: ProgramType,
    /** The planned first day of treatment, in the site's calendar. */
    serviceDate: z.iso.date(),
    /**
     * The consent intake relies on for disclosing to the payer. Insurance's copy of consents comes by another topic
     * and may lag this request; a request naming a consent insurance has not seen yet waits for it a short while.
     */
    consentId: Id.optional(),
    /** Intake turns a request without an answer by then into a follow-up task. */
    answerBy: z.iso.datetime({ offset: true }),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: "Intake asks insurance to verify a patient's coverage for IOP before admission.",
});

export const CoverageRequestCancelled = defineEvent({
  type: 'intake.coverage-request-cancelled',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeCoverageRequests.name,
  schema: z.object({
    requestId: Id,
    patientId: Id,
    referralId: Id,
    siteId: Id,
    /**
     * Why intake no longer waits for the answer: a coordinator cancelled it, the patient was admitted self-pay
     * after the request timed out, or the referral was closed. Intake ignores any answer to it from now on.
     */
    reason: z.enum(['cancelled-by-coordinator', 'superseded-by-self-pay', 'referral-closed']),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description:
    'Intake withdrew a coverage verification request: insurance may stop verifying it (an answer sent anyway is ignored). Same key as the request, so it follows it in order.',
});

const Answer = {
  requestId: Id,
  patientId: Id,
  siteId: Id,
  verificationId: Id,
  occurredAt: z.iso.datetime({ offset: true }),
};

export const CoverageVerified = defineEvent({
  type: 'insurance.coverage-verified',
  version: 1,
  producer: 'insurance',
  topic: TOPICS.insuranceCoverageResults.name,
  schema: z.object({
    ...Answer,
    payerId: z.string().min(1).max(80),
    inNetwork: z.boolean().optional(),
    authorizationRequired: z.boolean(),
    /** Behavioural-health benefits are managed by another entity; verify with it too. */
    carveOut: z.boolean(),
    /** 'electronic' (X12 270/271) or 'phone' (a coordinator recorded the payer's answer). */
    method: z.enum(['electronic', 'phone']),
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: 'Coverage for the requested IOP service is active; intake may admit.',
});

export const CoverageRejected = defineEvent({
  type: 'insurance.coverage-rejected',
  version: 1,
  producer: 'insurance',
  topic: TOPICS.insuranceCoverageResults.name,
  schema: z.object({
    ...Answer,
    reason: z.enum(['coverage-inactive', 'service-not-covered', 'member-not-found', 'out-of-network-not-covered', 'other']),
    method: z.enum(['electronic', 'phone']),
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: 'The payer says the patient is not covered for this service; intake offers self-pay or refers elsewhere.',
});

export const CoverageVerificationFailed = defineEvent({
  type: 'insurance.verification-failed',
  version: 1,
  producer: 'insurance',
  topic: TOPICS.insuranceCoverageResults.name,
  schema: z.object({
    ...Answer,
    reason: z.enum(['no-coverage-on-file', 'consent-missing', 'payer-unavailable', 'payer-error', 'not-offered-electronically']),
    /** True when insurance opened a phone-verification task and will answer again when it is done. */
    followUpPending: z.boolean(),
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: 'Coverage could not be verified (yet); the reason says what a coordinator should do.',
});
