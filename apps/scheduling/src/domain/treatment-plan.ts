import { DateTime } from 'luxon';

/** One measurable milestone of a goal. */
export interface Milestone {
  readonly description: string;
  readonly targetDate: string;
  readonly met: boolean;
}

export interface Goal {
  readonly description: string;
  readonly targetDate: string;
  readonly milestones: readonly Milestone[];
}

/** The services a plan asks for. Minutes, not hours: 9 h a week is 540. */
export interface PlanServices {
  readonly weeklyGroupMinutes: number;
  readonly individualPerWeek: number;
  readonly familyPerMonth: number;
  readonly psychiatricPerMonth: number;
}

export interface PlanContent extends PlanServices {
  readonly goals: readonly Goal[];
  readonly effectiveFrom: string;
  readonly nextReviewOn: string;
}

export const REVIEW_EVERY_DAYS = 30;

export interface AdmissionFacts {
  readonly programType: 'substance-use' | 'mental-health' | 'co-occurring';
  readonly levelOfCare: string;
  readonly plannedWeeklyHours: number;
  readonly plannedStart: string;
}

/**
 * The first draft of a plan, from what intake decided at admission: the planned weekly hours are group hours
 * (rounded to a quarter hour), one individual session a week, family sessions monthly (twice at partial
 * hospitalisation, 2.5), psychiatric/MAT visits monthly (twice at 2.5 or for co-occurring disorders). No goals
 * yet: the clinician writes them. First review 30 days after the planned start.
 */
export function draftPlan(a: AdmissionFacts): PlanContent {
  const intensive = a.levelOfCare === '2.5';
  return {
    weeklyGroupMinutes: Math.round((a.plannedWeeklyHours * 60) / 15) * 15,
    individualPerWeek: 1,
    familyPerMonth: intensive ? 2 : 1,
    psychiatricPerMonth: intensive || a.programType === 'co-occurring' ? 2 : 1,
    goals: [],
    effectiveFrom: a.plannedStart,
    nextReviewOn: addDays(a.plannedStart, REVIEW_EVERY_DAYS),
  };
}

/** The Monday after `today` (in the site's zone): a change of hours applies from the next full week. */
export function nextMonday(today: string): string {
  const d = DateTime.fromISO(today);
  return d.plus({ days: 8 - d.weekday }).toISODate()!;
}

/** The Monday of the week a local date falls in. */
export function weekOf(date: string): string {
  const d = DateTime.fromISO(date);
  return d.minus({ days: d.weekday - 1 }).toISODate()!;
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date).plus({ days }).toISODate()!;
}

export type ReviewDirection = 'step-down' | 'step-up' | 'same';

export interface Review {
  readonly direction: ReviewDirection;
  /** First local date the new group hours apply to (next Monday); earlier weeks keep their seats. */
  readonly seatsChangeFrom: string;
  readonly nextReviewOn: string;
}

/**
 * A review: whether group hours step down or up, from when bookings follow, and when the next review falls (the
 * clinician's date, or 30 days on).
 */
export function reviewPlan(current: PlanServices, proposed: PlanServices & { nextReviewOn?: string }, today: string): Review {
  const direction: ReviewDirection =
    proposed.weeklyGroupMinutes < current.weeklyGroupMinutes ? 'step-down' : proposed.weeklyGroupMinutes > current.weeklyGroupMinutes ? 'step-up' : 'same';
  return { direction, seatsChangeFrom: nextMonday(today), nextReviewOn: proposed.nextReviewOn ?? addDays(today, REVIEW_EVERY_DAYS) };
}

/** Share of milestones met across all goals (0 when there are none): a reviewer's cue for stepping hours down. */
export function milestonesMet(goals: readonly Goal[]): number {
  const all = goals.flatMap((g) => g.milestones);
  return all.length === 0 ? 0 : all.filter((m) => m.met).length / all.length;
}

export interface GroupSession {
  readonly sessionId: string;
  readonly localDate: string;
  readonly startsAt: Date;
  readonly minutes: number;
}

/**
 * The sessions a patient should hold so that no week goes over the plan's group minutes: week by week (weeks
 * start on Monday, local dates), sessions in order of time while they still fit. A track of Mon/Tue/Thu evenings
 * of three one-hour groups (540 min) for a plan of 360 min keeps Monday and Tuesday and drops Thursday.
 */
export function sessionsWithinBudget<S extends GroupSession>(sessions: readonly S[], weeklyMinutes: number): S[] {
  const used = new Map<string, number>();
  const kept: S[] = [];
  for (const s of [...sessions].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())) {
    const week = weekOf(s.localDate);
    const so = used.get(week) ?? 0;
    if (so + s.minutes > weeklyMinutes) continue;
    used.set(week, so + s.minutes);
    kept.push(s);
  }
  return kept;
}

/**
 * For a step up: the sessions to add to those held so that each week comes as close to the plan's minutes as the
 * track allows, earliest first, never dropping a seat already held.
 */
export function sessionsToAdd<S extends GroupSession>(held: readonly GroupSession[], available: readonly S[], weeklyMinutes: number): S[] {
  const used = new Map<string, number>();
  const heldIds = new Set(held.map((h) => h.sessionId));
  for (const h of held) used.set(weekOf(h.localDate), (used.get(weekOf(h.localDate)) ?? 0) + h.minutes);
  const added: S[] = [];
  for (const s of [...available].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())) {
    if (heldIds.has(s.sessionId)) continue;
    const week = weekOf(s.localDate);
    const so = used.get(week) ?? 0;
    if (so + s.minutes > weeklyMinutes) continue;
    used.set(week, so + s.minutes);
    added.push(s);
  }
  return added;
}
