import { z } from 'zod';
import { ResponseId, ResponseInstant, keysOf, nameSchemas } from '@iop/platform';
import { REFERRAL_SOURCES, REFERRAL_STAGE_LABELS, URGENCY_LEVELS, type WaitlistOffer } from '../domain';

const OFFER_STATUSES = keysOf({ pending: true, declined: true, expired: true } satisfies Record<WaitlistOffer['status'], true>);

const OfferStatus = z
  .enum(OFFER_STATUSES)
  .describe(
    'pending: a place is held for the patient; declined: they turned it down and keep their spot; expired: nobody answered in time and the place passed on, they keep their spot',
  );

/** The waitlist in offer order: ids and codes, no names. */
export const WaitlistView = z
  .array(
    z.object({
      position: z.number().int().min(1),
      entryId: ResponseId,
      referralId: ResponseId,
      patientId: ResponseId,
      urgency: z.enum(URGENCY_LEVELS),
      referralSource: z.enum(REFERRAL_SOURCES),
      hasPriority: z.boolean().describe('Urgent referrals and inpatient step-downs are offered places first'),
      addedAt: ResponseInstant,
      offer: z.object({ status: OfferStatus, offeredAt: ResponseInstant }).nullable().describe('The latest place offered; null when none'),
    }),
  )
  .describe("The site's waitlist: urgent and inpatient step-downs first, then by arrival");

export const WaitlistPositionView = z.object({
  referralId: ResponseId,
  siteId: ResponseId,
  position: z.number().int().min(1).describe('1 is the next person offered a place'),
  of: z.number().int().min(1).describe('People on the waitlist'),
  hasPriority: z.boolean(),
  offer: OfferStatus.nullable().describe('The offer made to this patient, if any'),
});

const PlaceOffered = z
  .object({ entryId: ResponseId, referralId: ResponseId, patientId: ResponseId })
  .nullable()
  .describe('The waitlist entry the freed place is now offered to (a follow-up task asks a coordinator to call); null when nobody waits');

export const OfferDeclinedView = z.object({ entryId: ResponseId, offer: z.literal('declined'), offeredTo: PlaceOffered });

const STAGES = keysOf(REFERRAL_STAGE_LABELS);

export const PipelineView = z.object({
  siteId: ResponseId,
  counts: z.record(z.enum(STAGES), z.number().int().min(0)).describe('Referrals at the site per stage'),
  medianDaysReferralToAssessment: z.number().nullable().describe('Median days from referral to assessment, one decimal; null before any assessment'),
  medianDaysReferralToAdmission: z.number().nullable().describe('Median days from referral to admission, one decimal; null before any admission'),
  capacity: z.number().int().min(0).describe('Patients the site can treat at once'),
  activeEpisodes: z.number().int().min(0),
  waitlisted: z.number().int().min(0),
});

nameSchemas({
  WaitlistPosition: WaitlistPositionView,
  OfferDeclined: OfferDeclinedView,
  IntakePipeline: PipelineView,
});
