import {
  AUTHORIZATION_CODES,
  BENEFIT_KINDS,
  BenefitKind,
  COVERAGE_LEVELS,
  DATE_QUALIFIERS,
  NETWORK_CODES,
  QUANTITY_QUALIFIERS,
  RELATIONSHIP_CODES,
  TIME_PERIODS,
  UNITS_OF_MEASURE,
} from './eligibility-codes';
import {
  AdditionalInformation,
  Benefit,
  BenefitQuantity,
  ContactNumbers,
  DeliveryPattern,
  EligibilityResponse,
  InformationReceiver,
  InformationSource,
  MemberEligibility,
  NotUnderstoodLine,
  ProcedureCode,
  RelatedEntity,
  RejectionLoop,
  UnknownValue,
} from './eligibility-response';
import { checkTransactionSet, FunctionalGroup, Interchange, readInterchange, TransactionSet, TransactionSetSpec } from './x12-envelope';
import { HierarchyTracker, readContact, readDtp, readName, readReference, readRejection, readTrace, unexpected, unknownValue } from './x12-loops';
import { X12ParseError } from './x12-parse-error';
import { X12Segment } from './x12-tokenizer';
import { X12Warning } from './x12-warnings';
import { readDate, readMoneyCents, readPercentBasisPoints, readQuantity } from './x12-values';

export const IMPLEMENTATION_271 = '005010X279A1';

/** The readonly response types with their arrays opened up, for building them segment by segment. */
type Draft<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

type MemberLetter = 'C' | 'D';

/**
 * Where the reader is. After an LE only a new EB or HL may follow (the 2120 loop closes its 2110 group), which is
 * why that is a state of its own.
 */
type State =
  | { readonly at: 'start' }
  | { readonly at: '2000A' }
  | { readonly at: '2100A' }
  | { readonly at: '2000B' }
  | { readonly at: '2100B' }
  | { readonly at: '2000'; readonly letter: MemberLetter; readonly member: Draft<MemberEligibility> }
  | { readonly at: '2100'; readonly letter: MemberLetter; readonly member: Draft<MemberEligibility> }
  | {
      readonly at: '2110';
      readonly letter: MemberLetter;
      readonly member: Draft<MemberEligibility>;
      readonly benefit: Draft<Benefit>;
      readonly eb: X12Segment;
    }
  | {
      readonly at: '2120';
      readonly letter: MemberLetter;
      readonly member: Draft<MemberEligibility>;
      readonly benefit: Draft<Benefit>;
      readonly eb: X12Segment;
      readonly entity: Draft<RelatedEntity> | undefined;
      readonly ls: X12Segment;
    }
  | { readonly at: 'after-LE'; readonly letter: MemberLetter; readonly member: Draft<MemberEligibility> };

const EXPECT_2100A = ['PER', 'AAA', 'HL'];
const EXPECT_2100B = ['REF', 'N3', 'N4', 'AAA', 'PRV', 'HL'];
const EXPECT_2100 = ['REF', 'N3', 'N4', 'AAA', 'PRV', 'DMG', 'INS', 'HI', 'DTP', 'MPI', 'EB', 'HL'];
const EXPECT_2110 = ['HSD', 'REF', 'DTP', 'AAA', 'MSG', 'III', 'LS', 'EB', 'HL'];
const EXPECT_2120 = ['NM1', 'N3', 'N4', 'PER', 'PRV', 'LE'];

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: X12ParseError };

/** Implementation guides read as the 005010X279A1 271: the guide before its addenda, and 4010, which older payers still send. */
const READABLE_IMPLEMENTATIONS: Readonly<Record<string, string | undefined>> = {
  [IMPLEMENTATION_271]: undefined,
  '005010X279': 'is the 005010X279 guide without its A1 addenda; read as 005010X279A1',
  '004010X092A1': 'is a 4010 (004010X092A1) response; read with the 005010X279A1 loops, which it shares for what the coordinator is told',
  '004010X092': 'is a 4010 (004010X092) response; read with the 005010X279A1 loops, which it shares for what the coordinator is told',
};

const TRANSACTION_SET: TransactionSetSpec = {
  id: '271',
  what: 'eligibility response',
  functionalId: 'HB',
  implementation: IMPLEMENTATION_271,
  readable: READABLE_IMPLEMENTATIONS,
};

function newMember(role: 'subscriber' | 'dependent', id: string, parentId: string | undefined): Draft<MemberEligibility> {
  return {
    role,
    hierarchyId: id,
    parentHierarchyId: role === 'dependent' ? parentId : undefined,
    traces: [],
    memberId: undefined,
    lastName: undefined,
    firstName: undefined,
    birthDate: undefined,
    gender: undefined,
    relationship: undefined,
    references: [],
    dates: [],
    benefits: [],
    rejections: [],
    notUnderstood: [],
  };
}

/** Every segment a 271 uses. Any other is one the reader does not know: kept as sent, with a warning, not refused. */
const SEGMENTS_271: ReadonlySet<string> = new Set([
  'ISA',
  'IEA',
  'GS',
  'GE',
  'ST',
  'SE',
  'BHT',
  'HL',
  'TRN',
  'NM1',
  'N3',
  'N4',
  'PER',
  'PRV',
  'REF',
  'AAA',
  'DMG',
  'INS',
  'HI',
  'DTP',
  'MPI',
  'EB',
  'HSD',
  'MSG',
  'III',
  'LS',
  'LE',
]);

/**
 * What one transaction set's reading collects besides the response: its warnings, the response-level lines not
 * understood, and the benefits taken out of their member's list because something in their loop was not understood.
 */
interface Reading {
  readonly warnings: X12Warning[];
  readonly notUnderstood: Draft<NotUnderstoodLine>[];
  readonly quarantined: Map<Draft<Benefit>, Draft<NotUnderstoodLine>>;
}

function segmentText(segment: X12Segment): string {
  return segment.elements.join(segment.delimiters.element);
}

function warnUnknown(reading: Reading, value: UnknownValue, consequence: string): void {
  reading.warnings.push(
    value.element === undefined
      ? {
          code: 'unknown-segment',
          segmentNumber: value.segmentNumber,
          segmentId: value.segmentId,
          message: `is a segment this reader does not know (in ${value.expected}); kept as sent${consequence}`,
        }
      : {
          code: 'unknown-code',
          segmentNumber: value.segmentNumber,
          segmentId: value.segmentId,
          element: value.element,
          message: `"${value.value}" is not a ${value.expected} code this reader knows; kept as sent${consequence}`,
        },
  );
}

const SHOWN_AS_NOT_UNDERSTOOD = ', and its line is shown as not understood rather than read';
const REJECTION_KEPT = '; the rejection is kept and becomes a coordinator task';
const READ_BY_POSITION = '; read by its position in the loop';

/** A member-level line not understood (an unknown segment, a date or relationship the reader cannot read). */
function memberLine(reading: Reading, member: Draft<MemberEligibility>, segment: X12Segment, unknown: UnknownValue): void {
  warnUnknown(reading, unknown, SHOWN_AS_NOT_UNDERSTOOD);
  member.notUnderstood.push({ segmentNumber: segment.position, segmentId: segment.id, text: segmentText(segment), unknown: [unknown], rejections: [] });
}

/** A response-level segment not understood (in the payer's or the clinic's loops). */
function responseLine(reading: Reading, segment: X12Segment, loop: string): void {
  const unknown = unknownValue(segment, undefined, loop);
  warnUnknown(reading, unknown, ', not read');
  reading.notUnderstood.push({ segmentNumber: segment.position, segmentId: segment.id, text: segmentText(segment), unknown: [unknown], rejections: [] });
}

/**
 * Takes a benefit out of its member's benefits because something in its loop is not understood, and keeps its EB
 * as sent among the member's lines not understood: no figure, coverage status or fallback is read from it.
 */
function quarantine(reading: Reading, member: Draft<MemberEligibility>, benefit: Draft<Benefit>, eb: X12Segment, unknown: readonly UnknownValue[]): void {
  for (const value of unknown) warnUnknown(reading, value, SHOWN_AS_NOT_UNDERSTOOD);
  const line = reading.quarantined.get(benefit);
  if (line !== undefined) {
    line.unknown.push(...unknown);
    return;
  }
  const index = member.benefits.lastIndexOf(benefit);
  if (index !== -1) member.benefits.splice(index, 1);
  const created: Draft<NotUnderstoodLine> = { segmentNumber: eb.position, segmentId: eb.id, text: segmentText(eb), unknown: [...unknown], rejections: [] };
  member.notUnderstood.push(created);
  reading.quarantined.set(benefit, created);
}

/** Reads a code element; a value outside the list is collected in `unknown` (and read as absent) instead of failing. */
function lenientCode<T extends string>(
  segment: X12Segment,
  index: number,
  allowed: Readonly<Record<T, unknown>>,
  what: string,
  unknown: UnknownValue[],
): T | undefined {
  const raw = segment.get(index);
  if (raw === undefined) return undefined;
  if (Object.prototype.hasOwnProperty.call(allowed, raw)) return raw as T;
  unknown.push(unknownValue(segment, index, what));
  return undefined;
}

/** A DTP's qualifier and format checked without failing; the unknown ones collected, the rest read as before. */
function lenientDtp(dtp: X12Segment, unknown: UnknownValue[]): ReturnType<typeof readDtp> | undefined {
  const before = unknown.length;
  dtp.require(1, 'date qualifier');
  lenientCode(dtp, 1, DATE_QUALIFIERS, 'date qualifier', unknown);
  const format = dtp.require(2, 'date format qualifier');
  if (format !== 'D8' && format !== 'RD8') unknown.push(unknownValue(dtp, 2, 'date format (D8 or RD8)'));
  return unknown.length === before ? readDtp(dtp) : undefined;
}

/** One or two upper-case letters or digits (the shape of every service type code), without a regular expression per code. */
function isServiceTypeCode(code: string): boolean {
  if (code.length < 1 || code.length > 2) return false;
  for (let i = 0; i < code.length; i += 1) {
    const c = code.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  }
  return true;
}

/**
 * The lists a benefit collects (HSD, REF, DTP, MSG, III, 2120, AAA) are mostly empty: they share one frozen empty
 * list until the first item arrives, which spares seven allocations per EB line.
 */
const NONE: never[] = Object.freeze([]) as unknown as never[];
type BenefitList = 'delivery' | 'references' | 'dates' | 'messages' | 'additionalInformation' | 'relatedEntities' | 'rejections';

function append<K extends BenefitList>(benefit: Draft<Benefit>, list: K, item: Draft<Benefit>[K][number]): void {
  const current = benefit[list] as unknown[];
  if (current === NONE) (benefit[list] as unknown[]) = [item];
  else current.push(item);
}

/**
 * An EB line. Unknown codes (EB01, EB02, EB06, EB09, EB11, EB12, an EB03 that is not a service type code) are
 * collected in `unknown`; the caller then keeps the line as not understood instead of among the benefits.
 */
function readBenefit(eb: X12Segment, unknown: UnknownValue[]): Draft<Benefit> {
  // Codes first, in element order, so the warnings follow the segment.
  const kindRaw = eb.require(1, 'eligibility or benefit information');
  const kind = lenientCode(eb, 1, BENEFIT_KINDS, 'eligibility or benefit information', unknown);
  const coverageLevel = lenientCode(eb, 2, COVERAGE_LEVELS, 'coverage level', unknown);
  const serviceTypes = eb.repetitions(3);
  for (const code of serviceTypes) {
    if (!isServiceTypeCode(code)) unknown.push({ ...unknownValue(eb, 3, 'service type'), value: code });
  }
  const timePeriod = lenientCode(eb, 6, TIME_PERIODS, 'time period qualifier', unknown);
  const quantityQualifier = lenientCode(eb, 9, QUANTITY_QUALIFIERS, 'quantity qualifier', unknown);
  const authorization = lenientCode(eb, 11, AUTHORIZATION_CODES, 'authorization indicator (Y, N or U)', unknown);
  const network = lenientCode(eb, 12, NETWORK_CODES, 'in-plan-network indicator (Y, N, W or U)', unknown);
  const quantityValue = readQuantity(eb, 10);
  if ((eb.get(9) === undefined) !== (quantityValue === undefined)) {
    eb.fail('missing-element', 'and EB10 must be sent together', eb.get(9) === undefined ? 9 : 10);
  }
  const quantity: BenefitQuantity | undefined =
    quantityQualifier !== undefined && quantityValue !== undefined ? { qualifier: quantityQualifier, value: quantityValue } : undefined;
  const procedureParts = eb.components(13);
  const procedure: ProcedureCode | undefined =
    procedureParts.length >= 2
      ? { qualifier: procedureParts[0] ?? '', code: procedureParts[1] ?? '', modifiers: procedureParts.slice(2).filter((m) => m !== '') }
      : undefined;
  return {
    segmentNumber: eb.position,
    // An unknown EB01 is held only so the loop after it can be read: the caller keeps such a line as not
    // understood, never among the benefits, so nothing reads it as a kind it is not.
    kind: kind ?? (kindRaw as BenefitKind),
    coverageLevel,
    serviceTypes,
    insuranceType: eb.get(4),
    planDescription: eb.get(5),
    timePeriod,
    amountCents: readMoneyCents(eb, 7),
    percentBasisPoints: readPercentBasisPoints(eb, 8),
    quantity,
    authorization: authorization === undefined ? undefined : AUTHORIZATION_CODES[authorization],
    network: NETWORK_CODES[network ?? 'U'],
    procedure,
    delivery: NONE,
    references: NONE,
    dates: NONE,
    messages: NONE,
    additionalInformation: NONE,
    relatedEntities: NONE,
    rejections: NONE,
  };
}

function readDelivery(hsd: X12Segment, unknown: UnknownValue[]): DeliveryPattern {
  const qualifier = lenientCode(hsd, 1, QUANTITY_QUALIFIERS, 'quantity qualifier', unknown);
  const value = readQuantity(hsd, 2);
  if ((hsd.get(1) === undefined) !== (value === undefined)) {
    hsd.fail('missing-element', 'and HSD02 must be sent together', hsd.get(1) === undefined ? 1 : 2);
  }
  return {
    quantity: qualifier !== undefined && value !== undefined ? { qualifier, value } : undefined,
    unit: lenientCode(hsd, 3, UNITS_OF_MEASURE, 'unit of measure', unknown),
    sampleSelectionModulus: readQuantity(hsd, 4),
    period: lenientCode(hsd, 5, TIME_PERIODS, 'time period qualifier', unknown),
    periodCount: readQuantity(hsd, 6),
  };
}

function readAdditionalInformation(iii: X12Segment): AdditionalInformation {
  return { qualifier: iii.get(1) ?? '', code: iii.get(2), text: iii.get(4) };
}

function newEntity(nm1: X12Segment): Draft<RelatedEntity> {
  const name = readName(nm1);
  return {
    entityCode: name.entityCode,
    name: name.lastOrOrganization,
    firstName: name.first,
    idQualifier: name.idQualifier,
    id: name.id,
    contacts: [],
    segmentNumber: nm1.position,
  };
}

function loopName(letter: MemberLetter, loop: '2000' | '2100' | '2110'): RejectionLoop {
  return `${loop}${letter}`;
}

/** Reads the body of one 271 transaction set (BHT … last segment before SE). */
function readTransaction(interchange: Interchange, group: FunctionalGroup, set: TransactionSet): EligibilityResponse {
  const warnings: X12Warning[] = [...interchange.warnings];
  const reading: Reading = { warnings, notUnderstood: [], quarantined: new Map() };
  const rejectionUnknown = (value: UnknownValue) => warnUnknown(reading, value, REJECTION_KEPT);
  checkTransactionSet(group, set, TRANSACTION_SET, warnings);
  const [bht, ...rest] = set.body;
  if (bht === undefined || bht.id !== 'BHT') {
    (bht ?? set.trailer).fail('unexpected-segment', 'is where a 271 needs its BHT (beginning of hierarchical transaction)');
  }
  if (bht.get(1) !== '0022') bht.fail('invalid-code', 'is not the hierarchical structure code 0022', 1);
  const createdOn = readDate(bht, 4) ?? bht.fail('missing-element', 'is required (creation date) but is empty', 4);

  const source: Draft<InformationSource> = { name: undefined, idQualifier: undefined, id: undefined, contacts: [], rejections: [] };
  const receiver: Draft<InformationReceiver> = { name: undefined, idQualifier: undefined, id: undefined, rejections: [] };
  const members: Draft<MemberEligibility>[] = [];
  const hierarchy = new HierarchyTracker();
  const membersById = new Map<string, Draft<MemberEligibility>>();
  let sourceSeen = false;
  let receiverSeen = false;
  let state: State = { at: 'start' };

  const enterHierarchy = (hl: X12Segment): State => {
    const node = hierarchy.read(hl);
    switch (node.level) {
      case 'information-source':
        if (sourceSeen) hl.fail('unexpected-segment', 'starts a second information source; one payer per 271 is read');
        sourceSeen = true;
        return { at: '2000A' };
      case 'information-receiver':
        receiverSeen = true;
        return { at: '2000B' };
      case 'subscriber':
      case 'dependent': {
        const role = node.level;
        const member = newMember(role, node.id, node.parentId);
        if (role === 'dependent') {
          const parent = node.parentId === undefined ? undefined : membersById.get(node.parentId);
          if (parent !== undefined) {
            // The subscriber's own identity is the key a coordinator searches by, so a dependent keeps it too.
            member.memberId = parent.memberId;
          }
        }
        members.push(member);
        membersById.set(node.id, member);
        return { at: '2000', letter: role === 'subscriber' ? 'C' : 'D', member };
      }
    }
  };

  for (const segment of rest) {
    const id = segment.id;
    switch (state.at) {
      case 'start':
        if (id !== 'HL' && !SEGMENTS_271.has(id)) {
          responseLine(reading, segment, 'the header, after BHT');
          break;
        }
        if (id !== 'HL') unexpected(segment, 'after BHT', ['HL']);
        state = enterHierarchy(segment);
        if (state.at !== '2000A') segment.fail('invalid-hierarchy', 'must start with the information source level (20)', 3);
        break;
      case '2000A':
        if (id === 'AAA') source.rejections.push(readRejection(segment, '2000A', rejectionUnknown));
        else if (id === 'NM1') {
          lenientEntity(reading, segment, ['PR', '2B', '36', 'GP', 'P5'], 'information source (2100A)');
          const name = readName(segment);
          source.name = name.lastOrOrganization;
          source.idQualifier = name.idQualifier;
          source.id = name.id;
          state = { at: '2100A' };
        } else if (!SEGMENTS_271.has(id)) responseLine(reading, segment, 'loop 2000A');
        else unexpected(segment, '2000A', ['AAA', 'NM1']);
        break;
      case '2100A':
        if (id === 'PER') source.contacts.push(readContact(segment));
        else if (id === 'AAA') source.rejections.push(readRejection(segment, '2100A', rejectionUnknown));
        else if (id === 'HL') state = enterHierarchy(segment);
        else if (!SEGMENTS_271.has(id)) responseLine(reading, segment, 'loop 2100A');
        else unexpected(segment, '2100A', EXPECT_2100A);
        break;
      case '2000B':
        if (!SEGMENTS_271.has(id)) {
          responseLine(reading, segment, 'loop 2000B');
          break;
        }
        if (id !== 'NM1') unexpected(segment, '2000B', ['NM1']);
        {
          const name = readName(segment);
          if (receiver.name === undefined && receiver.id === undefined) {
            receiver.name = name.lastOrOrganization;
            receiver.idQualifier = name.idQualifier;
            receiver.id = name.id;
          }
        }
        state = { at: '2100B' };
        break;
      case '2100B':
        if (id === 'AAA') receiver.rejections.push(readRejection(segment, '2100B', rejectionUnknown));
        else if (id === 'HL') state = enterHierarchy(segment);
        else if (!SEGMENTS_271.has(id)) responseLine(reading, segment, 'loop 2100B');
        else if (!EXPECT_2100B.includes(id)) unexpected(segment, '2100B', EXPECT_2100B);
        break;
      case '2000':
        if (id === 'TRN') state.member.traces.push(readTrace(segment));
        else if (id === 'NM1') {
          lenientEntity(reading, segment, state.letter === 'C' ? ['IL'] : ['03'], state.letter === 'C' ? 'subscriber (2100C)' : 'dependent (2100D)');
          const name = readName(segment);
          state.member.lastName = name.lastOrOrganization;
          state.member.firstName = name.first;
          if (name.id !== undefined) state.member.memberId = name.id;
          state = { at: '2100', letter: state.letter, member: state.member };
        } else if (!SEGMENTS_271.has(id)) memberLine(reading, state.member, segment, unknownValue(segment, undefined, `loop 2000${state.letter}`));
        else unexpected(segment, `2000${state.letter}`, ['TRN', 'NM1']);
        break;
      case '2100':
        state = read2100(segment, state, enterHierarchy, reading);
        break;
      case '2110':
        state = read2110(segment, state, enterHierarchy, reading);
        break;
      case '2120':
        state = read2120(segment, state, reading);
        break;
      case 'after-LE':
        if (id === 'EB') state = startBenefit(segment, state.letter, state.member, reading);
        else if (id === 'HL') state = enterHierarchy(segment);
        else if (!SEGMENTS_271.has(id))
          memberLine(reading, state.member, segment, unknownValue(segment, undefined, `loop 2110${state.letter}, after its 2120`));
        else segment.fail('unexpected-segment', `follows an LE in loop 2110${state.letter}; only EB or HL may follow the 2120 loop`);
        break;
    }
  }

  switch (state.at) {
    case '2120':
      state.ls.fail('missing-trailer', `opens loop 2120${state.letter} but no LE*2120 closes it before SE`);
      break;
    case 'start':
    case '2000A':
    case '2000B':
    case '2000':
      set.trailer.fail('unexpected-segment', 'ends the transaction set before the information source, receiver and member names');
      break;
    case '2100A':
    case '2100B':
    case '2100':
    case '2110':
    case 'after-LE':
      break;
  }
  // A benefit kept as not understood still carries its AAA segments: rejections are never dropped.
  for (const [benefit, line] of reading.quarantined) line.rejections = benefit.rejections;
  if (!receiverSeen && source.rejections.length === 0) {
    set.trailer.fail('unexpected-segment', 'ends the 271 without an information receiver level (HL 21)');
  }

  return {
    interchangeControlNumber: interchange.header.controlNumber,
    groupControlNumber: group.controlNumber,
    transactionControlNumber: set.controlNumber,
    reference: bht.get(3),
    createdOn,
    informationSource: source,
    informationReceiver: receiver,
    members,
    warnings,
    notUnderstood: reading.notUnderstood,
  };
}

type MemberState = Extract<State, { at: '2100' }>;
type BenefitState = Extract<State, { at: '2110' }>;
type EntityState = Extract<State, { at: '2120' }>;

/** Starts a 2110 loop: the EB among the member's benefits, or kept as not understood when it holds an unknown code. */
function startBenefit(eb: X12Segment, letter: MemberLetter, member: Draft<MemberEligibility>, reading: Reading): State {
  const unknown: UnknownValue[] = [];
  const benefit = readBenefit(eb, unknown);
  if (unknown.length === 0) member.benefits.push(benefit);
  else quarantine(reading, member, benefit, eb, unknown);
  return { at: '2110', letter, member, benefit, eb };
}

/** An NM1 whose entity code is not one the loop lists is still read by its position, with a warning. */
function lenientEntity(reading: Reading, nm1: X12Segment, allowed: readonly string[], what: string): void {
  const code = nm1.require(1, 'entity identifier code');
  if (!allowed.includes(code)) warnUnknown(reading, unknownValue(nm1, 1, `entity identifier for the ${what} (${allowed.join(', ')})`), READ_BY_POSITION);
}

function read2100(segment: X12Segment, state: MemberState, enterHierarchy: (hl: X12Segment) => State, reading: Reading): State {
  const member = state.member;
  switch (segment.id) {
    case 'REF':
      member.references.push(readReference(segment));
      return state;
    case 'AAA':
      member.rejections.push(readRejection(segment, loopName(state.letter, '2100'), (value) => warnUnknown(reading, value, REJECTION_KEPT)));
      return state;
    case 'DMG': {
      const format = segment.get(1);
      if (format !== undefined && format !== 'D8') {
        memberLine(reading, member, segment, unknownValue(segment, 1, 'date format (D8)'));
        return state;
      }
      member.birthDate = readDate(segment, 2);
      member.gender = segment.get(3);
      return state;
    }
    case 'INS': {
      const unknown: UnknownValue[] = [];
      member.relationship = lenientCode(segment, 2, RELATIONSHIP_CODES, 'individual relationship', unknown);
      for (const value of unknown) memberLine(reading, member, segment, value);
      return state;
    }
    case 'DTP': {
      const unknown: UnknownValue[] = [];
      const date = lenientDtp(segment, unknown);
      if (date !== undefined) member.dates.push(date);
      else if (unknown[0] !== undefined) {
        memberLine(reading, member, segment, unknown[0]);
        for (const value of unknown.slice(1)) warnUnknown(reading, value, SHOWN_AS_NOT_UNDERSTOOD);
      }
      return state;
    }
    case 'EB':
      return startBenefit(segment, state.letter, member, reading);
    case 'HL':
      return enterHierarchy(segment);
    case 'N3':
    case 'N4':
    case 'PRV':
    case 'HI':
    case 'MPI':
      // Address, provider, diagnosis and military-personnel details do not change what the coordinator is told.
      return state;
    default:
      if (!SEGMENTS_271.has(segment.id)) {
        memberLine(reading, member, segment, unknownValue(segment, undefined, `loop 2100${state.letter}`));
        return state;
      }
      return unexpected(segment, `2100${state.letter}`, EXPECT_2100);
  }
}

function read2110(segment: X12Segment, state: BenefitState, enterHierarchy: (hl: X12Segment) => State, reading: Reading): State {
  const benefit = state.benefit;
  switch (segment.id) {
    case 'HSD': {
      const unknown: UnknownValue[] = [];
      append(benefit, 'delivery', readDelivery(segment, unknown));
      if (unknown.length > 0) quarantine(reading, state.member, benefit, state.eb, unknown);
      return state;
    }
    case 'REF':
      append(benefit, 'references', readReference(segment));
      return state;
    case 'DTP': {
      const unknown: UnknownValue[] = [];
      const date = lenientDtp(segment, unknown);
      // A date the reader cannot place may bound when the benefit applies: the benefit is not read without it.
      if (date === undefined) quarantine(reading, state.member, benefit, state.eb, unknown);
      else append(benefit, 'dates', date);
      return state;
    }
    case 'AAA':
      append(
        benefit,
        'rejections',
        readRejection(segment, loopName(state.letter, '2110'), (value) => warnUnknown(reading, value, REJECTION_KEPT)),
      );
      return state;
    case 'MSG': {
      const text = segment.require(1, 'free-form message text');
      append(benefit, 'messages', text);
      return state;
    }
    case 'III':
      append(benefit, 'additionalInformation', readAdditionalInformation(segment));
      return state;
    case 'LS':
      if (segment.get(1) !== '2120') segment.fail('invalid-code', 'must be 2120 (the loop it opens)', 1);
      return { at: '2120', letter: state.letter, member: state.member, benefit, eb: state.eb, entity: undefined, ls: segment };
    case 'EB':
      return startBenefit(segment, state.letter, state.member, reading);
    case 'HL':
      return enterHierarchy(segment);
    default:
      if (!SEGMENTS_271.has(segment.id)) {
        // What an unknown segment says about the benefit it follows cannot be known: the benefit is not read.
        quarantine(reading, state.member, benefit, state.eb, [unknownValue(segment, undefined, `loop 2110${state.letter}`)]);
        return state;
      }
      return unexpected(segment, `2110${state.letter}`, EXPECT_2110);
  }
}

function read2120(segment: X12Segment, state: EntityState, reading: Reading): State {
  const loop = `2120${state.letter}`;
  switch (segment.id) {
    case 'NM1': {
      const entity = newEntity(segment);
      append(state.benefit, 'relatedEntities', entity);
      return { ...state, entity };
    }
    case 'PER':
    case 'N3':
    case 'N4':
    case 'PRV': {
      if (state.entity === undefined) segment.fail('unexpected-segment', `comes before the NM1 that loop ${loop} starts with`);
      if (segment.id === 'PER') {
        const contact: ContactNumbers = readContact(segment);
        state.entity.contacts.push(contact);
      }
      return state;
    }
    case 'LE':
      if (segment.get(1) !== '2120') segment.fail('invalid-code', 'must be 2120 (the loop it closes)', 1);
      if (state.entity === undefined) segment.fail('unexpected-segment', `closes loop ${loop} that named no entity (no NM1)`);
      return { at: 'after-LE', letter: state.letter, member: state.member };
    case 'EB':
    case 'HL':
      return state.ls.fail(
        'missing-trailer',
        `opens loop ${loop}, but ${segment.id} at segment ${segment.position} comes before the LE*2120 that must close it`,
      );
    default:
      if (!SEGMENTS_271.has(segment.id)) {
        quarantine(reading, state.member, state.benefit, state.eb, [unknownValue(segment, undefined, `loop ${loop}`)]);
        return state;
      }
      return unexpected(segment, loop, EXPECT_2120);
  }
}

/** Every 271 transaction set in the interchange, in order. */
export function parse271Batch(input: string | Uint8Array): EligibilityResponse[] {
  const interchange = readInterchange(input);
  const responses: EligibilityResponse[] = [];
  for (const group of interchange.groups) {
    for (const set of group.transactions) responses.push(readTransaction(interchange, group, set));
  }
  return responses;
}

/**
 * The 271 answering one real-time 270: exactly one transaction set. A batch file goes through parse271Batch.
 */
export function parse271(input: string | Uint8Array): EligibilityResponse {
  const interchange = readInterchange(input);
  const sets = interchange.groups.flatMap((group) => group.transactions.map((set) => ({ group, set })));
  const first = sets[0];
  const second = sets[1];
  if (first === undefined) {
    throw new X12ParseError({
      code: 'missing-trailer',
      segmentNumber: interchange.segmentCount,
      segmentId: 'IEA',
      byteOffset: 0,
      problem: 'the interchange holds no 271 transaction set',
    });
  }
  if (second !== undefined) second.set.header.fail('unexpected-segment', 'starts a second transaction set; read batches with parse271Batch');
  return readTransaction(interchange, first.group, first.set);
}

/** parse271 with the expected failure as a value, for callers that store and report rather than throw. */
export function tryParse271(input: string | Uint8Array): ParseResult<EligibilityResponse> {
  try {
    return { ok: true, value: parse271(input) };
  } catch (error: unknown) {
    if (error instanceof X12ParseError) return { ok: false, error };
    throw error;
  }
}
