import { X12ParseError, X12ParseErrorCode } from './x12-parse-error';
import { X12Warning } from './x12-warnings';

/** The separators an interchange declares in its ISA; every later segment is read with these. */
export interface X12Delimiters {
  readonly element: string;
  /** Undefined before version 00501, where ISA11 was a standards identifier rather than a separator. */
  readonly repetition: string | undefined;
  readonly component: string;
  readonly segment: string;
}

export const DEFAULT_DELIMITERS: X12Delimiters = { element: '*', repetition: '^', component: ':', segment: '~' };

/** ISA01..ISA16 are fixed width; the whole segment is 106 characters with its terminator. */
export const ISA_ELEMENT_WIDTHS: readonly number[] = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];
/** A segment identifier: an upper-case letter, then one or two upper-case letters or digits (checked without a regex, once per segment). */
function isSegmentId(id: string): boolean {
  const length = id.length;
  if (length < 2 || length > 3) return false;
  const first = id.charCodeAt(0);
  if (first < 65 || first > 90) return false;
  for (let k = 1; k < length; k += 1) {
    const c = id.charCodeAt(k);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

/** One segment as read, with where it sits so an error can point at it. */
export class X12Segment {
  constructor(
    readonly id: string,
    /** elements[0] is the segment id, so elements[7] is e.g. EB07. */
    readonly elements: readonly string[],
    /** Ordinal in the interchange, ISA being 1. */
    readonly position: number,
    readonly byteOffset: number,
    readonly delimiters: X12Delimiters,
  ) {}

  /** The element's value, or undefined when it is absent or empty (X12 does not distinguish the two). */
  get(index: number): string | undefined {
    const value = this.elements[index];
    return value === undefined || value === '' ? undefined : value;
  }

  require(index: number, what: string): string {
    const value = this.get(index);
    if (value === undefined) this.fail('missing-element', `is required (${what}) but is empty`, index);
    return value;
  }

  /** Composite element parts, e.g. EB13 "HC:H0015" → ["HC", "H0015"]. */
  components(index: number): string[] {
    const value = this.get(index);
    return value === undefined ? [] : value.split(this.delimiters.component);
  }

  /** Repeated values, e.g. EB03 "MH^AI" → ["MH", "AI"]. */
  repetitions(index: number): string[] {
    const value = this.get(index);
    if (value === undefined) return [];
    return this.delimiters.repetition === undefined ? [value] : value.split(this.delimiters.repetition);
  }

  ref(index: number): string {
    return `${this.id}${String(index).padStart(2, '0')}`;
  }

  fail(code: X12ParseErrorCode, problem: string, index?: number): never {
    const element = index === undefined ? undefined : this.ref(index);
    const shown = index === undefined ? problem : `"${this.elements[index] ?? ''}" ${problem}`;
    throw new X12ParseError({
      code,
      segmentNumber: this.position,
      segmentId: this.id,
      element,
      byteOffset: this.byteOffset,
      problem: index === undefined ? problem : shown,
    });
  }
}

export interface X12Tokens {
  readonly delimiters: X12Delimiters;
  readonly segments: readonly X12Segment[];
  /** Deviations read past (line breaks inside segments, an unpadded ISA, …); empty for a clean interchange. */
  readonly warnings: readonly X12Warning[];
}

/**
 * Character index → UTF-8 byte offset. Files are nearly always ASCII, where the two are equal; otherwise the
 * offsets are accumulated as the tokenizer moves forward, so the cost stays linear.
 */
class ByteOffsets {
  private charIndex = 0;
  private byteIndex = 0;
  private readonly ascii: boolean;

  constructor(private readonly text: string) {
    // eslint-disable-next-line no-control-regex -- the test is for any character outside 7-bit ASCII
    this.ascii = !/[^\u0000-\u007f]/.test(text);
  }

  at(index: number): number {
    if (this.ascii) return index;
    let bytes = this.byteIndex;
    let k = this.charIndex;
    while (k < index) {
      const code = this.text.charCodeAt(k);
      if (code < 0x80) bytes += 1;
      else if (code < 0x800) bytes += 2;
      else if (code >= 0xd800 && code <= 0xdbff) {
        bytes += 4;
        k += 1;
      } else bytes += 3;
      k += 1;
    }
    this.charIndex = k;
    this.byteIndex = bytes;
    return bytes;
  }
}

const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

function isLetterOrDigit(ch: string): boolean {
  return /^[A-Za-z0-9]$/.test(ch);
}

function isaError(code: X12ParseErrorCode, problem: string, byteOffset: number, element?: string): X12ParseError {
  return new X12ParseError({ code, segmentNumber: 1, segmentId: 'ISA', element, byteOffset, problem });
}

interface IsaRead {
  readonly values: string[];
  /** Index just past ISA16. */
  readonly end: number;
  readonly lineBreaksInside: boolean;
  readonly widthsOff: readonly string[];
}

/**
 * Walks ISA01..ISA16 by the element separator rather than by fixed offsets, so an ISA whose IDs were not padded
 * is still read (and reported). Line breaks inside the ISA (a file wrapped at 60 or 80 columns) are skipped.
 */
function readIsa(text: string, start: number, element: string, offsets: ByteOffsets): IsaRead {
  const values: string[] = ['ISA'];
  const widthsOff: string[] = [];
  let lineBreaksInside = false;
  let pos = start + 4;
  for (let i = 0; i < 15; i += 1) {
    let value = '';
    let k = pos;
    for (; k < text.length; k += 1) {
      const ch = text.charAt(k);
      if (ch === element) break;
      if (ch === '\r' || ch === '\n') {
        lineBreaksInside = true;
        continue;
      }
      value += ch;
      // An ISA field is at most 15 characters; far past that the separator is not coming.
      if (value.length > 40) break;
    }
    if (k >= text.length || text.charAt(k) !== element) {
      throw isaError(
        'isa-too-short',
        `the ISA has ${i} of its 16 elements before ${k >= text.length ? 'the input ends' : 'a field longer than any ISA field'}; an ISA segment is 106 characters with its terminator`,
        offsets.at(start),
        `ISA${String(i + 1).padStart(2, '0')}`,
      );
    }
    const width = ISA_ELEMENT_WIDTHS[i] ?? 0;
    if (value.length !== width) widthsOff.push(`ISA${String(i + 1).padStart(2, '0')} "${value}" is ${value.length} characters, not ${width}`);
    values.push(value);
    pos = k + 1;
  }
  while (pos < text.length && (text.charAt(pos) === '\r' || text.charAt(pos) === '\n')) {
    lineBreaksInside = true;
    pos += 1;
  }
  if (pos >= text.length) {
    throw isaError('isa-too-short', 'the input ends before ISA16, the component separator', offsets.at(start), 'ISA16');
  }
  values.push(text.charAt(pos));
  return { values, end: pos + 1, lineBreaksInside, widthsOff };
}

/**
 * Reads the delimiters from the ISA and splits the interchange into segments. Envelope rules (trailers,
 * counts, control numbers) are checked by readInterchange, which builds on this.
 *
 * What clearinghouses really send is read and reported as warnings: a byte-order mark, CR/LF or a space after
 * terminators, indentation, a newline as the only terminator, a last segment without its terminator, a file
 * wrapped at a fixed width, an ISA whose IDs were not padded, the same character as repetition and component
 * separator. What cannot be read (no ISA, colliding or alphanumeric delimiters, text that is not a segment)
 * is refused with the segment and byte offset.
 */
export function tokenize(input: string | Uint8Array): X12Tokens {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  const offsets = new ByteOffsets(text);
  const warnings: X12Warning[] = [];
  let start = 0;
  if (text.charCodeAt(0) === 0xfeff) {
    warnings.push({ code: 'byte-order-mark', message: 'the input starts with a byte-order mark, which X12 does not use; it was skipped' });
    start = 1;
  }
  // Blank lines before the ISA come from editors and transfer tools, not from the payer.
  while (start < text.length && /[\s\uFEFF]/.test(text.charAt(start))) start += 1;

  if (!text.startsWith('ISA', start)) {
    const found = text.slice(start, start + 3);
    throw isaError('isa-too-short', `the input does not start with an ISA segment (found "${found}")`, offsets.at(start));
  }
  const element = text.charAt(start + 3);
  if (element === '' || isLetterOrDigit(element) || element === ' ' || element === '\r' || element === '\n') {
    throw isaError('invalid-delimiters', `character 4 "${element}" cannot be an element separator`, offsets.at(start));
  }

  const isa = readIsa(text, start, element, offsets);
  const isaValues = isa.values;
  const component = isaValues[16] ?? '';
  let terminatorAt = isa.end;
  if (isa.lineBreaksInside) {
    // A wrapped file: the terminator is the next character that is not a line break.
    while (terminatorAt < text.length && (text.charAt(terminatorAt) === '\r' || text.charAt(terminatorAt) === '\n')) terminatorAt += 1;
  }
  const segment = text.charAt(terminatorAt);
  if (segment === '') throw isaError('isa-too-short', 'the input ends before the segment terminator that follows ISA16', offsets.at(start));
  if (isa.widthsOff.length > 0) {
    warnings.push({
      code: 'isa-not-fixed-width',
      segmentNumber: 1,
      segmentId: 'ISA',
      message: `the ISA is not fixed width (${isa.widthsOff.join('; ')}); it was read by its separators`,
    });
  }

  const version = isaValues[12] ?? '';
  const isaRepetition = isaValues[11] ?? '';
  // 00401 and earlier used ISA11 for the standards identifier ("U"); 00501 made it the repetition separator.
  let repetition = version >= '00501' ? isaRepetition : undefined;
  if (repetition !== undefined && (isLetterOrDigit(repetition) || repetition === ' ')) {
    warnings.push({
      code: 'isa-header',
      segmentNumber: 1,
      segmentId: 'ISA',
      element: 'ISA11',
      message: `"${repetition}" is a standards identifier, not a repetition separator, though ISA12 is ${version}; no element is split into repetitions`,
    });
    repetition = undefined;
  }

  const newlineTerminated = segment === '\n' || segment === '\r';
  const declared: [string, string][] = [['ISA16 component separator', component]];
  if (!newlineTerminated) declared.push(['segment terminator', segment]);
  for (const [what, ch] of declared) {
    if (isLetterOrDigit(ch) || ch === ' ' || ch === '\r' || ch === '\n') {
      throw isaError('invalid-delimiters', `the ${what} "${ch}" is a letter, digit, space or line break`, offsets.at(start));
    }
  }
  if (repetition !== undefined && repetition === component) {
    warnings.push({
      code: 'repetition-separator-reused',
      segmentNumber: 1,
      segmentId: 'ISA',
      element: 'ISA11',
      message: `the repetition separator "${repetition}" is also the component separator (ISA16); repeated and composite elements are still told apart by position`,
    });
  }
  const all = [element, component, segment, ...(repetition === undefined || repetition === component ? [] : [repetition])];
  if (new Set(all).size !== all.length) {
    throw isaError('invalid-delimiters', `the delimiters ${JSON.stringify(all)} are not all different`, offsets.at(start));
  }
  if (newlineTerminated) {
    warnings.push({
      code: 'newline-terminator',
      segmentNumber: 1,
      segmentId: 'ISA',
      message: 'segments are ended by line breaks rather than a terminator character',
    });
  }
  if (isa.lineBreaksInside) {
    warnings.push({ code: 'line-wrapped', segmentNumber: 1, segmentId: 'ISA', message: 'the file is wrapped: line breaks inside segments were removed' });
  }

  const delimiters: X12Delimiters = { element, repetition, component, segment };
  const segments: X12Segment[] = [new X12Segment('ISA', isaValues, 1, offsets.at(start), delimiters)];
  let position = 1;
  let i = terminatorAt + 1;
  let sawCr = false;
  let indented = 0;
  let trailingSpace = 0;
  let wrapped = isa.lineBreaksInside;
  // Positions of the next CR and LF, found once and moved forward, so that checking every segment for line
  // breaks inside it costs one pass over the input, not one per segment.
  let nextCr = newlineTerminated ? -1 : text.indexOf('\r', i);
  let nextLf = newlineTerminated ? -1 : text.indexOf('\n', i);
  const length = text.length;
  while (i < length) {
    // CR/LF after a terminator is formatting added for people reading the file; spaces and tabs are indentation.
    let code = text.charCodeAt(i);
    let skippedSpace = false;
    while (code === CR || code === LF || code === SPACE || code === TAB) {
      if (code === CR) sawCr = true;
      else if (code === SPACE || code === TAB) skippedSpace = true;
      i += 1;
      if (i >= length) break;
      code = text.charCodeAt(i);
    }
    if (i >= length) break;
    if (skippedSpace) indented += 1;
    position += 1;
    let end = text.indexOf(segment, i);
    let unterminated = false;
    if (end === -1) {
      end = length;
      unterminated = true;
    }
    let raw = text.slice(i, end);
    if (newlineTerminated) {
      if (raw.charCodeAt(raw.length - 1) === CR) raw = raw.slice(0, -1);
    } else {
      if (nextCr !== -1 && nextCr < i) nextCr = text.indexOf('\r', i);
      if (nextLf !== -1 && nextLf < i) nextLf = text.indexOf('\n', i);
      if ((nextCr !== -1 && nextCr < end) || (nextLf !== -1 && nextLf < end)) {
        raw = raw.replace(/[\r\n]+/g, '');
        wrapped = true;
      }
    }
    const last = raw.charCodeAt(raw.length - 1);
    if (last === SPACE || last === TAB) {
      raw = raw.trimEnd();
      trailingSpace += 1;
    }
    const elements = raw.split(element);
    const id = elements[0] ?? '';
    if (!isSegmentId(id)) {
      throw new X12ParseError({
        code: unterminated ? 'missing-segment-terminator' : 'invalid-segment-id',
        segmentNumber: position,
        segmentId: id.slice(0, 3),
        byteOffset: offsets.at(i),
        problem: unterminated
          ? `has no segment terminator "${segment}" before the end of the input, and "${id.slice(0, 20)}" is not a segment identifier`
          : `"${id.slice(0, 20)}" is not a segment identifier`,
      });
    }
    if (unterminated) {
      warnings.push({
        code: 'last-segment-unterminated',
        segmentNumber: position,
        segmentId: id,
        message: `the last segment has no terminator${newlineTerminated ? '' : ` "${segment}"`}; it was read up to the end of the input`,
      });
    }
    segments.push(new X12Segment(id, elements, position, offsets.at(i), delimiters));
    i = end + 1;
  }
  if (sawCr && !newlineTerminated) {
    warnings.push({ code: 'crlf-line-ends', message: 'segments are followed by CR/LF line ends, which are formatting, not data; they were skipped' });
  }
  if (wrapped && !isa.lineBreaksInside) {
    warnings.push({ code: 'line-wrapped', message: 'line breaks inside segments (a file wrapped at a fixed width) were removed' });
  }
  if (indented > 0 || trailingSpace > 0) {
    warnings.push({
      code: 'whitespace-around-segments',
      message: `spaces or tabs around segments were removed (${indented} indented or after a terminator, ${trailingSpace} with trailing spaces)`,
    });
  }
  return { delimiters, segments, warnings };
}

/**
 * The cheapest reading of the same bytes (split into segments and elements, nothing checked). The benchmark
 * uses it as the floor that full parsing is compared against.
 */
export function splitSegmentsOnly(text: string): string[][] {
  let start = 0;
  while (start < text.length && /[\s\uFEFF]/.test(text.charAt(start))) start += 1;
  const element = text.charAt(start + 3);
  const terminator = text.charAt(start + 105);
  const out: string[][] = [];
  for (const raw of text.slice(start).split(terminator)) {
    const trimmed = raw.replace(/^[\r\n]+/, '');
    if (trimmed !== '') out.push(trimmed.split(element));
  }
  return out;
}
