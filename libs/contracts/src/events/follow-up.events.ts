import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';
import { SuppressibleCell } from './analytics.events';

/*
 * What follows a discharge: the aftercare plan, the follow-up contacts at +7, +30 and +90 days, the outcome check-ins
 * and the de-identified site-month measures. Ids, kinds, counts, scores and dates only: no plan text, no names of
 * groups, sober-living houses or prescribers, no notes (42 CFR Part 2). Those stay in aftercare's tables.
 */

const Instant = z.iso.datetime({ offset: true });
const LocalDate = z.iso.date();

/** The kinds of item an aftercare plan holds. */
export const AFTERCARE_PLAN_ITEM_KINDS = [
  'continuing-care',
  'alumni-group',
  'mutual-help',
  'sober-living',
  'mat-continuation',
  'family-support',
  'crisis-plan',
] as const;
export const AftercarePlanItemKind = z.enum(AFTERCARE_PLAN_ITEM_KINDS);

/** Who carries an item out. */
export const AFTERCARE_ITEM_OWNERS = ['patient', 'clinician', 'case-manager', 'prescriber', 'family', 'peer-support'] as const;
export const AftercareItemOwner = z.enum(AFTERCARE_ITEM_OWNERS);

const PlanPayload = z.object({
  planId: Id,
  episodeId: Id,
  patientId: Id,
  siteId: Id,
  /** 1 when created; + 1 for each update (every version is kept in aftercare). */
  version: z.number().int().positive(),
  /** How many items of each kind the plan holds (every kind, 0 for none). */
  itemCounts: z.record(AftercarePlanItemKind, z.number().int().min(0)),
  /** Each item's kind, owner and dates, in plan order: no names, places or notes. */
  items: z.array(
    z.object({
      kind: AftercarePlanItemKind,
      owner: AftercareItemOwner,
      startsOn: LocalDate,
      endsOn: LocalDate.nullable(),
      /** The next dated step: the next MAT appointment, the next meeting, the sober-living intake... */
      nextOn: LocalDate.nullable(),
    }),
  ),
  occurredAt: Instant,
});

export const AftercarePlanCreated = defineEvent({
  type: 'aftercare.aftercare-plan-created',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercarePlans.name,
  schema: PlanPayload,
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description: "A discharged episode's aftercare plan was written (version 1): item kinds, owners and dates, no text.",
});

export const AftercarePlanUpdated = defineEvent({
  type: 'aftercare.aftercare-plan-updated',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercarePlans.name,
  schema: PlanPayload,
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description: 'An aftercare plan was revised: the plan as it now stands (version + 1); earlier versions stay in aftercare.',
});

/** How a follow-up contact was tried. */
export const FOLLOW_UP_METHODS = ['phone', 'text', 'video', 'in-person', 'email', 'letter'] as const;
export const FollowUpMethod = z.enum(FOLLOW_UP_METHODS);

const FollowUpIdentity = {
  followUpId: Id,
  episodeId: Id,
  patientId: Id,
  siteId: Id,
  /** Days after the discharge date this follow-up is planned at (7, 30, 90 by default). */
  dayOffset: z.number().int().positive(),
  /** The site-local date it is due: the discharge date + dayOffset. */
  dueOn: LocalDate,
};

export const FollowUpDue = defineEvent({
  type: 'aftercare.follow-up-due',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercareFollowUps.name,
  schema: z.object({ ...FollowUpIdentity, occurredAt: Instant }),
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description: "A follow-up contact is due today (the site's day): someone at the site calls the patient.",
});

export const FollowUpMissed = defineEvent({
  type: 'aftercare.follow-up-missed',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercareFollowUps.name,
  schema: z.object({ ...FollowUpIdentity, attempts: z.number().int().min(0), occurredAt: Instant }),
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description: 'The due day of a follow-up ended with no contact made: it is now overdue (it can still be completed late).',
});

export const FollowUpCompleted = defineEvent({
  type: 'aftercare.follow-up-completed',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercareFollowUps.name,
  schema: z.object({
    ...FollowUpIdentity,
    /** `done`: the patient was reached; `unreachable`: staff closed it after attempts that reached nobody. */
    result: z.enum(['done', 'unreachable']),
    method: FollowUpMethod.nullable(),
    completedAt: Instant,
    /** Site-local days from the discharge date to the contact (for `done`). */
    daysAfterDischarge: z.number().int().min(0).nullable(),
    attempts: z.number().int().min(0),
    occurredAt: Instant,
  }),
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description: 'A follow-up was closed: the patient was reached (done) or could not be reached after attempts (unreachable).',
});

const Band = z.string().regex(/^[a-z-]{3,30}$/);

export const OutcomeRecorded = defineEvent({
  type: 'aftercare.outcome-recorded',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercareOutcomes.name,
  schema: z.object({
    checkInId: Id,
    episodeId: Id,
    patientId: Id,
    siteId: Id,
    followUpId: Id.nullable(),
    takenAt: Instant,
    phq9: z.object({ total: z.number().int().min(0).max(27), band: Band }).nullable(),
    gad7: z.object({ total: z.number().int().min(0).max(21), band: Band }).nullable(),
    bam: z.object({ use: z.number().int().min(0).max(12), risk: z.number().int().min(0).max(24), protective: z.number().int().min(0).max(24) }).nullable(),
    daysAbstinent: z.number().int().min(0).nullable(),
    occurredAt: Instant,
  }),
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description: 'An outcome check-in after discharge: PHQ-9, GAD-7 and BAM scores and days abstinent. Scores only, never the answers.',
});

export const AftercareSafetyConcernRaised = defineEvent({
  type: 'aftercare.safety-concern-raised',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercareSafety.name,
  schema: z.object({
    concernId: Id,
    episodeId: Id,
    patientId: Id,
    siteId: Id,
    checkInId: Id,
    /** PHQ-9 item 9 answered 1, 2 or 3. */
    riskLevel: z.enum(['low', 'moderate', 'high']),
    origin: z.enum(['phq-9']),
    occurredAt: Instant,
  }),
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description: 'A check-in after discharge was positive on a safety item (PHQ-9 item 9): a clinician at the site must follow up at once.',
});

const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as 2026-03')
  .describe('Calendar month of the site-local discharge date, YYYY-MM');

const SiteMonth = z
  .object({
    siteId: Id,
    month: Month,
    discharges: SuppressibleCell.describe('Discharges (signed) with a site-local discharge date in the month'),
    eligible: SuppressibleCell.describe(
      'Discharges counted for follow-up and readmission: all but step-up and transfer (care continues at another level or site)',
    ),
    followUp7: SuppressibleCell.describe('Eligible discharges with a completed follow-up contact 1 to 7 days after the discharge date'),
    followUp7Rate: SuppressibleCell.describe('followUp7 / eligible, 0..1, 4 decimals'),
    followUp30: SuppressibleCell.describe('Eligible discharges with a completed follow-up contact 1 to 30 days after the discharge date'),
    followUp30Rate: SuppressibleCell.describe('followUp30 / eligible, 0..1, 4 decimals'),
    completed: SuppressibleCell.describe('Discharges of type completed'),
    completionRate: SuppressibleCell.describe('completed / discharges'),
    againstAdvice: SuppressibleCell.describe('Discharges against clinical advice'),
    againstAdviceRate: SuppressibleCell.describe('againstAdvice / discharges'),
    readmitted30: SuppressibleCell.describe('Eligible discharges followed by a new admission of the patient 0 to 30 days after the discharge date'),
    readmission30Rate: SuppressibleCell.describe('readmitted30 / eligible'),
    readmitted90: SuppressibleCell.describe('Eligible discharges followed by a new admission of the patient 0 to 90 days after the discharge date'),
    readmission90Rate: SuppressibleCell.describe('readmitted90 / eligible'),
    revision: z.number().int().min(1).describe('Grows each time the row is recomputed; keep the highest'),
    occurredAt: Instant,
  })
  .strict();
export type SiteMonthPayload = z.infer<typeof SiteMonth>;

export const AftercareSiteMonthComputed = defineEvent({
  type: 'analytics.aftercare-site-month',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.analyticsAftercareSiteMonth.name,
  schema: SiteMonth,
  key: (p) => `${p.siteId}:${p.month}`,
  site: (p) => p.siteId,
  description:
    "A site's month of discharges in aggregate: follow-up within 7 and 30 days, completion and against-advice rates, readmission within 30 and 90 days, counts under 11 suppressed. Recomputed as contacts and admissions arrive; the latest row per key is the truth. De-identified.",
});
