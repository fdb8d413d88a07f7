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
  /** AAA01: N means the request itself was invalid; Y means valid but not answerable. */
  readonly validRequest: boolean;
  /** AAA03 as sent; payers occasionally send codes outside the list, which are kept. */
  readonly reasonCode: string;
  readonly reasonLabel: string;
  readonly coordinatorMessage: string;
  readonly followUpAction: FollowUpActionCode | undefined;
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
  /** Deviations from the X12 rules that were read past; each leaves what the response says unchanged. */
  readonly warnings: readonly X12Warning[];
}
