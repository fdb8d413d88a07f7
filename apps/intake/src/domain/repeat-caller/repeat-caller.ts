import { areNicknameEquivalent } from './nicknames';
import { nameComponents, normaliseName, normalisePhone, parseDateOfBirth, type CalendarDate } from './caller-details';
import { isSingleTransposition, jaroWinklerSimilarity, optimalStringAlignmentDistance, soundex } from './string-similarity';

/*
 * Points per signal, out of 100, and the thresholds. Chosen so that the verdicts read as rules
 * (docs/adr/0011-repeat-caller-matching.md):
 *  - likely repeat (≥ 85) needs the same date of birth, the same phone and both names matching: with the date of
 *    birth and phone (60) a caller still needs both name parts (at least 2 × 20 × 0.88 = 35.2) to reach 85;
 *  - possible repeat (≥ 60) is any two of the three strong signals, e.g. a new phone, a mistyped date of birth,
 *    or twins who share a birthday, phone and surname: a coordinator looks before linking anything.
 */
export const REPEAT_CALLER_POINTS = {
  dateOfBirth: 35,
  dateOfBirthDayMonthSwapped: 15,
  phone: 25,
  familyName: 20,
  givenName: 20,
} as const;

/** A name part below this Jaro-Winkler similarity counts as different (John/Joan is 0.87, Smith/Smyth 0.89). */
export const NAME_PART_MATCH_THRESHOLD = 0.88;
export const LIKELY_REPEAT_THRESHOLD = 85;
export const POSSIBLE_REPEAT_THRESHOLD = 60;

/** Similarity given to a known nickname pair or a double-barrelled name of which one part was used. */
const NICKNAME_SIMILARITY = 0.95;
const COMPONENT_SIMILARITY = 0.9;

export interface CallerDetails {
  readonly givenName: string;
  readonly familyName: string;
  /** ISO calendar date, YYYY-MM-DD. */
  readonly dateOfBirth?: string;
  readonly phone?: string;
}

export interface KnownCaller extends CallerDetails {
  /** The referral or person record this caller is already on. */
  readonly id: string;
}

export type RepeatCallerVerdict = 'likely-repeat' | 'possible-repeat' | 'different-person';

export type MatchSignal = 'date-of-birth' | 'phone' | 'given-name' | 'family-name' | 'name-order';

export interface MatchReason {
  readonly signal: MatchSignal;
  readonly points: number;
  /** Shown to the coordinator deciding whether to link the two records. */
  readonly text: string;
}

export interface RepeatCallerMatch {
  /** 0-100. */
  readonly score: number;
  readonly verdict: RepeatCallerVerdict;
  readonly reasons: readonly MatchReason[];
}

interface NamePartComparison {
  readonly similarity: number;
  readonly explanation: string;
}

function compareNamePart(rawA: string, rawB: string): NamePartComparison {
  const a = normaliseName(rawA);
  const b = normaliseName(rawB);
  if (a === '' || b === '') return { similarity: 0, explanation: 'not given on both records' };
  if (a === b) {
    return rawA.trim().toUpperCase() === rawB.trim().toUpperCase()
      ? { similarity: 1, explanation: 'same' }
      : { similarity: 1, explanation: 'same apart from spacing, hyphens, accents or capitals' };
  }
  const firstA = nameComponents(rawA)[0] ?? a;
  const firstB = nameComponents(rawB)[0] ?? b;
  if (areNicknameEquivalent(firstA, firstB)) {
    return { similarity: NICKNAME_SIMILARITY, explanation: 'a known short form of the same name' };
  }
  const componentsA = nameComponents(rawA);
  const componentsB = nameComponents(rawB);
  const oneInsideOther = (componentsA.length > 1 && componentsA.includes(b)) || (componentsB.length > 1 && componentsB.includes(a));

  const similarity = jaroWinklerSimilarity(a, b);
  if (oneInsideOther && similarity < COMPONENT_SIMILARITY) {
    return { similarity: COMPONENT_SIMILARITY, explanation: 'one is part of the other (double-barrelled name)' };
  }
  const notes: string[] = [];
  if (isSingleTransposition(a, b)) notes.push('two letters swapped');
  else if (optimalStringAlignmentDistance(a, b) === 1) notes.push('one letter different');
  else notes.push(similarity >= NAME_PART_MATCH_THRESHOLD ? 'spelling differs slightly' : 'different');
  if (soundex(a) === soundex(b)) notes.push('they sound alike');
  notes.push(`similarity ${similarity.toFixed(2)}`);
  return { similarity, explanation: notes.join(', ') };
}

function namePoints(comparison: NamePartComparison, weight: number): number {
  return comparison.similarity >= NAME_PART_MATCH_THRESHOLD ? weight * comparison.similarity : 0;
}

function nameReason(signal: 'given-name' | 'family-name', a: string, b: string, comparison: NamePartComparison, points: number): MatchReason {
  const label = signal === 'given-name' ? 'Given name' : 'Family name';
  const relation = points > 0 ? '≈' : 'vs';
  return { signal, points: round(points), text: `${label} "${a.trim()}" ${relation} "${b.trim()}": ${comparison.explanation}` };
}

function sameDate(a: CalendarDate, b: CalendarDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

/** 03/04 entered as 04/03: only possible when both numbers could be a month. */
function dayMonthSwapped(a: CalendarDate, b: CalendarDate): boolean {
  return a.year === b.year && a.month === b.day && a.day === b.month && a.day !== a.month;
}

function compareDateOfBirth(a: string | undefined, b: string | undefined): MatchReason {
  const left = a === undefined ? undefined : parseDateOfBirth(a);
  const right = b === undefined ? undefined : parseDateOfBirth(b);
  if (!left || !right) {
    return { signal: 'date-of-birth', points: 0, text: 'Date of birth missing or unreadable on one record' };
  }
  if (sameDate(left, right)) {
    return { signal: 'date-of-birth', points: REPEAT_CALLER_POINTS.dateOfBirth, text: 'Same date of birth' };
  }
  if (dayMonthSwapped(left, right)) {
    return {
      signal: 'date-of-birth',
      points: REPEAT_CALLER_POINTS.dateOfBirthDayMonthSwapped,
      text: 'Dates of birth match with day and month swapped: check which is right',
    };
  }
  return { signal: 'date-of-birth', points: 0, text: 'Different date of birth' };
}

function comparePhone(a: string | undefined, b: string | undefined): MatchReason {
  const left = a === undefined ? undefined : normalisePhone(a);
  const right = b === undefined ? undefined : normalisePhone(b);
  if (left === undefined || right === undefined) {
    return { signal: 'phone', points: 0, text: 'Phone number missing or unreadable on one record' };
  }
  return left === right
    ? { signal: 'phone', points: REPEAT_CALLER_POINTS.phone, text: 'Same phone number (formatting ignored)' }
    : { signal: 'phone', points: 0, text: 'Different phone number' };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function verdictFor(score: number): RepeatCallerVerdict {
  if (score >= LIKELY_REPEAT_THRESHOLD) return 'likely-repeat';
  if (score >= POSSIBLE_REPEAT_THRESHOLD) return 'possible-repeat';
  return 'different-person';
}

/**
 * How strongly a caller looks like someone already on file. A suggestion for the coordinator, never an
 * automatic merge: the reasons are there so they can confirm it with the caller.
 */
export function compareCallers(caller: CallerDetails, known: CallerDetails): RepeatCallerMatch {
  const dateOfBirth = compareDateOfBirth(caller.dateOfBirth, known.dateOfBirth);
  const phone = comparePhone(caller.phone, known.phone);

  const straightGiven = compareNamePart(caller.givenName, known.givenName);
  const straightFamily = compareNamePart(caller.familyName, known.familyName);
  const straight = namePoints(straightGiven, REPEAT_CALLER_POINTS.givenName) + namePoints(straightFamily, REPEAT_CALLER_POINTS.familyName);
  // Given and family names typed into each other's fields is a common entry error.
  const crossedGiven = compareNamePart(caller.givenName, known.familyName);
  const crossedFamily = compareNamePart(caller.familyName, known.givenName);
  const crossed = namePoints(crossedGiven, REPEAT_CALLER_POINTS.givenName) + namePoints(crossedFamily, REPEAT_CALLER_POINTS.familyName);

  const nameReasons: MatchReason[] =
    crossed > straight
      ? [
          { signal: 'name-order', points: 0, text: 'Given and family names appear to be swapped on one record' },
          nameReason('given-name', caller.givenName, known.familyName, crossedGiven, namePoints(crossedGiven, REPEAT_CALLER_POINTS.givenName)),
          nameReason('family-name', caller.familyName, known.givenName, crossedFamily, namePoints(crossedFamily, REPEAT_CALLER_POINTS.familyName)),
        ]
      : [
          nameReason('given-name', caller.givenName, known.givenName, straightGiven, namePoints(straightGiven, REPEAT_CALLER_POINTS.givenName)),
          nameReason('family-name', caller.familyName, known.familyName, straightFamily, namePoints(straightFamily, REPEAT_CALLER_POINTS.familyName)),
        ];

  const reasons = [dateOfBirth, phone, ...nameReasons];
  const score = round(dateOfBirth.points + phone.points + Math.max(straight, crossed));
  return { score, verdict: verdictFor(score), reasons };
}

export interface RepeatCallerCandidate extends RepeatCallerMatch {
  readonly knownCallerId: string;
}

/** Callers on file who may be this caller, best first; people scoring below "possible" are left out. */
export function findRepeatCallers(caller: CallerDetails, known: readonly KnownCaller[]): readonly RepeatCallerCandidate[] {
  return known
    .map((candidate) => ({ knownCallerId: candidate.id, ...compareCallers(caller, candidate) }))
    .filter((match) => match.verdict !== 'different-person')
    .sort((a, b) => b.score - a.score || a.knownCallerId.localeCompare(b.knownCallerId));
}
