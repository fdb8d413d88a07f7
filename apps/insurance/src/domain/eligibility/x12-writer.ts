import { X12BuildError } from './x12-parse-error';
import { DEFAULT_DELIMITERS, X12Delimiters } from './x12-tokenizer';
import { IsoDate, isIsoDate, isoToCcyymmdd } from './x12-values';

/** An element sent several times (EB03 "MH^AI"), joined with the repetition separator. */
export interface Repeated {
  readonly repeat: readonly string[];
}

/** A segment to write: id first, then elements; a string[] element is written as components. */
export type SegmentSpec = readonly [string, ...(string | readonly string[] | Repeated | undefined)[]];

export interface EnvelopeSpec {
  readonly senderQualifier: string;
  readonly senderId: string;
  readonly receiverQualifier: string;
  readonly receiverId: string;
  readonly date: IsoDate;
  /** HH:MM */
  readonly time: string;
  readonly interchangeControlNumber: number;
  readonly groupControlNumber: number;
  readonly usage: 'production' | 'test';
  readonly acknowledgmentRequested: boolean;
  readonly functionalId: 'HS' | 'HB';
  readonly applicationSenderCode: string;
  readonly applicationReceiverCode: string;
  readonly implementation: string;
}

export interface TransactionSpec {
  readonly id: '270' | '271';
  readonly controlNumber: string;
  /** Segments between ST and SE. */
  readonly body: readonly SegmentSpec[];
}

export interface WriteOptions {
  readonly delimiters?: X12Delimiters;
  /** Written after each terminator for people reading the file; readers skip it. */
  readonly lineEnding?: '' | '\n' | '\r\n';
}

function fixed(field: string, value: string, width: number): string {
  if (value.length > width) throw new X12BuildError(field, `"${value}" is longer than ${width} characters`);
  return value.padEnd(width, ' ');
}

function controlNumber(field: string, value: number): string {
  if (!Number.isInteger(value) || value < 1 || value > 999_999_999) {
    throw new X12BuildError(field, `${value} is not a control number from 1 to 999999999`);
  }
  return String(value);
}

function hhmm(field: string, value: string): string {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (match === null) throw new X12BuildError(field, `"${value}" is not a time (HH:MM)`);
  return `${match[1] ?? ''}${match[2] ?? ''}`;
}

function ccyymmdd(field: string, value: IsoDate): string {
  if (!isIsoDate(value)) throw new X12BuildError(field, `"${value}" is not a date (YYYY-MM-DD)`);
  return isoToCcyymmdd(value);
}

/**
 * Writes an interchange with its envelope, counts and control numbers, so builders only describe the body.
 * Values that contain a delimiter are refused: escaping does not exist in X12, and a stray "*" in a name would
 * silently shift every element after it.
 */
export function writeInterchange(envelope: EnvelopeSpec, transactions: readonly TransactionSpec[], options: WriteOptions = {}): string {
  const d = options.delimiters ?? DEFAULT_DELIMITERS;
  const eol = options.lineEnding ?? '';
  const reserved = [d.element, d.component, d.segment, ...(d.repetition === undefined ? [] : [d.repetition])];
  if (new Set(reserved).size !== reserved.length) throw new X12BuildError('delimiters', 'must all be different');
  if (d.repetition === undefined) throw new X12BuildError('delimiters.repetition', 'is required for version 00501');

  const clean = (ref: string, value: string): string => {
    for (const ch of reserved) {
      if (value.includes(ch)) throw new X12BuildError(ref, `"${value}" contains the delimiter "${ch}"`);
    }
    return value;
  };

  const render = (spec: SegmentSpec): string => {
    const [id, ...elements] = spec;
    const values = elements.map((element, i) => {
      const ref = `${id}${String(i + 1).padStart(2, '0')}`;
      if (element === undefined) return '';
      if (typeof element === 'string') return clean(ref, element);
      if ('repeat' in element) return element.repeat.map((value) => clean(ref, value)).join(d.repetition);
      const parts = element.map((part) => clean(ref, part));
      while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
      return parts.join(d.component);
    });
    // Trailing empty elements are not sent (X12 forbids trailing separators).
    while (values.length > 0 && values[values.length - 1] === '') values.pop();
    return [id, ...values].join(d.element) + d.segment + eol;
  };

  const date = ccyymmdd('createdAt.date', envelope.date);
  const time = hhmm('createdAt.time', envelope.time);
  const isaControl = controlNumber('controlNumbers.interchange', envelope.interchangeControlNumber).padStart(9, '0');
  const groupControl = controlNumber('controlNumbers.group', envelope.groupControlNumber);

  const isa = [
    'ISA',
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    fixed('sender.qualifier', clean('ISA05', envelope.senderQualifier), 2),
    fixed('sender.id', clean('ISA06', envelope.senderId), 15),
    fixed('receiver.qualifier', clean('ISA07', envelope.receiverQualifier), 2),
    fixed('receiver.id', clean('ISA08', envelope.receiverId), 15),
    date.slice(2),
    time,
    d.repetition,
    '00501',
    isaControl,
    envelope.acknowledgmentRequested ? '1' : '0',
    envelope.usage === 'production' ? 'P' : 'T',
    d.component,
  ].join(d.element);

  const out: string[] = [isa + d.segment + eol];
  out.push(
    render([
      'GS',
      envelope.functionalId,
      envelope.applicationSenderCode,
      envelope.applicationReceiverCode,
      date,
      time,
      groupControl,
      'X',
      envelope.implementation,
    ]),
  );
  for (const transaction of transactions) {
    if (!/^\d{4,9}$/.test(transaction.controlNumber)) {
      throw new X12BuildError('controlNumbers.transaction', `"${transaction.controlNumber}" is not a 4 to 9 digit control number`);
    }
    out.push(render(['ST', transaction.id, transaction.controlNumber, envelope.implementation]));
    for (const segment of transaction.body) out.push(render(segment));
    out.push(render(['SE', String(transaction.body.length + 2), transaction.controlNumber]));
  }
  out.push(render(['GE', String(transactions.length), groupControl]));
  out.push(render(['IEA', '1', isaControl]));
  return out.join('');
}
