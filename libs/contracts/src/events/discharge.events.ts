import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';
import { LevelOfCare } from './scheduling.events';

/*
 * The end of an episode and what follows it. Ids, types, codes and dates only: no summary text, no goals, no names
 * (42 CFR Part 2). The discharge summary stays in aftercare's tables.
 */

const Instant = z.iso.datetime({ offset: true });
const LocalDate = z.iso.date();

/** How an episode ended. `lost-to-contact` is set by aftercare when no attendance was recorded for N days. */
export const DISCHARGE_TYPES = ['completed', 'step-down', 'step-up', 'transfer', 'against-clinical-advice', 'administrative', 'lost-to-contact'] as const;
export const DischargeType = z.enum(DISCHARGE_TYPES);

/** Where a step-up sends the patient (ASAM levels above IOP; all outside this platform). */
export const STEP_UP_DESTINATIONS = ['php-2.5', 'residential', 'inpatient'] as const;

export const PatientDischarged = defineEvent({
  type: 'aftercare.patient-discharged',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercareDischarges.name,
  schema: z.object({
    dischargeId: Id,
    episodeId: Id,
    patientId: Id,
    siteId: Id,
    type: DischargeType,
    /** A code from aftercare's reason table (e.g. `goals-met`, `moved-away`, `needs-higher-level`); never free text. */
    reasonCode: z.string().regex(/^[a-z0-9-]{2,40}$/),
    /** Site-local dates. */
    admittedOn: LocalDate,
    dischargedOn: LocalDate,
    /**
     * For `step-down`: the program the patient continues in (scheduling enrols them there) and its level;
     * `programId` null when the patient steps down to care outside the network.
     */
    stepDown: z.object({ programId: Id.nullable(), levelOfCare: LevelOfCare }).nullable(),
    /** For `step-up`: where the patient goes. */
    stepUp: z.object({ destination: z.enum(STEP_UP_DESTINATIONS) }).nullable(),
    /** For `transfer`: the site of the network that continues the patient's treatment (intake refers them there). */
    transferToSiteId: Id.nullable(),
    signedAt: Instant,
    occurredAt: Instant,
  }),
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description:
    'A clinician signed a discharge: the episode ends at the site on `dischargedOn`. Intake frees the place, scheduling releases seats and appointments after that date, attendance closes the rosters, insurance stops re-verification and authorisation counting; aftercare schedules the follow-ups.',
});

export const DischargeAmended = defineEvent({
  type: 'aftercare.discharge-amended',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercareDischarges.name,
  schema: z.object({
    dischargeId: Id,
    episodeId: Id,
    patientId: Id,
    siteId: Id,
    /** 1 for the first amendment; the discharge as amended follows. */
    amendment: z.number().int().positive(),
    type: DischargeType,
    reasonCode: z.string().regex(/^[a-z0-9-]{2,40}$/),
    dischargedOn: LocalDate,
    /**
     * Added by aftercare (optional, compatible): the destination as amended, with the same meaning as in
     * `aftercare.patient-discharged`, so an amendment that makes a discharge a transfer or a step-down says where to.
     * Absent from events of producers that predate it.
     */
    stepDown: z.object({ programId: Id.nullable(), levelOfCare: LevelOfCare }).nullable().optional(),
    stepUp: z
      .object({ destination: z.enum(STEP_UP_DESTINATIONS) })
      .nullable()
      .optional(),
    transferToSiteId: Id.nullable().optional(),
    occurredAt: Instant,
  }),
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description: 'A signed discharge was amended (type, reason or date); the values given are the discharge as it now stands.',
});

export const READMISSION_REASONS = ['relapse', 'high-risk', 'patient-request'] as const;

export const ReadmissionReferred = defineEvent({
  type: 'aftercare.readmission-referred',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercareReferrals.name,
  schema: z.object({
    /** Intake creates one referral per id (idempotent on redelivery). */
    readmissionReferralId: Id,
    patientId: Id,
    /** The episode the patient was discharged from; intake marks the new referral as its readmission. */
    priorEpisodeId: Id,
    /** The site that will take the referral (usually the discharging site). */
    siteId: Id,
    /** The follow-up that found the relapse or risk, when there was one. */
    followUpId: Id.nullable(),
    reason: z.enum(READMISSION_REASONS),
    occurredAt: Instant,
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: 'A follow-up found relapse or high risk: aftercare refers the patient back to intake, linked to the prior episode.',
});
