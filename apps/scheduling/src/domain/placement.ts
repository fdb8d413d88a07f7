import { DateTime } from 'luxon';

export interface TrackShape {
  readonly trackId: string;
  readonly startsOn: string;
  readonly endsOn: string | null;
  readonly enrolment: 'open' | 'closed';
  readonly cohortWeeks: number | null;
}

/**
 * Where a patient may join a track on or after `onOrAfter`: an open group any day of its run; a closed group only
 * at a cohort start (its first date plus whole multiples of `cohortWeeks` weeks). Null when the track has ended.
 */
export function firstJoinDate(track: TrackShape, onOrAfter: string): string | null {
  const from = onOrAfter > track.startsOn ? onOrAfter : track.startsOn;
  let date = from;
  if (track.enrolment === 'closed') {
    const weeks = track.cohortWeeks ?? 1;
    const days = DateTime.fromISO(from).diff(DateTime.fromISO(track.startsOn), 'days').days;
    const cohorts = Math.ceil(days / (weeks * 7));
    date = DateTime.fromISO(track.startsOn)
      .plus({ weeks: cohorts * weeks })
      .toISODate()!;
  }
  return track.endsOn && date > track.endsOn ? null : date;
}

/** Whether a closed group admits on `date` (an open group admits any day). */
export function isCohortStart(track: TrackShape, date: string): boolean {
  return firstJoinDate(track, date) === date;
}

export const LEVEL_ORDER = ['1', '2.1', '2.5'] as const;

/** step-down when the new level of care is lower, step-up when higher; null when the same. */
export function levelChange(from: string, to: string): 'stepped-down' | 'stepped-up' | null {
  const a = LEVEL_ORDER.indexOf(from as (typeof LEVEL_ORDER)[number]);
  const b = LEVEL_ORDER.indexOf(to as (typeof LEVEL_ORDER)[number]);
  if (a === b) return null;
  return b < a ? 'stepped-down' : 'stepped-up';
}

export interface Candidate {
  readonly trackId: string;
  readonly name: string;
  readonly programId: string;
  readonly levelOfCare: string;
  readonly weeklyMinutes: number;
  /** Fewest free seats in any of the track's sessions from the first date on (what a placement needs). */
  readonly freeSeats: number;
  readonly firstDate: string | null;
}

export interface Ranked extends Candidate {
  readonly rank: number;
  readonly reasons: string[];
}

/**
 * Ranks tracks for a patient: those that can take them (a seat free in every session, a date to start) first; then
 * the same level of care as the admission; then the closest weekly hours to the plan; then the earliest start;
 * then the most free seats.
 */
export function rankTracks(candidates: readonly Candidate[], plan: { weeklyGroupMinutes: number; levelOfCare: string }): Ranked[] {
  const key = (c: Candidate) => [
    c.freeSeats > 0 && c.firstDate !== null ? 0 : 1,
    c.levelOfCare === plan.levelOfCare ? 0 : 1,
    Math.abs(c.weeklyMinutes - plan.weeklyGroupMinutes),
    c.firstDate ? DateTime.fromISO(c.firstDate).toMillis() : Number.MAX_SAFE_INTEGER,
    -c.freeSeats,
  ];
  const sorted = [...candidates].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return a.name.localeCompare(b.name);
  });
  return sorted.map((c, i) => ({
    ...c,
    rank: i + 1,
    reasons: [
      c.freeSeats > 0 ? `${c.freeSeats} seat(s) free in every session` : 'full: no seat free in every session',
      c.firstDate ? `can start ${c.firstDate}` : 'no start date left',
      c.levelOfCare === plan.levelOfCare ? `level of care ${c.levelOfCare} as admitted` : `level of care ${c.levelOfCare}, admitted at ${plan.levelOfCare}`,
      `${c.weeklyMinutes} group minutes a week; the plan asks ${plan.weeklyGroupMinutes}`,
    ],
  }));
}
