import { z } from 'zod';
import { BirthDate, Id, Instant, READMISSION_REASONS } from '@iop/contracts';
import { Paged, ResponseDate, ResponseId, ResponseInstant, keysOf, nameSchemas, PageCursor } from '@iop/platform';
import type { ReferralCreated } from '../application/create-referral.use-case';
import type { ReferralSummary } from '../application/referral-views';
import {
  LEVELS_OF_CARE,
  PRESENTING_CONCERNS,
  PROGRAM_TYPE_LABELS,
  REFERRAL_PROGRESSION,
  REFERRAL_SOURCES,
  CALLER_REFERRAL_SOURCES,
  REFERRAL_STAGE_LABELS,
  URGENCY_LEVELS,
  type MatchSignal,
  type OpenStage,
  type PresentingConcern,
  type ReferralStage,
  type RepeatCallerCandidate,
  type RepeatCallerVerdict,
} from '../domain';
import type { AdmissionRequestStatus } from '../infrastructure/admission.repository';
import { AssessmentView } from './assessment.schemas';
import { PreScreenOutcomeView } from './pre-screen.schemas';

const CONCERNS = Object.keys(PRESENTING_CONCERNS) as [PresentingConcern, ...PresentingConcern[]];
const STAGES = Object.keys(REFERRAL_STAGE_LABELS) as [ReferralStage, ...ReferralStage[]];

const DateOfBirth = BirthDate;

export const CreateReferralBody = z.strictObject({
  siteId: Id,
  /** `transfer` and `aftercare` referrals come from aftercare's events, never from a caller. */
  source: z.enum(CALLER_REFERRAL_SOURCES),
  /** The referring court, hospital or provider; required for "other-provider". Never leaves intake. */
  sourceDetail: z.string().trim().max(200).optional(),
  /** Defaults to the source's usual urgency (step-downs from detox, hospital or inpatient are expedited). */
  urgency: z.enum(URGENCY_LEVELS).optional(),
  caller: z.strictObject({
    givenName: z.string().trim().min(1, 'the given name is needed').max(100),
    familyName: z.string().trim().min(1, 'the family name is needed').max(100),
    dateOfBirth: DateOfBirth.optional(),
    phone: z.string().trim().min(7).max(40).optional(),
  }),
  presentingConcerns: z.array(z.enum(CONCERNS)).min(1, 'record at least one presenting concern'),
  concernNotes: z.string().trim().max(2000).optional(),
  receivedAt: Instant.optional(),
  /** The patient on file the coordinator confirmed this caller is; otherwise intake matches by name, birth date and phone. */
  patientId: Id.optional(),
});
export type CreateReferralBody = z.infer<typeof CreateReferralBody>;

const At = { at: Instant.optional() };

export const RecordContactBody = z.strictObject({ ...At });
export type RecordContactBody = z.infer<typeof RecordContactBody>;

export const BookAssessmentBody = z.strictObject({ ...At, appointmentAt: Instant });
export type BookAssessmentBody = z.infer<typeof BookAssessmentBody>;

export const CloseReferralBody = z.strictObject({
  ...At,
  reason: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('referred-elsewhere'), to: z.string().trim().max(200).optional() }),
    z.strictObject({ kind: z.literal('declined') }),
    z.strictObject({ kind: z.literal('unreachable') }),
    z.strictObject({ kind: z.literal('other'), note: z.string().max(1000) }),
  ]),
});
export type CloseReferralBody = z.infer<typeof CloseReferralBody>;

export const ListReferralsQuery = z.strictObject({
  siteId: Id.optional(),
  stage: z.enum(STAGES).optional(),
  source: z.enum(REFERRAL_SOURCES).optional(),
  /** Referrals received at least this many days ago. */
  minAgeDays: z.coerce.number().int().min(0).max(3650).optional(),
  maxAgeDays: z.coerce.number().int().min(0).max(3650).optional(),
  page: z.coerce.number().int().min(1).default(1).describe('Page number, from 1; skipping pages costs what is skipped: to walk a long list, use `cursor`'),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
  cursor: PageCursor.optional().describe(
    'Keyset pagination: the `nextCursor` of the previous page, unchanged. The page starts right after that page’s last referral (in the list’s order, newest first) whatever was added since; `page` is then ignored. Opaque: do not build one.',
  ),
});
// A separate name: a parameter typed with the schema's own name would hand the zod object to OpenAPI as a model class.
export type ReferralListFilter = z.infer<typeof ListReferralsQuery>;

export const CorrectPatientBody = z
  .strictObject({
    givenName: z.string().trim().min(1, 'the given name cannot be empty').max(100).optional(),
    familyName: z.string().trim().min(1, 'the family name cannot be empty').max(100).optional(),
    /** `null` clears a date of birth recorded in error. */
    dateOfBirth: DateOfBirth.nullable().optional(),
    phone: z.string().trim().min(7).max(40).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one of givenName, familyName, dateOfBirth, phone to correct' });
export type CorrectPatientBody = z.infer<typeof CorrectPatientBody>;

/* Responses */

const OPEN_STAGES = REFERRAL_PROGRESSION.filter((s) => s !== 'admitted') as [OpenStage, ...OpenStage[]];
const VERDICTS = keysOf({ 'likely-repeat': true, 'possible-repeat': true, 'different-person': true } satisfies Record<RepeatCallerVerdict, true>);
const SIGNALS = keysOf({ 'date-of-birth': true, phone: true, 'given-name': true, 'family-name': true, 'name-order': true } satisfies Record<MatchSignal, true>);
const REQUEST_STATUSES = keysOf({
  'awaiting-coverage': true,
  'timed-out': true,
  'coverage-rejected': true,
  'verification-failed': true,
  'self-pay': true,
  admitted: true,
  waitlisted: true,
  cancelled: true,
  superseded: true,
} satisfies Record<AdmissionRequestStatus, true>);

export const CloseReasonView = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('referred-elsewhere'), to: z.string().optional().describe('Where the person was referred, when recorded') }),
  z.object({ kind: z.literal('declined') }),
  z.object({ kind: z.literal('unreachable') }),
  z.object({ kind: z.literal('other'), note: z.string() }),
]);

/** A referral's lifecycle: ids, codes and times, no contact details. */
export const ReferralView = z.object({
  referralId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  source: z.enum(REFERRAL_SOURCES),
  urgency: z.enum(URGENCY_LEVELS),
  stage: z.enum(STAGES),
  presentingConcerns: z.array(z.enum(CONCERNS)),
  receivedAt: ResponseInstant,
  lastChangedAt: ResponseInstant.describe('When the latest step was recorded; later steps may not be dated before it'),
  assessmentAppointmentAt: ResponseInstant.optional().describe('The booked initial assessment; absent until one is booked'),
  closure: z
    .object({
      reason: CloseReasonView,
      closedAt: ResponseInstant,
      closedAtStage: z.enum(OPEN_STAGES).describe('The stage the referral had reached when closed'),
    })
    .optional()
    .describe('Present once the referral is closed'),
  readmission: z
    .object({
      priorEpisodeId: ResponseId.describe('The episode the patient was discharged from'),
      reason: z.enum(READMISSION_REASONS).describe('What the aftercare follow-up found'),
    })
    .optional()
    .describe('Present when this referral is a readmission: aftercare referred the patient back after a follow-up'),
  transferOf: ResponseId.optional().describe(
    'Present when the patient was discharged from another site of the network to this one: the episode this referral continues',
  ),
}) satisfies z.ZodType<ReferralSummary>;

export const RepeatCallerMatchView = z.object({
  knownCallerId: ResponseId.describe('The patient on file this caller may be'),
  score: z.number().min(0).max(100),
  verdict: z.enum(VERDICTS),
  reasons: z.array(z.object({ signal: z.enum(SIGNALS), points: z.number(), text: z.string().describe('Shown to the coordinator deciding whether to link') })),
}) satisfies z.ZodType<RepeatCallerCandidate>;

export const ReferralCreatedView = z.object({
  referralId: ResponseId,
  patientId: ResponseId.describe('The new patient, or the one on file this referral was linked to'),
  siteId: ResponseId,
  stage: z.literal('new'),
  urgency: z.enum(URGENCY_LEVELS),
  repeatCaller: z.object({
    linked: z.boolean().describe('True when the referral was linked to a patient already on file instead of creating a new one'),
    match: RepeatCallerMatchView.optional().describe('The patient linked to, and why; absent when not linked'),
    possibleMatches: z
      .array(RepeatCallerMatchView)
      .describe('People who may be this caller but were not linked: confirm with the caller, then link by patientId'),
  }),
}) satisfies z.ZodType<ReferralCreated>;

/** A patient's contact details as coordinators see them (PHI: every read is audited). */
export const ContactDetailsView = z.object({
  patientId: ResponseId,
  siteId: ResponseId,
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: ResponseDate.nullable(),
  phone: z.string().nullable(),
});

const AdmissionRequestView = z.object({
  requestId: ResponseId,
  payment: z.enum(['insurance', 'self-pay']),
  payerId: z.string().nullable(),
  plannedStart: ResponseDate,
  status: z.enum(REQUEST_STATUSES),
  answerBy: ResponseInstant.nullable().describe("When insurance's answer is due; null for self-pay"),
  outcome: z
    .object({
      payment: z.enum(['insurance', 'self-pay']).optional(),
      answer: z.enum(['verified', 'rejected', 'failed']).optional().describe("Insurance's answer"),
      verificationId: ResponseId.optional(),
      episodeId: ResponseId.optional(),
      position: z.number().int().optional().describe('Place on the waitlist when the site was full'),
      reason: z.string().optional(),
    })
    .nullable()
    .describe('How the request was settled; null while it waits'),
  createdAt: ResponseInstant,
});

export const ReferralDetailView = ReferralView.extend({
  sourceDetail: z.string().nullable().describe('The referring court, hospital or provider, when recorded'),
  concernNotes: z.string().nullable(),
  repeatCaller: RepeatCallerMatchView.nullable().describe('The match that linked this referral to a patient on file; null when none'),
  patient: ContactDetailsView,
  preScreen: z
    .object({ preScreenId: ResponseId, outcome: PreScreenOutcomeView, recordedAt: ResponseInstant })
    .nullable()
    .describe('The latest pre-screen; null before one'),
  assessment: AssessmentView.pick({ assessmentId: true, ratings: true, phq9: true, gad7: true, recommendation: true, decision: true, assessedAt: true })
    .nullable()
    .describe('Null before the assessment'),
  admissionRequests: z.array(AdmissionRequestView).describe('Every admission request, oldest first'),
  episode: z
    .object({
      episodeId: ResponseId,
      levelOfCare: z.enum(LEVELS_OF_CARE),
      programType: z.enum(keysOf(PROGRAM_TYPE_LABELS)),
      plannedWeeklyHours: z.number(),
      plannedStart: ResponseDate,
      status: z.enum(['active', 'ended']),
      admittedAt: ResponseInstant,
    })
    .nullable()
    .describe('The treatment episode once admitted; null before'),
});

export const PatientView = ContactDetailsView.extend({ referrals: z.array(ReferralView).describe("The patient's referrals, oldest first") });

export const ReferralListItem = ReferralView.extend({
  givenName: z.string(),
  familyName: z.string(),
  ageDays: z.number().int().describe('Whole days since the referral was received'),
});

export const ReferralPage = Paged(ReferralListItem)
  .extend({
    page: z.number().int().min(1).describe('The page returned, from 1; 1 for a page asked for by cursor'),
    total: z
      .number()
      .int()
      .min(0)
      .nullable()
      .describe('Referrals matching the filter across all pages, from counts kept per site, stage and source; null when the filter has an age bound'),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .describe('Referrals, newest first (ties by id)');

nameSchemas({
  CloseReason: CloseReasonView,
  Referral: ReferralView,
  RepeatCallerMatch: RepeatCallerMatchView,
  ReferralCreated: ReferralCreatedView,
  PatientContactDetails: ContactDetailsView,
  AdmissionRequest: AdmissionRequestView,
  ReferralDetail: ReferralDetailView,
  Patient: PatientView,
  ReferralListItem,
  ReferralPage,
});
