import { z } from 'zod';
import { BirthDate, Id, Instant } from '@iop/contracts';
import { PRESENTING_CONCERNS, REFERRAL_SOURCES, REFERRAL_STAGE_LABELS, URGENCY_LEVELS, type PresentingConcern, type ReferralStage } from '../domain';

const CONCERNS = Object.keys(PRESENTING_CONCERNS) as [PresentingConcern, ...PresentingConcern[]];
const STAGES = Object.keys(REFERRAL_STAGE_LABELS) as [ReferralStage, ...ReferralStage[]];

const DateOfBirth = BirthDate;

export const CreateReferralBody = z.strictObject({
  siteId: Id,
  source: z.enum(REFERRAL_SOURCES),
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
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
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
