import { X12Segment } from './x12-tokenizer';

/** A calendar date as YYYY-MM-DD; compares correctly as a string. */
export type IsoDate = string;

export interface DateRange {
  readonly start: IsoDate;
  /** Equal to start for a single date (D8). */
  readonly end: IsoDate;
}

const DECIMAL = /^(-)?(\d*)(?:\.(\d*))?$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= (lengths[month - 1] ?? 0);
}

/** CCYYMMDD → YYYY-MM-DD, or undefined when it is not a real date. */
export function ccyymmddToIso(value: string): IsoDate | undefined {
  if (!/^\d{8}$/.test(value)) return undefined;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(4, 6));
  const day = Number(value.slice(6, 8));
  if (!isCalendarDate(year, month, day)) return undefined;
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}

export function isoToCcyymmdd(date: IsoDate): string {
  return date.replaceAll('-', '');
}

export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && ccyymmddToIso(isoToCcyymmdd(value)) !== undefined;
}

export function readDate(segment: X12Segment, index: number): IsoDate | undefined {
  const raw = segment.get(index);
  if (raw === undefined) return undefined;
  const iso = ccyymmddToIso(raw);
  if (iso === undefined) segment.fail('invalid-date', 'is not a date (CCYYMMDD)', index);
  return iso;
}

/** ISA09 is the only six-digit date; the century is implied (interchanges are all after 2000). */
export function readShortDate(segment: X12Segment, index: number): IsoDate {
  const raw = segment.require(index, 'date');
  const iso = /^\d{6}$/.test(raw) ? ccyymmddToIso(`20${raw}`) : undefined;
  if (iso === undefined) segment.fail('invalid-date', 'is not a date (YYMMDD)', index);
  return iso;
}

/** HHMM, optionally with seconds and decimal seconds, → HH:MM. */
export function readTime(segment: X12Segment, index: number): string | undefined {
  const raw = segment.get(index);
  if (raw === undefined) return undefined;
  const match = /^(\d{2})(\d{2})(\d{2}(\d{1,2})?)?$/.exec(raw);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  const seconds = match?.[3] === undefined ? 0 : Number(match[3].slice(0, 2));
  if (match === null || hours > 23 || minutes > 59 || seconds > 59) {
    segment.fail('invalid-time', 'is not a time (HHMM)', index);
  }
  return `${raw.slice(0, 2)}:${raw.slice(2, 4)}`;
}

/** A DTP-style pair: a format qualifier (D8 or RD8) and the value it describes. */
export function readDateOrRange(segment: X12Segment, formatIndex: number, valueIndex: number): DateRange {
  const format = segment.require(formatIndex, 'date format qualifier');
  const value = segment.require(valueIndex, 'date');
  if (format === 'D8') {
    const iso = ccyymmddToIso(value);
    if (iso === undefined) segment.fail('invalid-date', 'is not a date (CCYYMMDD)', valueIndex);
    return { start: iso, end: iso };
  }
  if (format === 'RD8') {
    const parts = value.split('-');
    const start = parts.length === 2 ? ccyymmddToIso(parts[0] ?? '') : undefined;
    const end = parts.length === 2 ? ccyymmddToIso(parts[1] ?? '') : undefined;
    if (start === undefined || end === undefined) {
      segment.fail('invalid-date', 'is not a date range (CCYYMMDD-CCYYMMDD)', valueIndex);
    }
    if (end < start) segment.fail('invalid-date', 'ends before it starts', valueIndex);
    return { start, end };
  }
  return segment.fail('invalid-code', 'is not a date format this transaction uses (D8 or RD8)', formatIndex);
}

interface ParsedDecimal {
  readonly negative: boolean;
  readonly whole: string;
  readonly fraction: string;
}

/** X12 "R" numbers: optional minus, digits, optional decimal point; no exponent, no plus sign, no grouping. */
function parseDecimal(raw: string): ParsedDecimal | undefined {
  const match = DECIMAL.exec(raw);
  if (match === null) return undefined;
  const whole = match[2] ?? '';
  const fraction = match[3] ?? '';
  if (whole === '' && fraction === '') return undefined;
  return { negative: match[1] === '-', whole, fraction };
}

/**
 * A monetary amount as integer cents. Fractions of a cent are refused rather than rounded: money from the
 * payer is repeated to the patient, so a figure we cannot represent exactly is a reason to stop.
 */
export function decimalToCents(raw: string): number | undefined {
  const parsed = parseDecimal(raw);
  if (parsed === undefined) return undefined;
  const extra = parsed.fraction.slice(2);
  if (/[1-9]/.test(extra)) return undefined;
  const cents = Number(parsed.whole || '0') * 100 + Number(parsed.fraction.slice(0, 2).padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return undefined;
  return parsed.negative ? -cents : cents;
}

export function readMoneyCents(segment: X12Segment, index: number): number | undefined {
  const raw = segment.get(index);
  if (raw === undefined) return undefined;
  const cents = decimalToCents(raw);
  if (cents === undefined) segment.fail('invalid-amount', 'is not a monetary amount', index);
  return cents;
}

/**
 * EB08 carries the percentage as a decimal fraction (0.2 = 20%). Kept as integer basis points (2000) so the
 * cost estimate can stay in integer arithmetic.
 */
export function readPercentBasisPoints(segment: X12Segment, index: number): number | undefined {
  const raw = segment.get(index);
  if (raw === undefined) return undefined;
  const parsed = parseDecimal(raw);
  const valid = parsed !== undefined && !parsed.negative && !/[1-9]/.test(parsed.fraction.slice(4));
  const basisPoints = valid ? Number(parsed.whole || '0') * 10000 + Number(parsed.fraction.slice(0, 4).padEnd(4, '0')) : NaN;
  if (!valid || basisPoints > 10000) {
    segment.fail('invalid-percent', 'is not a percentage written as a decimal from 0 to 1', index);
  }
  return basisPoints;
}

export function readQuantity(segment: X12Segment, index: number): number | undefined {
  const raw = segment.get(index);
  if (raw === undefined) return undefined;
  const parsed = parseDecimal(raw);
  if (parsed === undefined || parsed.negative) segment.fail('invalid-quantity', 'is not a quantity', index);
  return Number(`${parsed.whole || '0'}.${parsed.fraction || '0'}`);
}

/** Reads a code element and narrows it to the codes this transaction defines. */
export function readCode<T extends string>(segment: X12Segment, index: number, allowed: Readonly<Record<T, unknown>>, what: string): T | undefined {
  const raw = segment.get(index);
  if (raw === undefined) return undefined;
  if (!Object.prototype.hasOwnProperty.call(allowed, raw)) segment.fail('invalid-code', `is not a ${what} code`, index);
  return raw as T;
}

export function requireCode<T extends string>(segment: X12Segment, index: number, allowed: Readonly<Record<T, unknown>>, what: string): T {
  const code = readCode(segment, index, allowed, what);
  if (code === undefined) return segment.fail('missing-element', `is required (${what}) but is empty`, index);
  return code;
}
