import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';

/*
 * A patient's place in scheduling: enrolment, seats in group sessions, the plan's hours, appointments and reminders.
 * Ids, dates and hours only: no names, no goals, no program names tied to a patient (42 CFR Part 2).
 */

const Instant = z.iso.datetime({ offset: true });

export const PatientEnrolled = defineEvent({
  type: 'scheduling.patient-enrolled',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingEnrolments.name,
  schema: z.object({
    enrolmentId: Id,
    patientId: Id,
    episodeId: Id,
    siteId: Id,
    plannedStart: z.iso.date(),
    status: z.enum(['awaiting-placement', 'placed']),
    /**
     * Added in a compatible change: for an enrolment a discharge stepped down to (`aftercare.patient-discharged`,
     * type `step-down` with a program), the discharged episode it continues. The enrolment's own `episodeId` is a new
     * one, so that the discharged episode's rosters and counts stay closed. Absent otherwise.
     */
    continuesEpisodeId: Id.optional(),
    occurredAt: Instant,
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description:
    'A patient admitted by intake (or transferred from another site, or stepped down to a lower level of care at discharge) has an enrolment at the site, awaiting placement in a track.',
});

export const ENROLMENT_CHANGES = ['placed', 'transferred', 'stepped-down', 'stepped-up', 'ended'] as const;

export const EnrolmentChanged = defineEvent({
  type: 'scheduling.enrolment-changed',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingEnrolments.name,
  schema: z.object({
    enrolmentId: Id,
    patientId: Id,
    episodeId: Id,
    siteId: Id,
    change: z.enum(ENROLMENT_CHANGES),
    /** The track the patient is in after the change (null once ended or transferred to another site). */
    trackId: Id.nullable(),
    programId: Id.nullable(),
    /** First local date the change applies to, in the site's calendar. */
    effectiveFrom: z.iso.date(),
    /** For `ended`: why (`transferred` to another site's enrolment, `episode-ended`). */
    endReason: z.enum(['transferred', 'episode-ended']).optional(),
    /** For a transfer to another site: the enrolment that continues the episode there; for an end at a step-down discharge: the enrolment of the lower level of care. */
    continuedBy: Id.optional(),
    occurredAt: Instant,
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: 'An enrolment was placed in a track, transferred, stepped down or up a level of care, or ended; `change` says which.',
});

const Seats = z.object({
  patientId: Id,
  enrolmentId: Id,
  episodeId: Id,
  siteId: Id,
  sessionIds: z.array(Id).min(1),
  occurredAt: Instant,
});

export const SeatsBooked = defineEvent({
  type: 'scheduling.seats-booked',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingEnrolments.name,
  schema: Seats,
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: 'The patient holds a seat in each of these group sessions; attendance builds its rosters from these and seats-released.',
});

export const SeatsReleased = defineEvent({
  type: 'scheduling.seats-released',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingEnrolments.name,
  schema: Seats,
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: "The patient's seats in these group sessions were released (plan change, transfer, step up or down, end of episode).",
});

export const TreatmentPlanUpdated = defineEvent({
  type: 'scheduling.treatment-plan-updated',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingEnrolments.name,
  schema: z.object({
    planId: Id,
    enrolmentId: Id,
    patientId: Id,
    episodeId: Id,
    siteId: Id,
    version: z.number().int().min(1),
    weeklyGroupMinutes: z.number().int().min(0),
    individualPerWeek: z.number().int().min(0),
    familyPerMonth: z.number().int().min(0),
    psychiatricPerMonth: z.number().int().min(0),
    effectiveFrom: z.iso.date(),
    nextReviewOn: z.iso.date(),
    occurredAt: Instant,
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: "A new version of a patient's treatment plan: the hours and dates of services (never its goals, which are PHI).",
});

const AppointmentFacts = z.object({
  appointmentId: Id,
  patientId: Id,
  enrolmentId: Id,
  siteId: Id,
  clinicianId: Id,
  kind: z.enum(['individual-therapy', 'family-therapy', 'psychiatric-evaluation', 'medication-management', 'case-management']),
  roomId: Id.nullable(),
  telehealth: z.boolean(),
  startsAt: Instant,
  endsAt: Instant,
  occurredAt: Instant,
});

export const AppointmentBooked = defineEvent({
  type: 'scheduling.appointment-booked',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingEnrolments.name,
  schema: AppointmentFacts,
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: 'An individual appointment (therapy, family therapy, psychiatric evaluation, medication management, case management) was booked.',
});

export const AppointmentRescheduled = defineEvent({
  type: 'scheduling.appointment-rescheduled',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingEnrolments.name,
  schema: AppointmentFacts,
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: 'An appointment moved (time, clinician, room or telehealth); the payload is its new state.',
});

export const AppointmentCancelled = defineEvent({
  type: 'scheduling.appointment-cancelled',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingEnrolments.name,
  schema: AppointmentFacts.extend({
    /**
     * Who asked for the cancellation: the patient or the clinic. Absent in events from before this field, and when the
     * appointment went with the end of the episode of care (a discharge or a transfer: nobody cancelled a visit).
     */
    cancelledBy: z
      .enum(['patient', 'clinic'])
      .optional()
      .describe('patient or clinic; absent when the episode ended (discharge, transfer) and in events from before this field'),
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description:
    'An appointment was cancelled, by the patient or the clinic, or with the end of the episode (the reason stays in scheduling: it is free text and may hold PHI).',
});

export const ReminderDue = defineEvent({
  type: 'scheduling.reminder-due',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingReminders.name,
  schema: z.object({
    reminderId: Id,
    sourceKind: z.enum(['session', 'appointment']),
    sourceId: Id,
    holderKind: z.enum(['patient', 'clinician']),
    holderId: Id,
    siteId: Id,
    startsAt: Instant,
    lead: z.enum(['24h', '2h']),
    occurredAt: Instant,
  }),
  key: (p) => p.holderId,
  site: (p) => p.siteId,
  description:
    'A patient or clinician has a group session or appointment in about 24 hours or 2 hours; the notification service reminds them. Each leaves once.',
});
