/** Letters only, upper case, accents removed: "O'Brien-Smith" and "OBrien Smith" become the same string. */
export function normaliseName(raw: string): string {
  return raw
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');
}

/** The separate words of a name ("Garcia-Lopez" → GARCIA, LOPEZ), for double-barrelled and multi-word names. */
export function nameComponents(raw: string): readonly string[] {
  return raw
    .split(/[\s\-–]+/u)
    .map(normaliseName)
    .filter((part) => part !== '');
}

/**
 * A US number as its ten digits, with or without +1, punctuation or an extension; a number with another
 * country code is kept as "+digits" so it still compares exactly. Undefined when nothing usable is left.
 */
export function normalisePhone(raw: string): string | undefined {
  const withoutExtension = raw.split(/(?:ext\.?|extension|x|#)/i)[0] ?? '';
  const international = withoutExtension.trim().startsWith('+');
  const digits = withoutExtension.replace(/\D/g, '');
  if (international && !digits.startsWith('1')) return digits.length >= 8 ? `+${digits}` : undefined;
  if (digits.length === 11 && digits.startsWith('1')) return digits.slice(1);
  if (digits.length === 10) return digits;
  return undefined;
}

export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Dates of birth are calendar dates, not instants: parsing them as Date would shift them across time zones. */
export function parseDateOfBirth(raw: string): CalendarDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  const real = check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day;
  return real ? { year, month, day } : undefined;
}
