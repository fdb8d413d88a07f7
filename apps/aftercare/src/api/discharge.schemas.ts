import { z } from 'zod';
import { DISCHARGE_TYPES, Id, LevelOfCare, STEP_UP_DESTINATIONS, ServiceDate } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, nameSchemas, PageCursor } from '@iop/platform';

const Type = z.enum(DISCHARGE_TYPES);
const ReasonCode = z.string().regex(/^[a-z0-9-]{2,40}$/, 'a reason code such as goals-met (GET /discharge-reasons lists them)');

const StepDown = z
  .strictObject({
    programId: Id.nullable().describe("A program of the network (scheduling's), or null for care outside the network"),
    levelOfCare: LevelOfCare.optional().describe("Required when programId is null; otherwise the program's own level"),
  })
  .nullable();
const StepUp = z.strictObject({ destination: z.enum(STEP_UP_DESTINATIONS) }).nullable();

const Goals = z
  .strictObject({
    total: z.number().int().min(0).max(100),
    met: z.number().int().min(0).max(100),
    partly: z.number().int().min(0).max(100),
  })
  .refine((g) => g.met + g.partly <= g.total, { message: 'met and partly met goals cannot be more than the total' })
  .describe("The clinician's count of the treatment plan's goals (no goal text)");

const Destination = {
  stepDown: StepDown.optional().describe('For step-down only'),
  stepUp: StepUp.optional().describe('For step-up only'),
  transferToSiteId: Id.nullable().optional().describe('For transfer only: another site of the network'),
};

export const DraftDischargeBody = z.strictObject({
  type: Type,
  reasonCode: ReasonCode,
  dischargedOn: ServiceDate.describe("The last day of the episode in the site's calendar: not before admission, not in the future"),
  ...Destination,
  goals: Goals.nullable().optional(),
  summaryText: z
    .string()
    .trim()
    .min(1)
    .max(10_000)
    .nullable()
    .optional()
    .describe("The clinician's discharge summary (PHI: stays in aftercare, never in events)"),
});
export type DraftDischargeBody = z.infer<typeof DraftDischargeBody>;

export const EditDischargeBody = DraftDischargeBody.partial().refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type EditDischargeBody = z.infer<typeof EditDischargeBody>;

export const AmendmentBody = z
  .strictObject({
    type: Type.optional(),
    reasonCode: ReasonCode.optional(),
    dischargedOn: ServiceDate.optional(),
    ...Destination,
    reason: z.string().trim().min(1, 'say why the signed discharge is amended').max(1000),
  })
  .refine((b) => Object.keys(b).some((k) => k !== 'reason'), { message: 'name a type, reasonCode, dischargedOn or destination to amend' });
export type AmendmentBody = z.infer<typeof AmendmentBody>;

export const DischargeListQuery = z.strictObject({
  status: z.enum(['draft', 'signed']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: PageCursor.optional().describe('Keyset pagination: the nextCursor of the previous page, unchanged (newest first)'),
});
export type DischargeListQuery = z.infer<typeof DischargeListQuery>;

const Values = {
  type: Type,
  reasonCode: z.string(),
  dischargedOn: ResponseDate,
  stepDown: z.object({ programId: ResponseId.nullable(), levelOfCare: LevelOfCare }).nullable(),
  stepUp: z.object({ destination: z.enum(STEP_UP_DESTINATIONS) }).nullable(),
  transferToSiteId: ResponseId.nullable(),
};

const OutcomeScore = z
  .object({ measure: z.string(), score: z.number(), on: ResponseDate })
  .nullable()
  .describe('Null until aftercare records outcome measures (intake publishes no assessment scores)');

export const DischargeView = z.object({
  dischargeId: ResponseId,
  episodeId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  status: z.enum(['draft', 'signed']),
  proposedBy: z.enum(['clinician', 'lost-to-contact-sweep']),
  ...Values,
  goals: z.object({ total: z.number().int(), met: z.number().int(), partly: z.number().int() }).nullable(),
  summary: z.object({
    admittedOn: ResponseDate,
    sessionsAttended: z.number().int().describe('Sessions attended (on time, late or leaving early) up to the discharge date'),
    attendedMinutes: z.number().int(),
    hoursAttended: z.number().describe('attendedMinutes in hours, to a tenth'),
    firstOutcome: OutcomeScore,
    lastOutcome: OutcomeScore,
    text: z.string().nullable(),
  }),
  asSigned: z.object(Values).nullable().describe('The values as signed, before any amendment; null for a draft'),
  amendments: z.array(z.object({ amendment: z.number().int(), ...Values, reason: z.string(), amendedBy: z.string(), amendedAt: ResponseInstant })),
  createdAt: ResponseInstant,
  updatedAt: ResponseInstant,
  signedBy: z.string().nullable(),
  signedAt: ResponseInstant.nullable(),
});

export const DischargeListView = z.object({
  siteId: ResponseId,
  items: z.array(
    z.object({
      dischargeId: ResponseId,
      episodeId: ResponseId,
      patientId: ResponseId,
      status: z.enum(['draft', 'signed']),
      proposedBy: z.enum(['clinician', 'lost-to-contact-sweep']),
      type: Type,
      reasonCode: z.string(),
      admittedOn: ResponseDate,
      dischargedOn: ResponseDate,
      amendments: z.number().int(),
      signedAt: ResponseInstant.nullable(),
      createdAt: ResponseInstant,
    }),
  ),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

export const DischargeReasonsView = z.object({ reasons: z.array(z.object({ type: Type, codes: z.array(z.string()) })) });

export const AlumniConsentBody = z.strictObject({
  siteId: Id.describe('The site whose alumni group may contact the patient'),
  optIn: z.boolean().describe('true: the patient agrees to alumni contact; false: they withdraw it'),
});
export type AlumniConsentBody = z.infer<typeof AlumniConsentBody>;

export const AlumniConsentView = z.object({
  patientId: ResponseId,
  siteId: ResponseId,
  optedIn: z.boolean(),
  since: ResponseInstant.nullable().describe('When the consent as it stands was recorded'),
  changed: z.boolean().describe('false: the patient had already said so; nothing was recorded or published'),
});

export const AlumniRosterQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: PageCursor.optional(),
});
export type AlumniRosterQuery = z.infer<typeof AlumniRosterQuery>;

export const AlumniRosterView = z.object({
  siteId: ResponseId,
  items: z.array(z.object({ patientId: ResponseId, optedInAt: ResponseInstant, lastDischargedOn: ResponseDate.nullable() })),
  nextCursor: z.string().nullable(),
});

nameSchemas({ Discharge: DischargeView, DischargePage: DischargeListView, AlumniConsent: AlumniConsentView, AlumniRoster: AlumniRosterView });
