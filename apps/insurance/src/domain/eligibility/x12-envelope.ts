import { X12ParseError } from './x12-parse-error';
import { tokenize, X12Delimiters, X12Segment } from './x12-tokenizer';
import { IsoDate, readDate, readShortDate, readTime } from './x12-values';
import { X12Warning } from './x12-warnings';

export interface InterchangeHeader {
  readonly senderQualifier: string;
  readonly senderId: string;
  readonly receiverQualifier: string;
  readonly receiverId: string;
  readonly date: IsoDate;
  readonly time: string;
  readonly version: string;
  readonly controlNumber: string;
  readonly acknowledgmentRequested: boolean;
  readonly usage: 'production' | 'test';
}

export interface TransactionSet {
  readonly id: string;
  readonly controlNumber: string;
  readonly implementation: string | undefined;
  readonly header: X12Segment;
  /** The segments between ST and SE. */
  readonly body: readonly X12Segment[];
  readonly trailer: X12Segment;
}

export interface FunctionalGroup {
  readonly functionalId: string;
  readonly senderCode: string;
  readonly receiverCode: string;
  readonly date: IsoDate;
  readonly time: string;
  readonly controlNumber: string;
  readonly version: string;
  readonly transactions: readonly TransactionSet[];
}

export interface Interchange {
  readonly delimiters: X12Delimiters;
  readonly header: InterchangeHeader;
  readonly groups: readonly FunctionalGroup[];
  readonly segmentCount: number;
  /** What was read past: counts and control numbers that disagree, missing GE/IEA, formatting (see tokenize). */
  readonly warnings: readonly X12Warning[];
}

/** What a reader expects of its transaction sets: which set, which functional group, and the guides it reads. */
export interface TransactionSetSpec {
  /** ST01: '270' or '271'. */
  readonly id: string;
  /** What the set is, for messages: 'eligibility inquiry'. */
  readonly what: string;
  /** GS01 expected of its group ('HS' for a 270, 'HB' for a 271); another is read with a warning. */
  readonly functionalId: string;
  /** The guide the reader follows (ST03, or GS08 without it). */
  readonly implementation: string;
  /** Guides it also reads, each with the warning it gives (undefined: no warning). */
  readonly readable: Readonly<Record<string, string | undefined>>;
}

/**
 * A transaction set is the one the reader expects, under a guide it reads; refuses it otherwise. A group's GS01 other
 * than the set's, an older guide, and an ST03 that differs from GS08 are read, with warnings (ST01 and ST03 decide).
 */
export function checkTransactionSet(group: FunctionalGroup, set: TransactionSet, spec: TransactionSetSpec, warnings: X12Warning[]): void {
  if (set.id !== spec.id) set.header.fail('wrong-transaction-set', `is not a ${spec.id} ${spec.what}`, 1);
  if (group.functionalId !== spec.functionalId) {
    warnings.push({
      code: 'functional-identifier',
      segmentNumber: set.header.position,
      segmentId: 'ST',
      message: `belongs to a group whose GS01 is "${group.functionalId}", not ${spec.functionalId} (${spec.what}); read as a ${spec.id} because ST01 says so`,
    });
  }
  const stated = set.implementation;
  const implementation = stated ?? group.version;
  if (!Object.prototype.hasOwnProperty.call(spec.readable, implementation)) {
    if (stated !== undefined) set.header.fail('wrong-transaction-set', `is not the ${spec.implementation} implementation (nor 004010X092A1)`, 3);
    set.header.fail('wrong-transaction-set', `has no ST03, and GS08 "${group.version}" is not the ${spec.implementation} implementation (nor 004010X092A1)`);
  }
  const note = spec.readable[implementation];
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

interface OpenGroup {
  readonly gs: X12Segment;
  readonly transactions: TransactionSet[];
}

interface OpenTransaction {
  readonly st: X12Segment;
  readonly startIndex: number;
}

/**
 * Control numbers are compared as numbers when both are digits: some senders pad GS06 and GE02 differently,
 * which is not the mismatch this check exists to catch.
 */
function sameControlNumber(a: string, b: string): boolean {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) === BigInt(b);
  return a === b;
}

/**
 * Trailer counts and control numbers that disagree with their headers are kept as warnings: real senders get
 * them wrong (a count that includes the envelope, a control number re-padded), and they do not change what the
 * response says. A missing or non-numeric value is reported the same way.
 */
function checkControl(trailer: X12Segment, index: number, expected: string, headerRef: string, warnings: X12Warning[]): void {
  const actual = trailer.get(index);
  if (actual === undefined || !sameControlNumber(actual, expected)) {
    warnings.push({
      code: 'control-number-mismatch',
      segmentNumber: trailer.position,
      segmentId: trailer.id,
      element: trailer.ref(index),
      message: `"${actual ?? ''}" does not match ${headerRef} "${expected}"`,
    });
  }
}

function checkCount(trailer: X12Segment, index: number, expected: number, what: string, warnings: X12Warning[]): void {
  const raw = trailer.get(index);
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) !== expected) {
    warnings.push({
      code: 'segment-count-mismatch',
      segmentNumber: trailer.position,
      segmentId: trailer.id,
      element: trailer.ref(index),
      message: `"${raw ?? ''}" does not match the ${expected} ${what}`,
    });
  }
}

function missingTrailer(at: X12Segment, problem: string): X12ParseError {
  return new X12ParseError({
    code: 'missing-trailer',
    segmentNumber: at.position,
    segmentId: at.id,
    byteOffset: at.byteOffset,
    problem,
  });
}

function readHeader(isa: X12Segment, warnings: X12Warning[]): InterchangeHeader {
  const usage = isa.get(15)?.trim();
  const ack = isa.get(14)?.trim();
  const control = isa.require(13, 'interchange control number').trim();
  const odd: string[] = [];
  if (usage !== 'P' && usage !== 'T') odd.push(`ISA15 "${usage ?? ''}" is not a usage indicator (P or T)`);
  if (ack !== '0' && ack !== '1') odd.push(`ISA14 "${ack ?? ''}" is not an acknowledgment flag (0 or 1)`);
  if (!/^\d{9}$/.test(control)) odd.push(`ISA13 "${control}" is not a nine-digit control number`);
  if (odd.length > 0) warnings.push({ code: 'isa-header', segmentNumber: 1, segmentId: 'ISA', message: odd.join('; ') });
  return {
    senderQualifier: isa.get(5)?.trim() ?? '',
    senderId: isa.get(6)?.trim() ?? '',
    receiverQualifier: isa.get(7)?.trim() ?? '',
    receiverId: isa.get(8)?.trim() ?? '',
    date: readShortDate(isa, 9),
    time: readTime(isa, 10) ?? isa.fail('missing-element', 'is required (time) but is empty', 10),
    version: isa.require(12, 'version'),
    controlNumber: control,
    acknowledgmentRequested: ack === '1',
    usage: usage === 'T' ? 'test' : 'production',
  };
}

function closeGroup(open: OpenGroup, ge: X12Segment | undefined, warnings: X12Warning[]): FunctionalGroup {
  const control = open.gs.require(6, 'group control number');
  if (ge !== undefined) {
    checkCount(ge, 1, open.transactions.length, 'transaction sets in the group', warnings);
    checkControl(ge, 2, control, 'GS06', warnings);
  }
  return {
    functionalId: open.gs.require(1, 'functional identifier'),
    senderCode: open.gs.require(2, 'application sender code'),
    receiverCode: open.gs.require(3, 'application receiver code'),
    date: readDate(open.gs, 4) ?? open.gs.fail('missing-element', 'is required (date) but is empty', 4),
    time: readTime(open.gs, 5) ?? open.gs.fail('missing-element', 'is required (time) but is empty', 5),
    controlNumber: control,
    version: open.gs.require(8, 'version'),
    transactions: open.transactions,
  };
}

/**
 * Checks the envelope (ISA/IEA, GS/GE, ST/SE: presence, counts, control numbers) and hands back the
 * transaction sets. One interchange per input: that is what a clearinghouse returns for one inquiry.
 */
export function readInterchange(input: string | Uint8Array): Interchange {
  const tokens = tokenize(input);
  const { delimiters, segments } = tokens;
  const warnings: X12Warning[] = [...tokens.warnings];
  const isa = segments[0];
  if (isa === undefined) throw new Error('tokenize returned no ISA');
  const header = readHeader(isa, warnings);
  const groups: FunctionalGroup[] = [];
  let group: OpenGroup | undefined;
  let transaction: OpenTransaction | undefined;
  let closed: X12Segment | undefined;

  for (let k = 1; k < segments.length; k += 1) {
    const next = segments[k];
    if (next === undefined) break;
    // Annotated so that segment.fail(), which never returns, narrows the open group and transaction below.
    const segment: X12Segment = next;
    if (closed !== undefined) {
      segment.fail('unexpected-segment', `follows the IEA at segment ${closed.position}; one interchange per input`);
    }
    switch (segment.id) {
      case 'ISA':
        segment.fail('unexpected-segment', 'starts a second interchange before IEA closed the first');
        break;
      case 'GS':
        if (transaction !== undefined) throw unclosedTransaction(transaction, segment);
        if (group !== undefined) throw unclosedGroup(group, segment);
        group = { gs: segment, transactions: [] };
        break;
      case 'ST':
        if (transaction !== undefined) throw unclosedTransaction(transaction, segment);
        if (group === undefined) segment.fail('unexpected-segment', 'starts a transaction set outside a functional group (no GS)');
        transaction = { st: segment, startIndex: k };
        break;
      case 'SE': {
        if (transaction === undefined || group === undefined) {
          segment.fail('unexpected-trailer', 'closes a transaction set that no ST opened');
        }
        checkCount(segment, 1, k - transaction.startIndex + 1, 'segments from ST to SE', warnings);
        const stControl = transaction.st.require(2, 'transaction set control number');
        checkControl(segment, 2, stControl, 'ST02', warnings);
        group.transactions.push({
          id: transaction.st.require(1, 'transaction set identifier'),
          controlNumber: stControl,
          implementation: transaction.st.get(3),
          header: transaction.st,
          body: segments.slice(transaction.startIndex + 1, k),
          trailer: segment,
        });
        transaction = undefined;
        break;
      }
      case 'GE':
        if (transaction !== undefined) throw unclosedTransaction(transaction, segment);
        if (group === undefined) segment.fail('unexpected-trailer', 'closes a functional group that no GS opened');
        groups.push(closeGroup(group, segment, warnings));
        group = undefined;
        break;
      case 'IEA':
        if (transaction !== undefined) throw unclosedTransaction(transaction, segment);
        if (group !== undefined) {
          warnings.push({
            code: 'missing-trailer',
            segmentNumber: segment.position,
            segmentId: segment.id,
            message: `IEA appears before a GE closed functional group "${group.gs.get(6) ?? '?'}" (GS at segment ${group.gs.position})`,
          });
          groups.push(closeGroup(group, undefined, warnings));
          group = undefined;
        }
        checkCount(segment, 1, groups.length, 'functional groups in the interchange', warnings);
        checkControl(segment, 2, header.controlNumber, 'ISA13', warnings);
        closed = segment;
        break;
      default:
        if (transaction === undefined) {
          segment.fail('unexpected-segment', 'appears outside a transaction set (between ST and SE)');
        }
    }
  }

  const last = segments[segments.length - 1] ?? isa;
  // A transaction set without its SE may have been cut short, so what it says cannot be trusted: refused. A file
  // that ends at SE, without GE or IEA, has every segment the payer meant to send: read, with a warning.
  if (transaction !== undefined) throw unclosedTransaction(transaction, last, true);
  if (group !== undefined) {
    warnings.push({
      code: 'missing-trailer',
      segmentNumber: last.position,
      segmentId: last.id,
      message: `the input ends without the GE closing functional group "${group.gs.get(6) ?? '?'}"`,
    });
    groups.push(closeGroup(group, undefined, warnings));
  }
  if (closed === undefined) {
    warnings.push({ code: 'missing-trailer', segmentNumber: last.position, segmentId: last.id, message: 'the interchange ends without an IEA segment' });
  }
  return { delimiters, header, groups, segmentCount: segments.length, warnings };
}

function unclosedTransaction(open: OpenTransaction, at: X12Segment, atEnd = false): X12ParseError {
  const control = open.st.get(2) ?? '?';
  const where = atEnd ? 'the input ends' : `${at.id} appears`;
  return missingTrailer(at, `${where} before an SE closed transaction set "${control}" (ST at segment ${open.st.position})`);
}

function unclosedGroup(open: OpenGroup, at: X12Segment, atEnd = false): X12ParseError {
  const control = open.gs.get(6) ?? '?';
  const where = atEnd ? 'the input ends' : `${at.id} appears`;
  return missingTrailer(at, `${where} before a GE closed functional group "${control}" (GS at segment ${open.gs.position})`);
}
