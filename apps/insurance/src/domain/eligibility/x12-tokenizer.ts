import { X12ParseError, X12ParseErrorCode } from './x12-parse-error';

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
const ISA_SEGMENT_LENGTH = 106;
const SEGMENT_ID = /^[A-Z][A-Z0-9]{1,2}$/;

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
    // eslint-disable-next-line no-control-regex
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

function isLetterOrDigit(ch: string): boolean {
  return /^[A-Za-z0-9]$/.test(ch);
}

function isaError(code: X12ParseErrorCode, problem: string, byteOffset: number, element?: string): X12ParseError {
  return new X12ParseError({ code, segmentNumber: 1, segmentId: 'ISA', element, byteOffset, problem });
}

/**
 * Reads the delimiters from the ISA and splits the interchange into segments. Envelope rules (trailers,
 * counts, control numbers) are checked by readInterchange, which builds on this.
 */
export function tokenize(input: string | Uint8Array): X12Tokens {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  const offsets = new ByteOffsets(text);
  let start = 0;
  // A BOM or blank lines before the ISA come from editors and transfer tools, not from the payer.
  while (start < text.length && /[\s\uFEFF]/.test(text.charAt(start))) start += 1;

  if (!text.startsWith('ISA', start)) {
    const found = text.slice(start, start + 3);
    throw isaError('isa-too-short', `the input does not start with an ISA segment (found "${found}")`, offsets.at(start));
  }
  const available = text.length - start;
  if (available < ISA_SEGMENT_LENGTH) {
    throw isaError(
      'isa-too-short',
      `the input is ${available} characters; an ISA segment alone is ${ISA_SEGMENT_LENGTH} characters with its terminator`,
      offsets.at(start),
    );
  }

  const element = text.charAt(start + 3);
  if (isLetterOrDigit(element) || element === ' ') {
    throw isaError('invalid-delimiters', `character 4 "${element}" cannot be an element separator`, offsets.at(start));
  }

  const isaValues: string[] = ['ISA'];
  let pos = start + 4;
  for (let i = 0; i < 15; i += 1) {
    const width = ISA_ELEMENT_WIDTHS[i] ?? 0;
    const next = text.indexOf(element, pos);
    if (next !== pos + width) {
      const value = next === -1 ? text.slice(pos, pos + width) : text.slice(pos, next);
      throw isaError(
        'isa-field-width',
        `"${value}" must be ${width} characters wide (ISA fields are fixed width), found ${value.length}`,
        offsets.at(start),
        `ISA${String(i + 1).padStart(2, '0')}`,
      );
    }
    isaValues.push(text.slice(pos, next));
    pos = next + 1;
  }
  const component = text.charAt(pos);
  const segment = text.charAt(pos + 1);
  isaValues.push(component);

  const version = isaValues[12] ?? '';
  const isaRepetition = isaValues[11] ?? '';
  // 00401 and earlier used ISA11 for the standards identifier ("U"); 00501 made it the repetition separator.
  const repetition = version >= '00501' ? isaRepetition : undefined;

  const declared: [string, string][] = [
    ['ISA16 component separator', component],
    ['segment terminator', segment],
  ];
  if (repetition !== undefined) declared.push(['ISA11 repetition separator', repetition]);
  for (const [what, ch] of declared) {
    if (isLetterOrDigit(ch) || ch === ' ') {
      throw isaError('invalid-delimiters', `the ${what} "${ch}" is a letter, digit or space`, offsets.at(start));
    }
  }
  const all = [element, component, segment, ...(repetition === undefined ? [] : [repetition])];
  if (new Set(all).size !== all.length) {
    throw isaError('invalid-delimiters', `the delimiters ${JSON.stringify(all)} are not all different`, offsets.at(start));
  }

  const delimiters: X12Delimiters = { element, repetition, component, segment };
  const segments: X12Segment[] = [];
  let i = start;
  let position = 0;
  while (i < text.length) {
    // CR/LF after a terminator is formatting added for people reading the file, never data.
    while (i < text.length && (text.charAt(i) === '\r' || text.charAt(i) === '\n')) i += 1;
    if (i >= text.length) break;
    position += 1;
    const end = text.indexOf(segment, i);
    if (end === -1) {
      const rest = text.slice(i);
      if (rest.trim() === '') break;
      const id = rest.split(element)[0] ?? '';
      throw new X12ParseError({
        code: 'missing-segment-terminator',
        segmentNumber: position,
        segmentId: id.slice(0, 3),
        byteOffset: offsets.at(i),
        problem: `has no segment terminator "${segment}" before the end of the input`,
      });
    }
    const elements = text.slice(i, end).split(element);
    const id = elements[0] ?? '';
    if (!SEGMENT_ID.test(id)) {
      throw new X12ParseError({
        code: 'invalid-segment-id',
        segmentNumber: position,
        segmentId: id.slice(0, 3),
        byteOffset: offsets.at(i),
        problem: `"${id.slice(0, 20)}" is not a segment identifier`,
      });
    }
    segments.push(new X12Segment(id, elements, position, offsets.at(i), delimiters));
    i = end + 1;
  }
  return { delimiters, segments };
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
