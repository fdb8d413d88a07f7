/**
 * What went wrong, as a closed set, so callers (the verification use case, a 999 generator later) can branch
 * on it without reading the message.
 */
export type X12ParseErrorCode =
  | 'isa-too-short'
  | 'isa-field-width'
  | 'invalid-delimiters'
  | 'missing-segment-terminator'
  | 'invalid-segment-id'
  | 'missing-trailer'
  | 'unexpected-trailer'
  | 'segment-count-mismatch'
  | 'control-number-mismatch'
  | 'wrong-transaction-set'
  | 'unexpected-segment'
  | 'missing-element'
  | 'invalid-code'
  | 'invalid-date'
  | 'invalid-time'
  | 'invalid-amount'
  | 'invalid-percent'
  | 'invalid-quantity'
  | 'invalid-hierarchy';

export interface X12ParseErrorDetails {
  readonly code: X12ParseErrorCode;
  /** Ordinal of the segment in the interchange, ISA being 1. */
  readonly segmentNumber: number;
  readonly segmentId: string;
  /** Element reference such as "EB07", when one element is at fault. */
  readonly element?: string;
  /** Offset of the segment's first byte in the UTF-8 input. */
  readonly byteOffset: number;
  readonly problem: string;
}

/**
 * A 270/271 that cannot be read. It is never retriable: the same bytes fail the same way, so the caller stores
 * the response and tells the coordinator instead of retrying.
 */
export class X12ParseError extends Error {
  override readonly name = 'X12ParseError';
  readonly retriable = false;
  readonly code: X12ParseErrorCode;
  readonly segmentNumber: number;
  readonly segmentId: string;
  readonly element: string | undefined;
  readonly byteOffset: number;
  readonly problem: string;

  constructor(details: X12ParseErrorDetails) {
    const where = `segment ${details.segmentNumber} (${details.segmentId || '?'})`;
    const what = details.element === undefined ? details.problem : `element ${details.element} ${details.problem}`;
    super(`${where}: ${what}`);
    this.code = details.code;
    this.segmentNumber = details.segmentNumber;
    this.segmentId = details.segmentId;
    this.element = details.element;
    this.byteOffset = details.byteOffset;
    this.problem = details.problem;
  }
}

/** A builder input that cannot become a valid 270; names the input field at fault. */
export class X12BuildError extends Error {
  override readonly name = 'X12BuildError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}
