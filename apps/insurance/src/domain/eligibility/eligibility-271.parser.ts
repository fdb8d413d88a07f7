import {
  AUTHORIZATION_CODES,
  BENEFIT_KINDS,
  COVERAGE_LEVELS,
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
  ProcedureCode,
  RelatedEntity,
  RejectionLoop,
} from './eligibility-response';
import { FunctionalGroup, Interchange, readInterchange, TransactionSet } from './x12-envelope';
import { HierarchyTracker, readContact, readDtp, readName, readReference, readRejection, readTrace, requireEntity, unexpected } from './x12-loops';
import { X12ParseError } from './x12-parse-error';
import { X12Segment } from './x12-tokenizer';
import { X12Warning } from './x12-warnings';
import { readCode, readDate, readMoneyCents, readPercentBasisPoints, readQuantity, requireCode } from './x12-values';

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
  | { readonly at: '2110'; readonly letter: MemberLetter; readonly member: Draft<MemberEligibility>; readonly benefit: Draft<Benefit> }
  | {
      readonly at: '2120';
      readonly letter: MemberLetter;
      readonly member: Draft<MemberEligibility>;
      readonly benefit: Draft<Benefit>;
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

function checkTransaction(group: FunctionalGroup, set: TransactionSet, warnings: X12Warning[]): void {
  if (set.id !== '271') set.header.fail('wrong-transaction-set', 'is not a 271 eligibility response', 1);
  if (group.functionalId !== 'HB') {
    warnings.push({
      code: 'functional-identifier',
      segmentNumber: set.header.position,
      segmentId: 'ST',
      message: `belongs to a group whose GS01 is "${group.functionalId}", not HB (eligibility response); read as a 271 because ST01 says so`,
    });
  }
  const stated = set.implementation;
  const implementation = stated ?? group.version;
  if (!Object.prototype.hasOwnProperty.call(READABLE_IMPLEMENTATIONS, implementation)) {
    if (stated !== undefined) set.header.fail('wrong-transaction-set', `is not the ${IMPLEMENTATION_271} implementation (nor 004010X092A1)`, 3);
    set.header.fail('wrong-transaction-set', `has no ST03, and GS08 "${group.version}" is not the ${IMPLEMENTATION_271} implementation (nor 004010X092A1)`);
  }
  const note = READABLE_IMPLEMENTATIONS[implementation];
  if (note !== undefined) {
    warnings.push({
      code: 'implementation-version',
      segmentNumber: set.header.position,
      segmentId: 'ST',
      message: `${stated === undefined ? 'GS08' : 'ST03'} "${implementation}" ${note}`,
    });
  }
  if (stated !== undefined && group.version !== stated) {
    warnings.push({
      code: 'implementation-version',
      segmentNumber: set.header.position,
      segmentId: 'ST',
      element: 'ST03',
      message: `"${stated}" differs from the group's GS08 "${group.version}"; ST03 was followed`,
    });
  }
}

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
  };
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

function readBenefit(eb: X12Segment): Draft<Benefit> {
  const quantityQualifier = readCode(eb, 9, QUANTITY_QUALIFIERS, 'quantity qualifier');
  const quantityValue = readQuantity(eb, 10);
  if ((quantityQualifier === undefined) !== (quantityValue === undefined)) {
    eb.fail('missing-element', 'and EB10 must be sent together', quantityQualifier === undefined ? 9 : 10);
  }
  const quantity: BenefitQuantity | undefined =
    quantityQualifier !== undefined && quantityValue !== undefined ? { qualifier: quantityQualifier, value: quantityValue } : undefined;
  const procedureParts = eb.components(13);
  const procedure: ProcedureCode | undefined =
    procedureParts.length >= 2
      ? { qualifier: procedureParts[0] ?? '', code: procedureParts[1] ?? '', modifiers: procedureParts.slice(2).filter((m) => m !== '') }
      : undefined;
  const authorization = readCode(eb, 11, AUTHORIZATION_CODES, 'authorization indicator (Y, N or U)');
  const serviceTypes = eb.repetitions(3);
  for (const code of serviceTypes) {
    if (!isServiceTypeCode(code)) eb.fail('invalid-code', `has "${code}", which is not a service type code`, 3);
  }
  return {
    segmentNumber: eb.position,
    kind: requireCode(eb, 1, BENEFIT_KINDS, 'eligibility or benefit information'),
    coverageLevel: readCode(eb, 2, COVERAGE_LEVELS, 'coverage level'),
    serviceTypes,
    insuranceType: eb.get(4),
    planDescription: eb.get(5),
    timePeriod: readCode(eb, 6, TIME_PERIODS, 'time period qualifier'),
    amountCents: readMoneyCents(eb, 7),
    percentBasisPoints: readPercentBasisPoints(eb, 8),
    quantity,
    authorization: authorization === undefined ? undefined : AUTHORIZATION_CODES[authorization],
    network: NETWORK_CODES[readCode(eb, 12, NETWORK_CODES, 'in-plan-network indicator (Y, N, W or U)') ?? 'U'],
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

function readDelivery(hsd: X12Segment): DeliveryPattern {
  const qualifier = readCode(hsd, 1, QUANTITY_QUALIFIERS, 'quantity qualifier');
  const value = readQuantity(hsd, 2);
  if ((qualifier === undefined) !== (value === undefined)) {
    hsd.fail('missing-element', 'and HSD02 must be sent together', qualifier === undefined ? 1 : 2);
  }
  return {
    quantity: qualifier !== undefined && value !== undefined ? { qualifier, value } : undefined,
    unit: readCode(hsd, 3, UNITS_OF_MEASURE, 'unit of measure'),
    sampleSelectionModulus: readQuantity(hsd, 4),
    period: readCode(hsd, 5, TIME_PERIODS, 'time period qualifier'),
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
  checkTransaction(group, set, warnings);
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
        if (id !== 'HL') unexpected(segment, 'after BHT', ['HL']);
        state = enterHierarchy(segment);
        if (state.at !== '2000A') segment.fail('invalid-hierarchy', 'must start with the information source level (20)', 3);
        break;
      case '2000A':
        if (id === 'AAA') source.rejections.push(readRejection(segment, '2000A'));
        else if (id === 'NM1') {
          requireEntity(segment, ['PR', '2B', '36', 'GP', 'P5'], 'information source (2100A)');
          const name = readName(segment);
          source.name = name.lastOrOrganization;
          source.idQualifier = name.idQualifier;
          source.id = name.id;
          state = { at: '2100A' };
        } else unexpected(segment, '2000A', ['AAA', 'NM1']);
        break;
      case '2100A':
        if (id === 'PER') source.contacts.push(readContact(segment));
        else if (id === 'AAA') source.rejections.push(readRejection(segment, '2100A'));
        else if (id === 'HL') state = enterHierarchy(segment);
        else unexpected(segment, '2100A', EXPECT_2100A);
        break;
      case '2000B':
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
        if (id === 'AAA') receiver.rejections.push(readRejection(segment, '2100B'));
        else if (id === 'HL') state = enterHierarchy(segment);
        else if (!EXPECT_2100B.includes(id)) unexpected(segment, '2100B', EXPECT_2100B);
        break;
      case '2000':
        if (id === 'TRN') state.member.traces.push(readTrace(segment));
        else if (id === 'NM1') {
          requireEntity(segment, state.letter === 'C' ? ['IL'] : ['03'], state.letter === 'C' ? 'subscriber (2100C)' : 'dependent (2100D)');
          const name = readName(segment);
          state.member.lastName = name.lastOrOrganization;
          state.member.firstName = name.first;
          if (name.id !== undefined) state.member.memberId = name.id;
          state = { at: '2100', letter: state.letter, member: state.member };
        } else unexpected(segment, `2000${state.letter}`, ['TRN', 'NM1']);
        break;
      case '2100':
        state = read2100(segment, state, enterHierarchy);
        break;
      case '2110':
        state = read2110(segment, state, enterHierarchy);
        break;
      case '2120':
        state = read2120(segment, state);
        break;
      case 'after-LE':
        if (id === 'EB') {
          const benefit = readBenefit(segment);
          state.member.benefits.push(benefit);
          state = { at: '2110', letter: state.letter, member: state.member, benefit };
        } else if (id === 'HL') state = enterHierarchy(segment);
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
  };
}

type MemberState = Extract<State, { at: '2100' }>;
type BenefitState = Extract<State, { at: '2110' }>;
type EntityState = Extract<State, { at: '2120' }>;

function read2100(segment: X12Segment, state: MemberState, enterHierarchy: (hl: X12Segment) => State): State {
  const member = state.member;
  switch (segment.id) {
    case 'REF':
      member.references.push(readReference(segment));
      return state;
    case 'AAA':
      member.rejections.push(readRejection(segment, loopName(state.letter, '2100')));
      return state;
    case 'DMG':
      if (segment.get(1) !== undefined && segment.get(1) !== 'D8') segment.fail('invalid-code', 'is not D8', 1);
      member.birthDate = readDate(segment, 2);
      member.gender = segment.get(3);
      return state;
    case 'INS':
      member.relationship = readCode(segment, 2, RELATIONSHIP_CODES, 'individual relationship');
      return state;
    case 'DTP':
      member.dates.push(readDtp(segment));
      return state;
    case 'EB': {
      const benefit = readBenefit(segment);
      member.benefits.push(benefit);
      return { at: '2110', letter: state.letter, member, benefit };
    }
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
      return unexpected(segment, `2100${state.letter}`, EXPECT_2100);
  }
}

function read2110(segment: X12Segment, state: BenefitState, enterHierarchy: (hl: X12Segment) => State): State {
  const benefit = state.benefit;
  switch (segment.id) {
    case 'HSD':
      append(benefit, 'delivery', readDelivery(segment));
      return state;
    case 'REF':
      append(benefit, 'references', readReference(segment));
      return state;
    case 'DTP':
      append(benefit, 'dates', readDtp(segment));
      return state;
    case 'AAA':
      append(benefit, 'rejections', readRejection(segment, loopName(state.letter, '2110')));
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
      return { at: '2120', letter: state.letter, member: state.member, benefit, entity: undefined, ls: segment };
    case 'EB': {
      const next = readBenefit(segment);
      state.member.benefits.push(next);
      return { ...state, benefit: next };
    }
    case 'HL':
      return enterHierarchy(segment);
    default:
      return unexpected(segment, `2110${state.letter}`, EXPECT_2110);
  }
}

function read2120(segment: X12Segment, state: EntityState): State {
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
