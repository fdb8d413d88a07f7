import { describeRange, formatMinutes, type Program } from './program';

/** One group session of a track's block, placed by its offset from the block's start. */
export interface BlockSession {
  readonly offsetMinutes: number;
  readonly durationMinutes: number;
}

export type TrackRuleViolation = { readonly code: string; readonly message: string; readonly status: 400 | 422 };

/**
 * A block's sessions must each last some time and must not overlap (one group of patients attends them one after
 * another); a gap between them (a break) is fine. Returns the first problem, naming the sessions by position.
 */
export function blockProblem(sessions: readonly BlockSession[]): TrackRuleViolation | undefined {
  if (sessions.length === 0) return { code: 'track.no-sessions', message: 'a block needs at least one session', status: 400 };
  for (const [i, s] of sessions.entries()) {
    if (s.durationMinutes <= 0) return { code: 'track.empty-session', message: `session ${i + 1} lasts no time`, status: 400 };
  }
  const sorted = sessions.map((s, i) => ({ ...s, position: i + 1 })).sort((a, b) => a.offsetMinutes - b.offsetMinutes);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1]!;
    const after = sorted[i]!;
    if (after.offsetMinutes < before.offsetMinutes + before.durationMinutes) {
      return {
        code: 'track.sessions-overlap',
        message: `sessions ${before.position} and ${after.position} of the block overlap (${before.position} runs to minute ${before.offsetMinutes + before.durationMinutes}, ${after.position} starts at minute ${after.offsetMinutes})`,
        status: 400,
      };
    }
  }
  const last = sorted[sorted.length - 1]!;
  if (last.offsetMinutes + last.durationMinutes > 24 * 60) {
    return { code: 'track.block-too-long', message: 'a block must end within 24 hours of its start', status: 400 };
  }
  return undefined;
}

/** Sessions given one after another when no offset is named: each starts where the one before it ends. */
export function placeSessions<S extends { offsetMinutes?: number | undefined; durationMinutes: number }>(sessions: readonly S[]): Array<S & BlockSession> {
  let next = 0;
  return sessions.map((s) => {
    const offsetMinutes = s.offsetMinutes ?? next;
    next = offsetMinutes + s.durationMinutes;
    return { ...s, offsetMinutes };
  });
}

/** Minutes of group time in one block. */
export function blockMinutes(sessions: readonly BlockSession[]): number {
  return sessions.reduce((sum, s) => sum + s.durationMinutes, 0);
}

/** A track's weekly minutes: its block's minutes times the blocks per week (averaged, so every other week halves it). */
export function weeklyMinutes(blocksPerWeek: number, sessions: readonly BlockSession[]): number {
  return Math.round(blocksPerWeek * blockMinutes(sessions));
}

/** Refuses a track that gives more or less than its program's weekly range, with the numbers. */
export function weeklyRangeProblem(
  weekly: number,
  program: Pick<Program, 'name' | 'levelOfCare' | 'population' | 'minWeeklyMinutes' | 'maxWeeklyMinutes'>,
): TrackRuleViolation | undefined {
  const tooFew = weekly < program.minWeeklyMinutes;
  const tooMany = program.maxWeeklyMinutes !== null && weekly > program.maxWeeklyMinutes;
  if (!tooFew && !tooMany) return undefined;
  return {
    code: tooFew ? 'track.too-few-hours' : 'track.too-many-hours',
    message: `this track gives ${formatMinutes(weekly)} a week; program ${program.name} (${program.levelOfCare} ${program.population}) needs ${describeRange(program)}`,
    status: 422,
  };
}
