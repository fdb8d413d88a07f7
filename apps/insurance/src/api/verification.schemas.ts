import { z } from 'zod';
import { AuthorizationWarning, Id, ServiceDate } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, keysOf, nameSchemas } from '@iop/platform';
import type { Authorization, AuthorizationStatus } from '../application/authorizations';
import type { CoordinatorTaskKind, EligibilityOutcome, RejectionReason as RejectionReasonType, UnansweredReason } from '../application/eligibility-outcome';
import type { VerificationStatus } from '../application/verification-repository';
import { BILLING_CODE_DESCRIPTIONS, type EstimateStepKind, type MissingFigure } from '../domain/cost-estimate';
import {
  QUANTITY_QUALIFIERS,
  TIME_PERIODS,
  UNITS_OF_MEASURE,
  type AuthorizationIndicator,
  type CarveOutEvidence,
  type CoverageStatus,
  type FigureSource,
  type ServiceCoverage,
  type TierName,
} from '../domain/eligibility';

/** Plan and service dates share the platform's window (libs/contracts dates). */
const IsoDate = ServiceDate;
const ProgramType = z.enum(['substance-use', 'mental-health', 'co-occurring']);
/** Why a payer does not cover the patient: the phone form's choices and the electronic path's outcomes. */
const RejectionReason = z.enum([
  'coverage-inactive',
  'service-not-covered',
  'member-not-found',
  'out-of-network-not-covered',
  'other',
]) satisfies z.ZodType<RejectionReasonType>;
const Cents = z.number().int('must be whole cents').min(0).max(100_000_000);

export const VerifyBody = z.strictObject({
  serviceDate: IsoDate,
  programType: ProgramType,
});
export type VerifyBody = z.infer<typeof VerifyBody>;

/** What the payer's representative said, field by field, so the phone path yields the same facts as a 271. */
export const PhoneAnswerBody = z
  .strictObject({
    representative: z.string().trim().min(1).max(80),
    callReference: z.string().trim().min(1).max(80),
    coverageActive: z.boolean(),
    rejectionReason: RejectionReason.optional(),
    planBegin: IsoDate.optional(),
    planEnd: IsoDate.optional(),
    inNetwork: z.boolean().optional(),
    authorizationRequired: z.boolean(),
    carveOutEntity: z.string().trim().min(1).max(120).optional(),
    remainingDeductibleCents: Cents.optional(),
    coinsuranceBasisPoints: z.number().int().min(0).max(10_000).optional(),
    copayPerDayCents: Cents.optional(),
    remainingOutOfPocketCents: Cents.optional(),
    notes: z.string().trim().max(2000).optional(),
  })
  .refine((b) => b.coverageActive || b.rejectionReason !== undefined, {
    message: 'say why the payer does not cover the patient (rejectionReason)',
    path: ['rejectionReason'],
  });
export type PhoneAnswerBody = z.infer<typeof PhoneAnswerBody>;

export const PhoneTaskQuery = z.strictObject({ status: z.enum(['open', 'completed']).default('open') });
export type PhoneTaskQuery = z.infer<typeof PhoneTaskQuery>;

export const EstimateBody = z.strictObject({
  verificationId: Id,
  billingCode: z.enum(['H0015', 'S9480']),
  weeks: z.number().int().min(1).max(104),
  daysPerWeek: z.number().int().min(1).max(7),
});
export type EstimateBody = z.infer<typeof EstimateBody>;

export const FeeScheduleBody = z.strictObject({ perDiemCents: z.number().int('must be whole cents').min(1).max(10_000_000) });
export type FeeScheduleBody = z.infer<typeof FeeScheduleBody>;

export const AuthorizationBody = z
  .strictObject({
    patientId: Id,
    payerId: z.string().min(2).max(80),
    payerReference: z.string().trim().min(1).max(80),
    serviceCode: z.enum(['H0015', 'S9480']),
    unitsApproved: z.number().int().min(1).max(1000),
    startDate: IsoDate,
    endDate: IsoDate,
  })
  .refine((b) => b.startDate <= b.endDate, { message: 'endDate is before startDate', path: ['endDate'] });
export type AuthorizationBody = z.infer<typeof AuthorizationBody>;

/* Responses */

const BILLING_CODES = keysOf(BILLING_CODE_DESCRIPTIONS);
const PROGRAM_TYPES = ProgramType.options;
const STATUSES = keysOf({
  queued: true,
  'in-progress': true,
  verified: true,
  rejected: true,
  failed: true,
  'awaiting-phone': true,
} satisfies Record<VerificationStatus, true>);
const UNANSWERED = keysOf({ 'payer-unavailable': true, 'payer-error': true, 'not-offered-electronically': true } satisfies Record<UnansweredReason, true>);
const Period = z.enum(keysOf(TIME_PERIODS)).describe('X12 time period qualifier (e.g. 23 calendar year, 29 remaining)');
const Source = z
  .enum(keysOf({ 'service-type': true, 'benefit-block': true, plan: true } satisfies Record<FigureSource, true>))
  .describe('Whether the figure is for the service asked about (EB03), its benefit block (tied by EB05) or the plan as a whole');
const Origin = z
  .object({
    source: Source,
    segmentNumber: z.number().int().describe('The EB line the figure was read from (segment ordinal, ISA = 1)'),
    insuranceType: z.string().optional().describe('EB04, e.g. MA Medicare Part A, MB Part B'),
    planDescription: z.string().optional().describe('EB05, which names the benefit block'),
    placeOfService: z.string().optional().describe('III*ZZ place of service, e.g. 55 residential, 57 non-residential substance use treatment'),
  })
  .describe('Where in the raw 271 the figure comes from');
const Quantity = z.object({ qualifier: z.enum(keysOf(QUANTITY_QUALIFIERS)), value: z.number() });

/** What the payer's representative said, as recorded on the phone form. */
const PhoneAnswerView = z.object({
  representative: z.string(),
  callReference: z.string(),
  coverageActive: z.boolean(),
  rejectionReason: RejectionReason.optional(),
  planBegin: ResponseDate.optional(),
  planEnd: ResponseDate.optional(),
  inNetwork: z.boolean().optional(),
  authorizationRequired: z.boolean(),
  carveOutEntity: z.string().optional(),
  remainingDeductibleCents: z.number().int().optional(),
  coinsuranceBasisPoints: z.number().int().optional(),
  copayPerDayCents: z.number().int().optional(),
  remainingOutOfPocketCents: z.number().int().optional(),
  notes: z.string().optional(),
});

const Accumulator = z.object({
  totalCents: z.number().int().optional(),
  totalPeriod: Period.optional(),
  remainingCents: z.number().int().optional(),
  metCents: z.number().int().optional(),
  remainingDerived: z.boolean().describe('The payer sent total and met but not remaining; remaining is their difference'),
  source: Source,
  insuranceType: z.string().optional().describe('EB04 of the lines used: never one insurance type paired with another'),
  segmentNumbers: z.array(z.number().int()).describe('The EB lines the figures were read from'),
});
const AccumulatorView = Accumulator.extend({
  otherInsuranceTypes: z.array(Accumulator).optional().describe('The same figure under the other insurance types sent (Medicare Part A beside Part B)'),
});
const LevelSplit = z.object({ individual: AccumulatorView.optional(), family: AccumulatorView.optional() });

const TierSummaryView = z.object({
  network: z.enum(keysOf({ 'in-network': true, 'out-of-network': true, 'network-not-stated': true } satisfies Record<TierName, true>)),
  deductible: LevelSplit,
  outOfPocket: LevelSplit,
  coinsurance: z.object({ basisPoints: z.number().int().describe('1 % = 100'), source: Source, origin: Origin }).optional(),
  copay: z.object({ amountCents: z.number().int(), per: Period.optional(), source: Source, origin: Origin }).optional(),
  limits: z.array(
    z.object({
      description: z.string(),
      quantity: Quantity.optional(),
      amountCents: z.number().int().optional(),
      period: Period.optional(),
      remaining: z.boolean(),
      delivery: z.array(
        z.object({
          quantity: Quantity.optional(),
          unit: z.enum(keysOf(UNITS_OF_MEASURE)).optional(),
          sampleSelectionModulus: z.number().optional(),
          period: Period.optional(),
          periodCount: z.number().optional(),
        }),
      ),
      source: Source,
      origin: Origin,
    }),
  ),
  authorization: z.enum(keysOf({ required: true, 'not-required': true, unknown: true } satisfies Record<AuthorizationIndicator, true>)),
  nonCovered: z.boolean(),
  messages: z.array(z.string()),
});

const RejectionView = z.object({
  loop: z.string().describe('The X12 loop the AAA segment sat in'),
  validRequest: z.boolean().optional().describe('AAA01: true valid request, false invalid; absent when the payer sent another value'),
  reasonCode: z.string().describe('AAA03 as sent'),
  reasonLabel: z.string(),
  coordinatorMessage: z.string(),
  followUpAction: z.string().optional().describe('AAA04 as sent'),
  followUpLabel: z.string().optional(),
  segmentNumber: z.number().int(),
});

const CarveOutView = z.object({
  memberHierarchyId: z.string(),
  serviceTypes: z.array(z.string()),
  entity: z
    .object({
      entityCode: z.string(),
      name: z.string().optional(),
      idQualifier: z.string().optional(),
      id: z.string().optional(),
      phone: z.string().optional(),
      url: z.string().optional(),
    })
    .optional()
    .describe('The organisation that administers the carved-out benefit, when named'),
  evidence: z.enum(keysOf({ 'contact-entity': true, 'related-entity': true, message: true } satisfies Record<CarveOutEvidence, true>)),
  segmentNumber: z.number().int(),
  message: z.string().describe('What the coordinator is told to do'),
});

const NotUnderstoodView = z.object({
  segmentNumber: z.number().int().describe('The first segment of the line (ISA = 1)'),
  segmentId: z.string(),
  text: z.string().describe('The segment as the payer sent it'),
  unknown: z.array(
    z.object({
      segmentNumber: z.number().int(),
      segmentId: z.string(),
      element: z.string().optional().describe('EB06, DTP01, …; absent when the whole segment is unknown'),
      value: z.string().describe('As sent'),
      expected: z.string().describe('What the element should have held'),
    }),
  ),
  rejections: z.array(RejectionView),
});

/** The patient's benefits as read from the payer's 271, for the service types asked about. */
const MemberBenefitsView = z.object({
  role: z.enum(['subscriber', 'dependent']),
  hierarchyId: z.string(),
  memberId: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  coverage: z.object({
    status: z.enum(keysOf({ active: true, inactive: true, unknown: true } satisfies Record<CoverageStatus, true>)),
    explanation: z.string(),
    planBegin: ResponseDate.optional(),
    planEnd: ResponseDate.optional(),
    eligibilityBegin: ResponseDate.optional(),
    eligibilityEnd: ResponseDate.optional(),
  }),
  plan: z.object({
    description: z.string().optional(),
    insuranceType: z.string().optional(),
    groupNumber: z.string().optional(),
    groupName: z.string().optional(),
    planNumber: z.string().optional(),
  }),
  planMessages: z.array(z.string()),
  serviceTypes: z.array(
    z.object({
      code: z.string().describe('X12 service type code (e.g. AI substance use, MH mental health)'),
      label: z.string(),
      coverage: z.enum(keysOf({ covered: true, 'not-covered': true, 'not-stated': true } satisfies Record<ServiceCoverage, true>)),
      inNetwork: TierSummaryView,
      outOfNetwork: TierSummaryView,
      networkNotStated: TierSummaryView.optional().describe('Present only when the payer sent figures without saying which network'),
    }),
  ),
  carveOuts: z.array(CarveOutView),
  rejections: z.array(RejectionView),
  notUnderstood: z
    .array(NotUnderstoodView)
    .optional()
    .describe("Lines of the member's loops with a code or segment this system does not know, as sent; no figure or status above comes from them"),
});

/** The whole 271 summary: kept when the payer answered without the patient in it. */
const WholeBenefitsView = z.object({
  payer: z.object({ name: z.string().optional(), id: z.string().optional() }),
  reference: z.string().optional(),
  serviceDate: ResponseDate,
  rejections: z.array(RejectionView),
  members: z.array(MemberBenefitsView),
  carveOuts: z.array(CarveOutView),
  notUnderstood: z.array(NotUnderstoodView).optional().describe("Segments outside the members' loops this system does not know, as sent"),
});

const OutcomeView = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('verified'),
    authorizationRequired: z.boolean().describe('The payer requires prior authorisation for the service'),
    carveOut: z.boolean().describe('Another organisation administers the behavioural health benefit'),
    messages: z.array(z.string()),
  }),
  z.object({ kind: z.literal('rejected'), reason: RejectionReason, messages: z.array(z.string()) }),
  z.object({ kind: z.literal('unanswered'), reason: z.enum(UNANSWERED), messages: z.array(z.string()) }),
]) satisfies z.ZodType<EligibilityOutcome>;

const WarningView = z.object({
  code: z.string().describe('What kind of deviation, e.g. segment-count-mismatch, missing-trailer, isa-not-fixed-width'),
  segmentNumber: z.number().int().optional().describe('The segment concerned (ISA = 1)'),
  segmentId: z.string().optional(),
  element: z.string().optional(),
  message: z.string(),
});

/** A benefits verification (PHI: every read is audited). */
export const VerificationView = z.object({
  verificationId: ResponseId,
  siteId: ResponseId,
  patientId: ResponseId,
  coverageId: ResponseId.nullable().describe('The coverage verified; null when none was found'),
  payerId: z.string().nullable(),
  serviceDate: ResponseDate,
  programType: z.enum(PROGRAM_TYPES),
  requestId: ResponseId.nullable().describe("Intake's admission request this answers; null when a coordinator asked"),
  status: z.enum(STATUSES),
  method: z.enum(['electronic', 'phone']).nullable().describe('How the payer answered; null before it did'),
  fromCache: z.boolean().describe('Answered from a recent verification of the same coverage, date and programme'),
  reason: z.string().nullable().describe('Why it was rejected, failed or went to the phone queue; null when verified'),
  outcome: OutcomeView.nullable(),
  benefits: z
    .union([MemberBenefitsView, WholeBenefitsView, PhoneAnswerView])
    .nullable()
    .describe("The patient's benefits: from the payer's 271, or as the payer's representative gave them by phone; null before an answer"),
  requestedBy: z.string().describe('The staff member who asked (or the admission saga)'),
  phoneTaskId: ResponseId.optional().describe('The coordinator task opened when electronic verification could not answer, or the payer rejected the inquiry'),
  warnings: z.array(WarningView).optional().describe("Deviations from the X12 rules in the payer's 271 that were read past; none of them changes what it says"),
});

/** One X12 message of a verification's exchange with the payer, as sent or received (PHI: every read is audited). */
export const ExchangeView = z.object({
  direction: z.enum(['270', '271']).describe('270: the inquiry sent; 271: the answer received'),
  at: ResponseInstant.describe('When it was sent or received'),
  body: z.string().describe("The X12 text exactly as sent or received; the summary's segment numbers count its segments from ISA = 1"),
  warnings: z.array(WarningView).describe('Deviations from the X12 rules the reader found in it (271 only)'),
});
export const ExchangeList = z.array(ExchangeView).describe('The 270s and 271s of the verification, in the order they were exchanged');

export const PhoneTaskView = z.object({
  taskId: ResponseId,
  verificationId: ResponseId,
  siteId: ResponseId,
  patientId: ResponseId,
  payerId: z.string(),
  reason: z.enum([...UNANSWERED, ...RejectionReason.options]).describe('Why electronic verification could not answer, or why the payer rejected the inquiry'),
  kind: z
    .enum(
      keysOf({
        'retry-later': true,
        'clinic-enrolment': true,
        'correct-member-details': true,
        'correct-inquiry': true,
        'verify-by-phone': true,
      } satisfies Record<CoordinatorTaskKind, true>),
    )
    .describe("What the coordinator is asked to do; from the payer's AAA rejection when there was one"),
  action: z.string().nullable().describe('The same, in words'),
  status: z.enum(['open', 'completed']),
  answer: PhoneAnswerView.nullable().describe("What the payer's representative said; null while open"),
});

export const PhoneTaskList = z.array(PhoneTaskView).describe('Tasks with the status asked for, oldest first');

export const FeeView = z.object({
  siteId: ResponseId,
  billingCode: z.enum(BILLING_CODES),
  perDiemCents: z.number().int().describe('The per-diem rate, whole cents'),
});

export const FeeScheduleView = z
  .array(z.object({ billingCode: z.enum(BILLING_CODES), perDiemCents: z.number().int().describe('The per-diem rate, whole cents') }))
  .describe("The site's per-diem rates, by billing code");

const StepView = z.object({
  kind: z.enum(
    keysOf({ allowed: true, 'not-covered': true, copay: true, deductible: true, coinsurance: true, 'out-of-pocket-cap': true } satisfies Record<
      EstimateStepKind,
      true
    >),
  ),
  patientCents: z
    .number()
    .int()
    .optional()
    .describe("What this step adds to (or, for the cap, takes off) the patient's share; absent when it cannot be computed"),
  runningPatientCents: z.number().int().optional().describe("The patient's share after this step"),
  explanation: z.string(),
});

const TierEstimateView = z.object({
  network: z.enum(['in-network', 'out-of-network']),
  days: z.number().int(),
  allowedCents: z.number().int(),
  steps: z.array(StepView),
  complete: z.boolean().describe('False when a figure the payer did not report is missing'),
  missing: z.array(
    z.enum(
      keysOf({ copay: true, 'remaining deductible': true, coinsurance: true, 'remaining out-of-pocket maximum': true } satisfies Record<MissingFigure, true>),
    ),
  ),
  patientResponsibilityCents: z.number().int().optional().describe('Absent when the estimate is incomplete'),
  planPaysCents: z.number().int().optional(),
  ceilingCents: z.number().int().optional().describe('The most the patient can owe whatever the missing figures are; only when incomplete'),
  summary: z.string(),
});

export const EstimateView = z.object({
  verificationId: ResponseId,
  perDiemCents: z.number().int(),
  serviceType: z.string().optional().describe('The X12 service type whose figures were used; absent for a phone verification'),
  estimate: z.object({
    billingCode: z.enum(BILLING_CODES),
    description: z.string(),
    days: z.number().int(),
    inNetwork: TierEstimateView,
    outOfNetwork: TierEstimateView,
    notes: z.array(z.string()),
  }),
  assumptions: z.object({ inNetwork: z.array(z.string()), outOfNetwork: z.array(z.string()) }),
});

export const AuthorizationView = z.object({
  authorizationId: ResponseId,
  siteId: ResponseId,
  patientId: ResponseId,
  payerId: z.string(),
  payerReference: z.string().describe("The payer's reference for the authorisation"),
  serviceCode: z.enum(BILLING_CODES),
  unitsApproved: z.number().int(),
  startDate: ResponseDate,
  endDate: ResponseDate,
}) satisfies z.ZodType<Authorization>;

export const AuthorizationStatusList = z
  .array(
    AuthorizationView.extend({
      unitsUsed: z.number().int().min(0).describe('Attended days charged against it'),
      unitsRemaining: z.number().int().min(0),
      warnings: z.array(AuthorizationWarning),
      advice: z.array(z.string()).describe('What to do about each warning'),
    }) satisfies z.ZodType<AuthorizationStatus>,
  )
  .describe("The patient's authorisations, earliest start first");

nameSchemas({
  PhoneAnswer: PhoneAnswerView,
  BenefitAccumulator: Accumulator,
  BenefitTier: TierSummaryView,
  EligibilityRejection: RejectionView,
  CarveOut: CarveOutView,
  MemberBenefits: MemberBenefitsView,
  EligibilityBenefits: WholeBenefitsView,
  EligibilityOutcome: OutcomeView,
  Verification: VerificationView,
  EligibilityExchange: ExchangeView,
  PhoneTask: PhoneTaskView,
  FeeScheduleRate: FeeView,
  CostEstimateStep: StepView,
  TierEstimate: TierEstimateView,
  CostEstimate: EstimateView,
  Authorization: AuthorizationView,
});
