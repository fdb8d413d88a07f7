/**
 * A deviation from the X12 rules that does not change what the response means: the response is read, and the
 * deviation is kept with it (on the verification, visible to the coordinator and in the audit of the exchange).
 * A code or segment the reader does not know is a warning too ('unknown-code', 'unknown-segment'): the rest is read,
 * and the line it sits in is kept as sent in `notUnderstood` rather than read as something it may not mean.
 * Only what cannot be read at all is an X12ParseError.
 */
export type X12WarningCode =
  | 'byte-order-mark'
  | 'crlf-line-ends'
  | 'whitespace-around-segments'
  | 'newline-terminator'
  | 'line-wrapped'
  | 'last-segment-unterminated'
  | 'isa-not-fixed-width'
  | 'isa-header'
  | 'repetition-separator-reused'
  | 'segment-count-mismatch'
  | 'control-number-mismatch'
  | 'missing-trailer'
  | 'functional-identifier'
  | 'implementation-version'
  | 'unknown-code'
  | 'unknown-segment';

export interface X12Warning {
  readonly code: X12WarningCode;
  /** Ordinal of the segment concerned (ISA = 1), when one segment is concerned. */
  readonly segmentNumber?: number;
  readonly segmentId?: string;
  readonly element?: string;
  readonly message: string;
}

export function describeWarning(warning: X12Warning): string {
  if (warning.segmentNumber === undefined) return warning.message;
  const element = warning.element === undefined ? '' : ` element ${warning.element}`;
  return `segment ${warning.segmentNumber} (${warning.segmentId ?? '?'})${element}: ${warning.message}`;
}
