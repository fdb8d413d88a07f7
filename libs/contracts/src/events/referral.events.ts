import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';

/*
 * The referral's walk through intake, one event per step. Ids and codes only: names, contact details, the
 * referring organisation's name and close notes stay in intake, since analysts and other services read this topic.
 */

const Step = {
  referralId: Id,
  patientId: Id,
  siteId: Id,
  occurredAt: z.iso.datetime({ offset: true }),
};

export const ReferralSourceCode = z.enum([
  'self',
  'family',
  'hospital-ed',
  'detox',
  'inpatient-step-down',
  'court',
  'employer-assistance-programme',
  'other-provider',
]);

export const ReferralReceived = defineEvent({
  type: 'intake.referral-received',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeReferrals.name,
  schema: z.object({
    ...Step,
    source: ReferralSourceCode,
    urgency: z.enum(['routine', 'expedited', 'urgent']),
    repeatCaller: z.boolean(),
    /**
     * Added in a compatible change: for a `transfer` or `aftercare` referral, the episode it continues (a transfer)
     * or may readmit the patient after (a readmission). Absent for every other referral.
     */
    priorEpisodeId: Id.optional(),
    /**
     * Added in a compatible change: what a referral that continues an earlier episode is. `transfer`: another site of
     * the network discharged the patient to this one (`source` is then `other-provider`); `readmission`: an aftercare
     * follow-up referred the patient back (`source` is then `other-provider`). `source` keeps its v1 values, so a
     * consumer built on the first schema still reads every referral.
     */
    continues: z.enum(['transfer', 'readmission']).optional(),
  }),
  key: (p) => p.referralId,
  site: (p) => p.siteId,
  description: 'A referral was recorded (any source); a repeat caller is linked to their existing patient record.',
});

export const ReferralContacted = defineEvent({
  type: 'intake.referral-contacted',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeReferrals.name,
  schema: z.object({
    ...Step,
  }),
  key: (p) => p.referralId,
  site: (p) => p.siteId,
  description: 'Intake made first contact with the person referred.',
});

export const ReferralPreScreened = defineEvent({
  type: 'intake.referral-pre-screened',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeReferrals.name,
  schema: z.object({
    ...Step,
    routing: z.enum(['proceed-to-assessment', 'withdrawal-management-first', 'higher-level-of-care-first']),
  }),
  key: (p) => p.referralId,
  site: (p) => p.siteId,
  description: 'The first-call pre-screen was recorded, with its routing.',
});

export const ReferralAssessmentBooked = defineEvent({
  type: 'intake.referral-assessment-booked',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeReferrals.name,
  schema: z.object({
    ...Step,
    appointmentAt: z.iso.datetime({ offset: true }),
  }),
  key: (p) => p.referralId,
  site: (p) => p.siteId,
  description: 'An initial assessment was booked.',
});

export const ReferralAssessmentRescheduled = defineEvent({
  type: 'intake.referral-assessment-rescheduled',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeReferrals.name,
  schema: z.object({
    ...Step,
    appointmentAt: z.iso.datetime({ offset: true }),
    previousAppointmentAt: z.iso.datetime({ offset: true }),
  }),
  key: (p) => p.referralId,
  site: (p) => p.siteId,
  description: 'The initial assessment was moved to another time.',
});

export const ReferralAssessed = defineEvent({
  type: 'intake.referral-assessed',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeReferrals.name,
  schema: z.object({
    ...Step,
  }),
  key: (p) => p.referralId,
  site: (p) => p.siteId,
  description: 'The initial assessment (ASAM dimensions, PHQ-9, GAD-7) was recorded.',
});

export const ReferralAdmitted = defineEvent({
  type: 'intake.referral-admitted',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeReferrals.name,
  schema: z.object({
    ...Step,
  }),
  key: (p) => p.referralId,
  site: (p) => p.siteId,
  description: 'The referral ended in an admission (intake.patient-admitted carries the episode).',
});

export const ReferralClosed = defineEvent({
  type: 'intake.referral-closed',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeReferrals.name,
  schema: z.object({
    ...Step,
    reason: z.enum(['referred-elsewhere', 'declined', 'unreachable', 'other']),
    closedAtStage: z.enum(['new', 'contacted', 'pre-screened', 'assessment-booked', 'assessed']),
  }),
  key: (p) => p.referralId,
  site: (p) => p.siteId,
  description: 'The referral was closed without admission; the reason is a code, never the note.',
});
