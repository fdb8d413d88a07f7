/**
 * The code lists of 005010X279A1 that the coordinator's view depends on. Labels follow the X12 code names;
 * where a code is payer-facing jargon the coordinator message says what to do instead.
 */

/** Service types (X12 element 1365). Only those the platform shows by name; others keep their raw code. */
export const SERVICE_TYPE_LABELS = {
  '1': 'Medical care',
  '30': 'Health benefit plan coverage',
  '33': 'Chiropractic',
  '35': 'Dental care',
  '47': 'Hospital',
  '48': 'Hospital - inpatient',
  '50': 'Hospital - outpatient',
  '86': 'Emergency services',
  '88': 'Pharmacy',
  '98': 'Professional (physician) visit - office',
  A4: 'Psychiatric',
  A6: 'Psychotherapy',
  A7: 'Psychiatric - inpatient',
  A8: 'Psychiatric - outpatient',
  AI: 'Substance abuse',
  AJ: 'Alcoholism',
  AK: 'Drug addiction',
  AL: 'Vision (optometry)',
  CE: 'Mental health provider - inpatient',
  CF: 'Mental health provider - outpatient',
  CG: 'Substance abuse facility - inpatient',
  CH: 'Substance abuse facility - outpatient',
  MH: 'Mental health',
  UC: 'Urgent care',
} as const;

export type KnownServiceType = keyof typeof SERVICE_TYPE_LABELS;
/** Any service type code a payer sends; unknown ones are kept, not dropped. */
export type ServiceTypeCode = string;

export function serviceTypeLabel(code: ServiceTypeCode): string {
  return Object.prototype.hasOwnProperty.call(SERVICE_TYPE_LABELS, code) ? SERVICE_TYPE_LABELS[code as KnownServiceType] : `service type ${code}`;
}

/** Behavioural-health service types: the ones that carve-outs move to another company. */
export const BEHAVIOURAL_SERVICE_TYPES: ReadonlySet<ServiceTypeCode> = new Set(['MH', 'AI', 'AJ', 'AK', 'A4', 'A6', 'A7', 'A8', 'CE', 'CF', 'CG', 'CH']);

/** What an IOP admission needs verified: the plan itself plus mental-health and substance-use outpatient. */
export const DEFAULT_IOP_SERVICE_TYPES: readonly ServiceTypeCode[] = ['30', 'MH', 'AI', 'A8', 'CF', 'CH'];

/** EB01 (element 1390). */
export const BENEFIT_KINDS = {
  '1': 'Active coverage',
  '2': 'Active - full risk capitation',
  '3': 'Active - services capitated',
  '4': 'Active - services capitated to primary care physician',
  '5': 'Active - pending investigation',
  '6': 'Inactive',
  '7': 'Inactive - pending eligibility update',
  '8': 'Inactive - pending investigation',
  A: 'Co-insurance',
  B: 'Co-payment',
  C: 'Deductible',
  CB: 'Coverage basis',
  D: 'Benefit description',
  E: 'Exclusions',
  F: 'Limitations',
  G: 'Out of pocket (stop loss)',
  H: 'Unlimited',
  I: 'Non-covered',
  J: 'Cost containment',
  K: 'Reserve',
  L: 'Primary care provider',
  M: 'Pre-existing condition',
  MC: 'Managed care coordinator',
  N: 'Services restricted to following provider',
  O: 'Not deemed a medical necessity',
  P: 'Benefit disclaimer',
  Q: 'Second surgical opinion required',
  R: 'Other or additional payer',
  S: 'Prior year(s) history',
  T: 'Card(s) reported lost/stolen',
  U: 'Contact following entity for eligibility or benefit information',
  V: 'Cannot process',
  W: 'Other source of data',
  X: 'Health care facility',
  Y: 'Spend down',
} as const;
export type BenefitKind = keyof typeof BENEFIT_KINDS;

export const ACTIVE_KINDS: ReadonlySet<BenefitKind> = new Set(['1', '2', '3', '4', '5']);
export const INACTIVE_KINDS: ReadonlySet<BenefitKind> = new Set(['6', '7', '8']);

/** EB02 (element 1207). */
export const COVERAGE_LEVELS = {
  CHD: 'Children only',
  DEP: 'Dependents only',
  ECH: 'Employee and children',
  EMP: 'Employee only',
  ESP: 'Employee and spouse',
  FAM: 'Family',
  IND: 'Individual',
  SPC: 'Spouse and children',
  SPO: 'Spouse only',
} as const;
export type CoverageLevel = keyof typeof COVERAGE_LEVELS;

/** EB06 and HSD05 (element 615). */
export const TIME_PERIODS = {
  '6': 'Hour',
  '7': 'Day',
  '13': '24 hours',
  '21': 'Years',
  '22': 'Service year',
  '23': 'Calendar year',
  '24': 'Year to date',
  '25': 'Contract',
  '26': 'Episode',
  '27': 'Visit',
  '28': 'Outlier',
  '29': 'Remaining',
  '30': 'Exceeded',
  '31': 'Not exceeded',
  '32': 'Lifetime',
  '33': 'Lifetime remaining',
  '34': 'Month',
  '35': 'Week',
  '36': 'Admission',
} as const;
export type TimePeriod = keyof typeof TIME_PERIODS;

/** EB09 (element 673) and HSD01. */
export const QUANTITY_QUALIFIERS = {
  '8H': 'Minimum',
  '99': 'Quantity used',
  CA: 'Covered - actual',
  CE: 'Covered - estimated',
  D3: 'Number of co-insurance days',
  DB: 'Deductible blood units',
  DY: 'Days',
  FL: 'Units',
  HS: 'Hours',
  LA: 'Life-time reserve - actual',
  LE: 'Life-time reserve - estimated',
  M2: 'Maximum',
  MN: 'Month',
  P6: 'Number of services or procedures',
  QA: 'Quantity approved',
  S7: 'Age, high value',
  S8: 'Age, low value',
  VS: 'Visits',
  YY: 'Years',
} as const;
export type QuantityQualifier = keyof typeof QUANTITY_QUALIFIERS;

/** HSD03 (element 355). */
export const UNITS_OF_MEASURE = {
  DA: 'Days',
  MO: 'Months',
  VS: 'Visit',
  WK: 'Week',
  YR: 'Years',
} as const;
export type UnitOfMeasure = keyof typeof UNITS_OF_MEASURE;

/** DTP01 (element 374) in the 271. */
export const DATE_QUALIFIERS = {
  '096': 'Discharge',
  '102': 'Issue',
  '152': 'Effective date of change',
  '193': 'Period start',
  '194': 'Period end',
  '198': 'Completion',
  '290': 'Coordination of benefits',
  '291': 'Plan',
  '292': 'Benefit',
  '295': 'Primary care provider',
  '304': 'Latest visit or consultation',
  '307': 'Eligibility',
  '318': 'Added',
  '340': 'COBRA begin',
  '341': 'COBRA end',
  '342': 'Premium paid to date begin',
  '343': 'Premium paid to date end',
  '346': 'Plan begin',
  '347': 'Plan end',
  '348': 'Benefit begin',
  '349': 'Benefit end',
  '356': 'Eligibility begin',
  '357': 'Eligibility end',
  '382': 'Enrollment',
  '435': 'Admission',
  '442': 'Date of death',
  '458': 'Certification',
  '472': 'Service',
  '539': 'Policy effective',
  '540': 'Policy expiration',
  '636': 'Date of last update',
  '771': 'Status',
} as const;
export type DateQualifier = keyof typeof DATE_QUALIFIERS;

/** NM101 (element 98) values seen in 271 loops. */
export const ENTITY_CODES = {
  '03': 'Dependent',
  '13': 'Contracted service provider',
  '1I': 'Preferred provider organization (PPO)',
  '1P': 'Provider',
  '2B': 'Third-party administrator',
  '36': 'Employer',
  '73': 'Other physician',
  FA: 'Facility',
  GP: 'Gateway provider',
  GW: 'Group',
  I3: 'Independent physician association',
  IL: 'Insured or subscriber',
  LR: 'Legal representative',
  OC: 'Origin carrier',
  P3: 'Primary care provider',
  P4: 'Prior insurance carrier',
  P5: 'Plan sponsor',
  PR: 'Payer',
  PRP: 'Primary payer',
  SEP: 'Secondary payer',
  TTP: 'Tertiary payer',
  VER: 'Party performing verification',
  VN: 'Vendor',
  VY: 'Organization completing configuration change',
  X3: 'Utilization management organization',
  Y2: 'Managed care organization',
} as const;
export type EntityCode = keyof typeof ENTITY_CODES;

/** EB11 (element 1073) as the coordinator reads it. */
export type AuthorizationIndicator = 'required' | 'not-required' | 'unknown';
export const AUTHORIZATION_CODES = { Y: 'required', N: 'not-required', U: 'unknown' } as const satisfies Record<string, AuthorizationIndicator>;

/** EB12 (element 1073): Y in network, N out of network, W not applicable (applies to both), U unknown. */
export type NetworkIndicator = 'in-network' | 'out-of-network' | 'both' | 'unknown';
export const NETWORK_CODES = { Y: 'in-network', N: 'out-of-network', W: 'both', U: 'unknown' } as const satisfies Record<string, NetworkIndicator>;

/** INS02 (element 1069) and the 270 builder's relationship choices. */
export const RELATIONSHIP_CODES = {
  '01': 'spouse',
  '18': 'self',
  '19': 'child',
  '20': 'employee',
  '21': 'unknown',
  '34': 'other adult',
  '39': 'organ donor',
  '40': 'cadaver donor',
  '53': 'life partner',
  G8: 'other relationship',
} as const;
export type RelationshipCode = keyof typeof RELATIONSHIP_CODES;

export interface RejectReason {
  readonly label: string;
  /** What the insurance coordinator should do, in the words shown on their screen. */
  readonly coordinatorMessage: string;
}

/** AAA03 (element 901). Messages are written for the coordinator, not for an EDI analyst. */
export const REJECT_REASONS = {
  '04': {
    label: 'Authorized quantity exceeded',
    coordinatorMessage: 'too many inquiries sent to this payer: wait before retrying or verify by phone',
  },
  '15': {
    label: 'Required application data missing',
    coordinatorMessage: 'the payer says required information is missing: check the patient and provider details and resend',
  },
  '33': {
    label: 'Input errors',
    coordinatorMessage: 'the payer could not read part of the request: check the entered details and resend',
  },
  '35': {
    label: 'Out of network',
    coordinatorMessage: 'the payer reports our clinic is out of network for this member: confirm network status and out-of-network benefits by phone',
  },
  '41': {
    label: 'Authorization/access restrictions',
    coordinatorMessage:
      'our clinic is not authorised to check eligibility with this payer: ask the billing team to enrol the clinic for electronic eligibility, verify by phone meanwhile',
  },
  '42': {
    label: 'Unable to respond at current time',
    coordinatorMessage: 'payer system unavailable: retry later or verify by phone',
  },
  '43': {
    label: 'Invalid/missing provider identification',
    coordinatorMessage: "the payer does not recognise the clinic's NPI: check the NPI on the clinic profile, or ask the payer how the clinic is registered",
  },
  '44': {
    label: 'Invalid/missing provider name',
    coordinatorMessage: "the provider name does not match the payer's records: check the clinic's legal name on the clinic profile",
  },
  '45': {
    label: 'Invalid/missing provider specialty',
    coordinatorMessage: 'the payer needs the provider specialty (taxonomy): check the clinic taxonomy code and resend',
  },
  '46': {
    label: 'Invalid/missing provider phone number',
    coordinatorMessage: 'the payer needs a valid provider phone number: update the clinic profile and resend',
  },
  '47': {
    label: 'Invalid/missing provider state',
    coordinatorMessage: "the provider's state is missing or wrong: check the clinic address and resend",
  },
  '48': {
    label: 'Invalid/missing referring provider identification number',
    coordinatorMessage: 'the payer needs a referring provider: add the referring provider NPI from the referral and resend',
  },
  '49': {
    label: 'Provider is not primary care physician',
    coordinatorMessage: "the payer answers only the member's primary care physician: verify by phone",
  },
  '50': {
    label: 'Provider ineligible for inquiries',
    coordinatorMessage: 'the payer does not accept electronic inquiries from this provider: verify by phone',
  },
  '51': {
    label: 'Provider not on file',
    coordinatorMessage: 'the payer has no record of the clinic: check the NPI, or verify by phone and ask the payer to add the clinic',
  },
  '52': {
    label: 'Service dates not within provider plan enrollment',
    coordinatorMessage:
      "the service date falls outside the clinic's enrolment with this plan: check the date, or confirm the clinic's contract dates with the payer",
  },
  '53': {
    label: 'Inquired benefit inconsistent with provider type',
    coordinatorMessage: 'the payer will not answer for these services from this provider type: ask the payer which service types to request',
  },
  '54': {
    label: 'Inappropriate product/service ID qualifier',
    coordinatorMessage: 'the payer rejected the procedure code type: resend asking by service type only',
  },
  '55': {
    label: 'Inappropriate product/service ID',
    coordinatorMessage: 'the payer rejected the procedure code: resend asking by service type only',
  },
  '56': {
    label: 'Inappropriate date',
    coordinatorMessage: 'a date in the request is not acceptable to the payer: check the service date and date of birth',
  },
  '57': {
    label: 'Invalid/missing date(s) of service',
    coordinatorMessage: 'the service date is missing or invalid: enter the planned admission date and resend',
  },
  '58': {
    label: 'Invalid/missing date-of-birth',
    coordinatorMessage: 'date of birth missing or invalid: check it against the insurance card or ID and re-enter',
  },
  '60': {
    label: 'Date of birth follows date(s) of service',
    coordinatorMessage: 'the date of birth is after the service date: one of the two was keyed wrong; correct it and resend',
  },
  '61': {
    label: 'Date of death precedes date(s) of service',
    coordinatorMessage: 'the payer records a date of death before the service date: check you have the right person, then call the payer',
  },
  '62': {
    label: 'Date of service not within allowable inquiry period',
    coordinatorMessage: 'the payer does not answer for a service date that far away: use a date closer to today (usually within the current month) and resend',
  },
  '63': {
    label: 'Date of service in future',
    coordinatorMessage: "the payer does not answer for future dates: verify with today's date and re-verify on the admission date",
  },
  '64': {
    label: 'Invalid/missing patient ID',
    coordinatorMessage: "the patient's id is missing or wrong: check the insurance card and re-enter",
  },
  '65': {
    label: 'Invalid/missing patient name',
    coordinatorMessage: "the patient's name does not match: enter it exactly as on the insurance card and resend",
  },
  '66': {
    label: 'Invalid/missing patient gender code',
    coordinatorMessage: "the payer needs the patient's sex as on the policy: check and resend",
  },
  '67': {
    label: 'Patient not found',
    coordinatorMessage: 'the payer cannot find the patient on this policy: check name, date of birth and relationship against the card',
  },
  '68': {
    label: 'Duplicate patient ID number',
    coordinatorMessage: 'the payer found more than one patient with this id: add the date of birth and exact name and resend',
  },
  '69': {
    label: "Inconsistent with patient's age",
    coordinatorMessage: "the requested service does not fit the patient's age on file: check the date of birth",
  },
  '70': {
    label: "Inconsistent with patient's gender",
    coordinatorMessage: "the requested service does not fit the patient's sex on file: call the payer",
  },
  '71': {
    label: 'Patient birth date does not match that for the patient on the database',
    coordinatorMessage: "date of birth does not match the payer's records: check it with the patient and against the card, then re-enter",
  },
  '72': {
    label: 'Invalid/missing subscriber/insured ID',
    coordinatorMessage: 'member id not recognised by the payer: check the insurance card and re-enter the member id',
  },
  '73': {
    label: 'Invalid/missing subscriber/insured name',
    coordinatorMessage: "subscriber's name does not match: enter it exactly as on the insurance card (no nicknames) and resend",
  },
  '74': {
    label: 'Invalid/missing subscriber/insured gender code',
    coordinatorMessage: "the payer needs the subscriber's sex as on the policy: check and resend",
  },
  '75': {
    label: 'Subscriber/insured not found',
    coordinatorMessage:
      'the payer cannot find this subscriber: check member id, name and date of birth against the card; the coverage may have ended or be with another payer',
  },
  '76': {
    label: 'Duplicate subscriber/insured ID number',
    coordinatorMessage: 'the payer found more than one subscriber with this id: add date of birth and exact name and resend',
  },
  '77': {
    label: 'Subscriber found, patient not found',
    coordinatorMessage:
      "the subscriber exists but the patient is not on the policy: check the relationship and the dependent's details, or ask the family to add the dependent",
  },
  '78': {
    label: 'Subscriber/insured not in group/plan identified',
    coordinatorMessage: 'the subscriber is not in the group or plan given: check the group number on the card, or send without it',
  },
  '79': {
    label: 'Invalid participant identification',
    coordinatorMessage: 'the payer or clearinghouse rejected our submitter id: tell the billing team; verify by phone meanwhile',
  },
  '80': {
    label: 'No response received - transaction terminated',
    coordinatorMessage: 'the payer did not answer in time: retry later or verify by phone',
  },
  '97': {
    label: 'Invalid or missing provider address',
    coordinatorMessage: "the clinic's address is missing or wrong: check the clinic profile and resend",
  },
  T4: {
    label: 'Payer name or identifier missing',
    coordinatorMessage: 'the payer id is missing or unknown to the clearinghouse: check the payer selected for this plan',
  },
} as const satisfies Record<string, RejectReason>;
export type RejectReasonCode = keyof typeof REJECT_REASONS;

/** AAA04 (element 889). */
export const FOLLOW_UP_ACTIONS = {
  C: { label: 'Please correct and resubmit', coordinatorAction: 'correct the request and resend' },
  N: { label: 'Resubmission not allowed', coordinatorAction: 'do not resend: verify by phone' },
  P: { label: 'Please resubmit original transaction', coordinatorAction: 'resend the same request' },
  R: { label: 'Resubmission allowed', coordinatorAction: 'you may resend' },
  S: {
    label: 'Do not resubmit; inquiry initiated to a third party',
    coordinatorAction: 'do not resend: the payer has asked a third party and will answer later',
  },
  W: { label: 'Please wait 30 days and resubmit', coordinatorAction: 'resend in 30 days; verify by phone if admission is sooner' },
  X: { label: 'Please wait 10 days and resubmit', coordinatorAction: 'resend in 10 days; verify by phone if admission is sooner' },
  Y: {
    label: 'Do not resubmit; we will hand over your request',
    coordinatorAction: 'do not resend: the payer will answer again shortly',
  },
} as const satisfies Record<string, { label: string; coordinatorAction: string }>;
export type FollowUpActionCode = keyof typeof FOLLOW_UP_ACTIONS;

/** Companies that run behavioural-health benefits for health plans; a name match alone is a carve-out clue. */
export const BEHAVIOURAL_HEALTH_MANAGERS: readonly RegExp[] = [
  /\bmagellan\b/i,
  /\bbeacon\b/i,
  /\bcarelon\s+behavioral/i,
  /\boptum\s+behavioral/i,
  /\bunited\s+behavioral\s+health\b/i,
  /\bubh\b/i,
  /\bvalue\s*options\b/i,
  /\bnew\s+directions\b/i,
  /\bevernorth\s+behavioral/i,
  /\bcigna\s+behavioral/i,
  /\bcompsych\b/i,
  /\blucet\b/i,
  /\bbehavioral\s+health\b/i,
  /\bbehavioural\s+health\b/i,
  /\bmental\s+health\s+network\b/i,
];
