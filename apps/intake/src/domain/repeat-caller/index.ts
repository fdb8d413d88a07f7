export {
  compareCallers,
  findRepeatCallers,
  REPEAT_CALLER_POINTS,
  NAME_PART_MATCH_THRESHOLD,
  LIKELY_REPEAT_THRESHOLD,
  POSSIBLE_REPEAT_THRESHOLD,
} from './repeat-caller';
export type { CallerDetails, KnownCaller, RepeatCallerVerdict, MatchSignal, MatchReason, RepeatCallerMatch, RepeatCallerCandidate } from './repeat-caller';
export { normaliseName, normalisePhone, parseDateOfBirth } from './caller-details';
export type { CalendarDate } from './caller-details';
export { jaroSimilarity, jaroWinklerSimilarity, optimalStringAlignmentDistance, isSingleTransposition, soundex } from './string-similarity';
export { areNicknameEquivalent } from './nicknames';
