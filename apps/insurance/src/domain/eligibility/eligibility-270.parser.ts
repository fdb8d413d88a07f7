import { ServiceTypeCode } from './eligibility-codes';
import {
  DEPENDENT_RELATIONSHIP_CODES,
  DependentRelationship,
  EligibilityInquiryInput,
  Gender,
  IMPLEMENTATION_270,
  InterchangeParty,
} from './eligibility-270.builder';
import { checkTransactionSet, readInterchange, TransactionSetSpec } from './x12-envelope';
import { HierarchyTracker, readName, readTrace, requireEntity, unexpected } from './x12-loops';
import { ProcedureCode } from './eligibility-response';
import { X12Segment } from './x12-tokenizer';
import { DateRange, IsoDate, readDate, readDateOrRange, readTime } from './x12-values';
import { X12Warning } from './x12-warnings';

/**
 * A 270 read back: what was asked, of whom, for whom. Used to check what we send and to answer 270s in tests.
 * The builder's input with everything it defaults filled in, as it appears on the wire.
 */
export interface ParsedEligibilityInquiry extends Omit<
  EligibilityInquiryInput,
  'sender' | 'receiver' | 'usage' | 'serviceDate' | 'serviceTypes' | 'format' | 'informationReceiver'
> {
  readonly sender: Required<InterchangeParty>;
  readonly receiver: Required<InterchangeParty>;
  readonly usage: 'production' | 'test';
  readonly serviceDate: IsoDate | DateRange;
  readonly serviceTypes: readonly ServiceTypeCode[];
  readonly informationReceiver: ParsedInformationReceiver;
  /** EQ02 procedure-code inquiries (HC:80061), present only when the 270 asked about procedures. */
  readonly procedureCodes?: readonly ProcedureCode[];
  /**
   * Deviations read past, as for a 271 (envelope slips, BOM, CR/LF, wrapped lines, GS01 other than HS, another guide
   * version); empty for a 270 we built ourselves.
   */
  readonly warnings: readonly X12Warning[];
}

/**
 * The provider asking. Ours sends its NPI (XX); the guide also allows a service provider number (SV), a payer id
 * (PI), a tax id (FI), a pharmacy processor number (PP) or a CMS plan id (XV), kept as sent.
 */
export interface ParsedInformationReceiver {
  readonly name: string;
  /** NM109 when NM108 is XX. */
  readonly npi?: string;
  /** NM108 and NM109 when they are not an NPI. */
  readonly idQualifier?: string;
  readonly id?: string;
}

const RECEIVER_ID_QUALIFIERS = ['XX', 'SV', 'PI', 'FI', 'PP', 'XV'];

/** Implementation guides a 270 is read under: ours, the guide before its A1 addenda, and 4010, with what each means. */
const READABLE_270_IMPLEMENTATIONS: Readonly<Record<string, string | undefined>> = {
  [IMPLEMENTATION_270]: undefined,
  '005010X279': 'is the 005010X279 guide without its A1 addenda; read as 005010X279A1',
  '004010X092A1': 'is a 4010 (004010X092A1) inquiry; read with the 005010X279A1 loops, which it shares for what is asked',
  '004010X092': 'is a 4010 (004010X092) inquiry; read with the 005010X279A1 loops, which it shares for what is asked',
};

const TRANSACTION_SET: TransactionSetSpec = {
  id: '270',
  what: 'eligibility inquiry',
  functionalId: 'HS',
  implementation: IMPLEMENTATION_270,
  readable: READABLE_270_IMPLEMENTATIONS,
};

/** DTP qualifiers that date the inquiry: the plan date ours sends (291), and the eligibility or service date others send. */
const INQUIRY_DATES = ['291', '307', '472'];

interface PersonDraft {
  firstName: string;
  lastName: string;
  memberId: string | undefined;
  birthDate: IsoDate | undefined;
  gender: Gender | undefined;
  relationship: DependentRelationship | undefined;
  groupNumber: string | undefined;
}

type Level = 'start' | '2000A' | '2100A' | '2000B' | '2100B' | '2000C' | '2100C' | '2110C' | '2000D' | '2100D' | '2110D';

function readGender(dmg: X12Segment): Gender | undefined {
  const code = dmg.get(3);
  if (code === undefined) return undefined;
  if (code !== 'F' && code !== 'M' && code !== 'U') return dmg.fail('invalid-code', 'is not a gender code (F, M or U)', 3);
  return code;
}

function readRelationship(ins: X12Segment): DependentRelationship {
  const code = ins.require(2, 'individual relationship code');
  for (const [relationship, value] of Object.entries(DEPENDENT_RELATIONSHIP_CODES)) {
    if (value === code && (relationship === 'spouse' || relationship === 'child' || relationship === 'other-adult')) {
      return relationship;
    }
  }
  return ins.fail('invalid-code', 'is not a dependent relationship a 270 may send (01, 19 or 34)', 2);
}

export function parse270(input: string | Uint8Array): ParsedEligibilityInquiry {
  const interchange = readInterchange(input);
  const group = interchange.groups[0];
  const set = group?.transactions[0];
  if (group === undefined || set === undefined) throw new Error('readInterchange returned an interchange with no transaction set');
  const warnings: X12Warning[] = [...interchange.warnings];
  checkTransactionSet(group, set, TRANSACTION_SET, warnings);
  const [bht, ...rest] = set.body;
  if (bht === undefined || bht.id !== 'BHT') return (bht ?? set.trailer).fail('unexpected-segment', 'is where a 270 needs its BHT');

  const hierarchy = new HierarchyTracker();
  let level: Level = 'start';
  let payer: { payerName: string; payerId: string } | undefined;
  let provider: ParsedInformationReceiver | undefined;
  const procedureCodes: ProcedureCode[] = [];
  let trace: { number: string; originatorId: string } | undefined;
  let serviceDate: IsoDate | DateRange | undefined;
  const serviceTypes: ServiceTypeCode[] = [];
  const people: { subscriber?: PersonDraft; dependent?: PersonDraft } = {};
  let current: PersonDraft | undefined;

  for (const segment of rest) {
    const id = segment.id;
    if (id === 'HL') {
      const node = hierarchy.read(segment);
      switch (node.level) {
        case 'information-source':
          level = '2000A';
          break;
        case 'information-receiver':
          level = '2000B';
          break;
        case 'subscriber':
          level = '2000C';
          break;
        case 'dependent':
          level = '2000D';
          break;
      }
      continue;
    }
    switch (level) {
      case 'start':
        unexpected(segment, 'after BHT', ['HL']);
        break;
      case '2000A': {
        if (id !== 'NM1') unexpected(segment, '2000A', ['NM1']);
        requireEntity(segment, ['PR', '2B', '36', 'GP', 'P5'], 'information source (2100A)');
        const name = readName(segment);
        payer = { payerName: name.lastOrOrganization ?? '', payerId: name.id ?? '' };
        level = '2100A';
        break;
      }
      case '2100A':
        unexpected(segment, '2100A', ['HL']);
        break;
      case '2000B': {
        if (id !== 'NM1') unexpected(segment, '2000B', ['NM1']);
        const name = readName(segment);
        if (name.idQualifier === undefined || !RECEIVER_ID_QUALIFIERS.includes(name.idQualifier)) {
          segment.fail('invalid-code', `is not an information receiver id qualifier (${RECEIVER_ID_QUALIFIERS.join(', ')})`, 8);
        }
        provider =
          name.idQualifier === 'XX'
            ? { npi: name.id ?? '', name: name.lastOrOrganization ?? '' }
            : { name: name.lastOrOrganization ?? '', idQualifier: name.idQualifier, id: name.id ?? '' };
        level = '2100B';
        break;
      }
      case '2100B':
        if (!['REF', 'N3', 'N4', 'PRV'].includes(id)) unexpected(segment, '2100B', ['REF', 'N3', 'N4', 'PRV', 'HL']);
        break;
      case '2000C':
      case '2000D': {
        const letter: 'C' | 'D' = level === '2000C' ? 'C' : 'D';
        if (id === 'TRN') {
          const read = readTrace(segment);
          trace = { number: read.reference, originatorId: read.originator };
          break;
        }
        if (id !== 'NM1') unexpected(segment, level, ['TRN', 'NM1']);
        requireEntity(segment, letter === 'C' ? ['IL'] : ['03'], letter === 'C' ? 'subscriber (2100C)' : 'dependent (2100D)');
        const name = readName(segment);
        current = {
          firstName: name.first ?? '',
          lastName: name.lastOrOrganization ?? '',
          memberId: name.id,
          birthDate: undefined,
          gender: undefined,
          relationship: undefined,
          groupNumber: undefined,
        };
        if (letter === 'C') people.subscriber = current;
        else people.dependent = current;
        level = letter === 'C' ? '2100C' : '2100D';
        break;
      }
      case '2100C':
      case '2100D':
      case '2110C':
      case '2110D': {
        const letter: 'C' | 'D' = level.endsWith('C') ? 'C' : 'D';
        if (current === undefined) throw new Error('a 2100 loop without its NM1');
        if (id === 'DMG' && level.startsWith('2100')) {
          current.birthDate = readDate(segment, 2);
          current.gender = readGender(segment);
        } else if (id === 'REF' && level.startsWith('2100') && segment.get(1) === '6P') {
          current.groupNumber = segment.require(2, 'group number');
        } else if (id === 'INS' && level.startsWith('2100')) {
          // A subscriber's INS says "self" (18); only a dependent's relationship is read.
          if (letter === 'D' || segment.get(2) !== '18') current.relationship = readRelationship(segment);
        } else if (id === 'DTP') {
          if (!INQUIRY_DATES.includes(segment.get(1) ?? '')) segment.fail('invalid-code', `is not a date the inquiry is for (${INQUIRY_DATES.join(', ')})`, 1);
          const range = readDateOrRange(segment, 2, 3);
          serviceDate = segment.get(2) === 'D8' ? range.start : range;
        } else if (id === 'EQ') {
          serviceTypes.push(...segment.repetitions(1));
          const parts = segment.components(2);
          if (parts.length > 0) {
            if (parts.length < 2 || parts[1] === '') segment.fail('missing-element', 'names a procedure qualifier without its code', 2);
            procedureCodes.push({ qualifier: parts[0] ?? '', code: parts[1] ?? '', modifiers: parts.slice(2).filter((m) => m !== '') });
          }
          if (segment.get(1) === undefined && parts.length === 0)
            segment.fail('missing-element', 'asks about neither a service type (EQ01) nor a procedure (EQ02)', 1);
          level = letter === 'C' ? '2110C' : '2110D';
        } else if (!['REF', 'N3', 'N4', 'PRV', 'HI', 'AMT', 'III'].includes(id)) {
          unexpected(segment, level, ['REF', 'N3', 'N4', 'PRV', 'DMG', 'INS', 'HI', 'DTP', 'EQ', 'HL']);
        }
        break;
      }
    }
  }

  const subscriber = people.subscriber;
  if (payer === undefined || provider === undefined || subscriber === undefined || trace === undefined) {
    return set.trailer.fail('unexpected-segment', 'ends the 270 before the payer, provider, subscriber and trace number were all given');
  }
  const dependent = people.dependent;
  const isa = interchange.header;
  return {
    sender: { qualifier: isa.senderQualifier, id: isa.senderId, applicationCode: group.senderCode },
    receiver: { qualifier: isa.receiverQualifier, id: isa.receiverId, applicationCode: group.receiverCode },
    controlNumbers: { interchange: Number(isa.controlNumber), group: Number(group.controlNumber), transaction: set.controlNumber },
    createdAt: {
      date: readDate(bht, 4) ?? bht.fail('missing-element', 'is required (date) but is empty', 4),
      time: readTime(bht, 5) ?? bht.fail('missing-element', 'is required (time) but is empty', 5),
    },
    usage: isa.usage,
    reference: bht.get(3) ?? '',
    informationSource: payer,
    informationReceiver: provider,
    subscriber: {
      memberId: subscriber.memberId ?? '',
      firstName: subscriber.firstName,
      lastName: subscriber.lastName,
      birthDate: subscriber.birthDate ?? '',
      ...(subscriber.gender === undefined ? {} : { gender: subscriber.gender }),
      ...(subscriber.groupNumber === undefined ? {} : { groupNumber: subscriber.groupNumber }),
    },
    ...(dependent === undefined
      ? {}
      : {
          dependent: {
            firstName: dependent.firstName,
            lastName: dependent.lastName,
            birthDate: dependent.birthDate ?? '',
            ...(dependent.gender === undefined ? {} : { gender: dependent.gender }),
            relationship: dependent.relationship ?? 'other-adult',
          },
        }),
    trace,
    serviceDate: serviceDate ?? set.trailer.fail('missing-element', 'closes a 270 that sent no DTP*291 service date'),
    serviceTypes,
    ...(procedureCodes.length === 0 ? {} : { procedureCodes }),
    warnings,
  };
}
