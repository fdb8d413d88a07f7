import { DEFAULT_IOP_SERVICE_TYPES, ServiceTypeCode } from './eligibility-codes';
import { X12BuildError } from './x12-parse-error';
import { X12Delimiters } from './x12-tokenizer';
import { IsoDate, isIsoDate, isoToCcyymmdd } from './x12-values';
import { SegmentSpec, writeInterchange } from './x12-writer';

export const IMPLEMENTATION_270 = '005010X279A1';

export type Gender = 'F' | 'M' | 'U';
export type DependentRelationship = 'spouse' | 'child' | 'other-adult';

/** INS02 codes a 270 may send for a dependent (2100D). */
export const DEPENDENT_RELATIONSHIP_CODES: Readonly<Record<DependentRelationship, string>> = {
  spouse: '01',
  child: '19',
  'other-adult': '34',
};

export interface InterchangeParty {
  /** ISA05/ISA07; ZZ (mutually defined) when omitted, which is what clearinghouses assign. */
  readonly qualifier?: string;
  /** ISA06/ISA08, at most 15 characters. */
  readonly id: string;
  /** GS02/GS03; the interchange id when omitted. */
  readonly applicationCode?: string;
}

export interface EligibilityInquiryInput {
  readonly sender: InterchangeParty;
  readonly receiver: InterchangeParty;
  readonly controlNumbers: {
    readonly interchange: number;
    readonly group: number;
    /** ST02: 4 to 9 digits; echoed in the 271 SE02. */
    readonly transaction: string;
  };
  /** Passed in, not read from a clock, so the same input always builds the same bytes. */
  readonly createdAt: { readonly date: IsoDate; readonly time: string };
  readonly usage?: 'production' | 'test';
  /** BHT03: our reference for this inquiry; the payer echoes it in the 271. */
  readonly reference: string;
  readonly informationSource: { readonly payerName: string; readonly payerId: string };
  readonly informationReceiver: { readonly npi: string; readonly name: string };
  readonly subscriber: {
    readonly memberId: string;
    readonly firstName: string;
    readonly lastName: string;
    readonly birthDate: IsoDate;
    readonly gender?: Gender;
    /** From the card, when it shows one; sent as REF*6P and helps the payer find the right plan. */
    readonly groupNumber?: string;
  };
  readonly dependent?: {
    readonly firstName: string;
    readonly lastName: string;
    readonly birthDate: IsoDate;
    readonly gender?: Gender;
    readonly relationship: DependentRelationship;
  };
  /** TRN at the patient's level; the 271 returns it so a response finds its inquiry. */
  readonly trace: { readonly number: string; readonly originatorId: string };
  readonly serviceDate: IsoDate | { readonly start: IsoDate; readonly end: IsoDate };
  readonly serviceTypes?: readonly ServiceTypeCode[];
  readonly format?: { readonly delimiters?: X12Delimiters; readonly lineEnding?: '' | '\n' | '\r\n' };
}

/** NPI check digit: Luhn over "80840" + the first nine digits (the card-issuer prefix for US health). */
export function isValidNpi(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  const digits = `80840${npi.slice(0, 9)}`;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10 === Number(npi[9]);
}

function text(field: string, value: string, min: number, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) {
    throw new X12BuildError(field, `must be ${min} to ${max} characters, is ${trimmed.length}`);
  }
  return trimmed;
}

function date(field: string, value: IsoDate): string {
  if (!isIsoDate(value)) throw new X12BuildError(field, `"${value}" is not a date (YYYY-MM-DD)`);
  return isoToCcyymmdd(value);
}

function serviceDateSegment(value: EligibilityInquiryInput['serviceDate']): SegmentSpec {
  if (typeof value === 'string') return ['DTP', '291', 'D8', date('serviceDate', value)];
  const start = date('serviceDate.start', value.start);
  const end = date('serviceDate.end', value.end);
  if (end < start) throw new X12BuildError('serviceDate', 'ends before it starts');
  return ['DTP', '291', 'RD8', `${start}-${end}`];
}

/**
 * Builds the 270 for one patient. The service types go one per EQ: 5010 allows repeating EQ01, but many payers
 * answer only the first repetition, while every payer answers each EQ loop.
 * Asking about AI/AJ/AK/CH from a substance-use program tells the payer the patient seeks that care, a 42 CFR
 * Part 2 disclosure: the use case that calls this checks the patient's consent first.
 */
export function build270(input: EligibilityInquiryInput): string {
  const serviceTypes = input.serviceTypes ?? DEFAULT_IOP_SERVICE_TYPES;
  if (serviceTypes.length === 0) throw new X12BuildError('serviceTypes', 'must name at least one service type');
  for (const [i, code] of serviceTypes.entries()) {
    if (!/^[A-Z0-9]{1,2}$/.test(code)) throw new X12BuildError(`serviceTypes[${i}]`, `"${code}" is not a service type code`);
  }
  if (!isValidNpi(input.informationReceiver.npi)) {
    throw new X12BuildError('informationReceiver.npi', `"${input.informationReceiver.npi}" is not a valid NPI (10 digits with a check digit)`);
  }
  const originator = input.trace.originatorId;
  if (!/^[A-Za-z0-9]{10}$/.test(originator)) {
    throw new X12BuildError('trace.originatorId', 'must be 10 letters or digits (1 or 9 followed by the EIN or an assigned id)');
  }

  const dependent = input.dependent;
  const trace: SegmentSpec = ['TRN', '1', text('trace.number', input.trace.number, 1, 50), originator];
  const dtp = serviceDateSegment(input.serviceDate);
  const eqs: SegmentSpec[] = serviceTypes.map((code) => ['EQ', code]);
  const subscriber = input.subscriber;

  const body: SegmentSpec[] = [
    ['BHT', '0022', '13', text('reference', input.reference, 1, 50), date('createdAt.date', input.createdAt.date), input.createdAt.time.replace(':', '')],
    ['HL', '1', '', '20', '1'],
    [
      'NM1',
      'PR',
      '2',
      text('informationSource.payerName', input.informationSource.payerName, 1, 60),
      '',
      '',
      '',
      '',
      'PI',
      text('informationSource.payerId', input.informationSource.payerId, 2, 80),
    ],
    ['HL', '2', '1', '21', '1'],
    ['NM1', '1P', '2', text('informationReceiver.name', input.informationReceiver.name, 1, 60), '', '', '', '', 'XX', input.informationReceiver.npi],
    ['HL', '3', '2', '22', dependent === undefined ? '0' : '1'],
    ...(dependent === undefined ? [trace] : []),
    [
      'NM1',
      'IL',
      '1',
      text('subscriber.lastName', subscriber.lastName, 1, 60),
      text('subscriber.firstName', subscriber.firstName, 1, 35),
      '',
      '',
      '',
      'MI',
      text('subscriber.memberId', subscriber.memberId, 2, 80),
    ],
    ...(subscriber.groupNumber === undefined
      ? []
      : [['REF', '6P', text('subscriber.groupNumber', subscriber.groupNumber, 1, 50)] as const satisfies SegmentSpec]),
    ['DMG', 'D8', date('subscriber.birthDate', subscriber.birthDate), subscriber.gender],
  ];
  if (dependent === undefined) {
    body.push(dtp, ...eqs);
  } else {
    body.push(
      ['HL', '4', '3', '23', '0'],
      trace,
      ['NM1', '03', '1', text('dependent.lastName', dependent.lastName, 1, 60), text('dependent.firstName', dependent.firstName, 1, 35)],
      ['DMG', 'D8', date('dependent.birthDate', dependent.birthDate), dependent.gender],
      ['INS', 'N', DEPENDENT_RELATIONSHIP_CODES[dependent.relationship]],
      dtp,
      ...eqs,
    );
  }

  return writeInterchange(
    {
      senderQualifier: input.sender.qualifier ?? 'ZZ',
      senderId: input.sender.id,
      receiverQualifier: input.receiver.qualifier ?? 'ZZ',
      receiverId: input.receiver.id,
      date: input.createdAt.date,
      time: input.createdAt.time,
      interchangeControlNumber: input.controlNumbers.interchange,
      groupControlNumber: input.controlNumbers.group,
      usage: input.usage ?? 'production',
      acknowledgmentRequested: false,
      functionalId: 'HS',
      applicationSenderCode: input.sender.applicationCode ?? input.sender.id,
      applicationReceiverCode: input.receiver.applicationCode ?? input.receiver.id,
      implementation: IMPLEMENTATION_270,
    },
    [{ id: '270', controlNumber: input.controlNumbers.transaction, body }],
    input.format ?? {},
  );
}
