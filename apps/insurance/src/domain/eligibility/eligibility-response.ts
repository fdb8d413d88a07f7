import {
  AuthorizationIndicator,
  BenefitKind,
  CoverageLevel,
  DateQualifier,
  FollowUpActionCode,
  NetworkIndicator,
  QuantityQualifier,
  RelationshipCode,
  ServiceTypeCode,
  TimePeriod,
  UnitOfMeasure,
} from './eligibility-codes';
import { DateRange, IsoDate } from './x12-values';
import { X12Warning } from './x12-warnings';

/** The loop an AAA sat in: tells whether the payer objected to itself, the clinic, the subscriber or a benefit. */
export type RejectionLoop = '2000A' | '2100A' | '2100B' | '2000C' | '2100C' | '2110C' | '2000D' | '2100D' | '2110D';

export interface Rejection {
  readonly loop: RejectionLoop;
  /** AAA01: N means the request itself was invalid; Y means valid but not answerable; undefined for any other value (kept in a warning). */
  readonly validRequest: boolean | undefined;
  /** AAA03 as sent; payers occasionally send codes outside the list, which are kept. */
  readonly reasonCode: string;
  readonly reasonLabel: string;
  readonly coordinatorMessage: string;
  /** AAA04 as sent; a code outside the list is kept (followUpLabel is then undefined and a warning says so). */
  readonly followUpAction: FollowUpActionCode | string | undefined;
  readonly followUpLabel: string | undefined;
  readonly segmentNumber: number;
}

export interface ContactNumbers {
  readonly name: string | undefined;
  readonly phone: string | undefined;
  readonly phoneExtension: string | undefined;
  readonly fax: string | undefined;
  readonly email: string | undefined;
  readonly url: string | undefined;
}

export interface RelatedEntity {
  readonly entityCode: string;
  readonly name: string | undefined;
  readonly firstName: string | undefined;
  readonly idQualifier: string | undefined;
  readonly id: string | undefined;
  readonly contacts: readonly ContactNumbers[];
  readonly segmentNumber: number;
}

export interface BenefitDate extends DateRange {
  readonly qualifier: DateQualifier;
  /** D8 (one date) or RD8 (a range). A single plan or eligibility date means "from that date", not "that day only". */
  readonly format: 'D8' | 'RD8';
}

export interface BenefitQuantity {
  readonly qualifier: QuantityQualifier;
  readonly value: number;
}

/** HSD: "30 visits per calendar year", "3 days per week". */
export interface DeliveryPattern {
  readonly quantity: BenefitQuantity | undefined;
  readonly unit: UnitOfMeasure | undefined;
  readonly sampleSelectionModulus: number | undefined;
  readonly period: TimePeriod | undefined;
  readonly periodCount: number | undefined;
}

export interface Reference {
  readonly qualifier: string;
  readonly value: string;
  readonly description: string | undefined;
}

export interface ProcedureCode {
  readonly qualifier: string;
  readonly code: string;
  readonly modifiers: readonly string[];
}

export interface AdditionalInformation {
  readonly qualifier: string;
  readonly code: string | undefined;
  readonly text: string | undefined;
}

/** One EB segment with everything that follows it up to the next EB, HL or SE. */
export interface Benefit {
  readonly segmentNumber: number;
  readonly kind: BenefitKind;
  readonly coverageLevel: CoverageLevel | undefined;
  /** Empty when the payer did not say; such a benefit is read as applying to the plan as a whole. */
  readonly serviceTypes: readonly ServiceTypeCode[];
  readonly insuranceType: string | undefined;
  readonly planDescription: string | undefined;
  readonly timePeriod: TimePeriod | undefined;
  readonly amountCents: number | undefined;
  readonly percentBasisPoints: number | undefined;
  readonly quantity: BenefitQuantity | undefined;
  readonly authorization: AuthorizationIndicator | undefined;
  readonly network: NetworkIndicator;
  readonly procedure: ProcedureCode | undefined;
  readonly delivery: readonly DeliveryPattern[];
  readonly references: readonly Reference[];
  readonly dates: readonly BenefitDate[];
  readonly messages: readonly string[];
  readonly additionalInformation: readonly AdditionalInformation[];
  readonly relatedEntities: readonly RelatedEntity[];
  readonly rejections: readonly Rejection[];
}

/** A code the reader does not know, as sent, and where it was. */
export interface UnknownValue {
  readonly segmentNumber: number;
  readonly segmentId: string;
  /** EB01, DTP01, … ; undefined when the whole segment is one the reader does not know. */
  readonly element: string | undefined;
  readonly value: string;
  /** What the element should have held, e.g. "time period qualifier". */
  readonly expected: string;
}

/**
 * A line the reader could not understand: an EB whose benefit kind, coverage level, time period, quantity,
 * authorisation or network indicator is a code it does not know, or whose HSD, DTP or loop holds one; a segment it
 * does not know; a member date or relationship it cannot read. Kept as sent, never read as something it may not
 * mean: such an EB is not among the member's benefits, so no figure, coverage status or fallback comes from it.
 */
export interface NotUnderstoodLine {
  /** The first segment of the line (the EB of a benefit). */
  readonly segmentNumber: number;
  readonly segmentId: string;
  /** The segment as sent, with its element separators. */
  readonly text: string;
  readonly unknown: readonly UnknownValue[];
  /** AAA segments in the not-understood benefit's loop: still rejections the coordinator must act on. */
  readonly rejections: readonly Rejection[];
}

export interface TraceNumber {
  /** TRN01: 1 current transaction trace (ours, echoed back), 2 referenced (the payer's). */
  readonly type: string;
  readonly reference: string;
  readonly originator: string;
}

export type MemberRole = 'subscriber' | 'dependent';

/**
 * A subscriber or dependent as the payer answered for them. Names and ids stay inside the insurance service:
 * nothing here goes on an event.
 */
export interface MemberEligibility {
  readonly role: MemberRole;
  readonly hierarchyId: string;
  /** For a dependent, the subscriber's hierarchyId. */
  readonly parentHierarchyId: string | undefined;
  readonly traces: readonly TraceNumber[];
  readonly memberId: string | undefined;
  readonly lastName: string | undefined;
  readonly firstName: string | undefined;
  readonly birthDate: IsoDate | undefined;
  readonly gender: string | undefined;
  readonly relationship: RelationshipCode | undefined;
  readonly references: readonly Reference[];
  readonly dates: readonly BenefitDate[];
  readonly benefits: readonly Benefit[];
  readonly rejections: readonly Rejection[];
  /** Lines of this member's loops that were not understood, in the order sent. */
  readonly notUnderstood: readonly NotUnderstoodLine[];
}

export interface InformationSource {
  readonly name: string | undefined;
  readonly idQualifier: string | undefined;
  readonly id: string | undefined;
  readonly contacts: readonly ContactNumbers[];
  readonly rejections: readonly Rejection[];
}

export interface InformationReceiver {
  readonly name: string | undefined;
  readonly idQualifier: string | undefined;
  /** The NPI when idQualifier is XX. */
  readonly id: string | undefined;
  readonly rejections: readonly Rejection[];
}

/** One 271 transaction set. */
export interface EligibilityResponse {
  readonly interchangeControlNumber: string;
  readonly groupControlNumber: string;
  readonly transactionControlNumber: string;
  /** BHT03: the reference our 270 sent, echoed. */
  readonly reference: string | undefined;
  readonly createdOn: IsoDate;
  readonly informationSource: InformationSource;
  readonly informationReceiver: InformationReceiver;
  readonly members: readonly MemberEligibility[];
  /** Deviations from the X12 rules that were read past, and codes or segments the reader does not know. */
  readonly warnings: readonly X12Warning[];
  /** Segments outside any member's loops that were not understood (unknown segments in the payer or clinic loops). */
  readonly notUnderstood: readonly NotUnderstoodLine[];
}
