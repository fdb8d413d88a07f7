import { DateTime } from 'luxon';
import type { DISCHARGE_TYPES, STEP_UP_DESTINATIONS } from '@iop/contracts';

/*
 * The rules of a discharge, pure: no database, no framework. Refusals are values (`Refusal`); the application turns
 * them into HTTP problems.
 */

export type DischargeType = (typeof DISCHARGE_TYPES)[number];
export type StepUpDestination = (typeof STEP_UP_DESTINATIONS)[number];
/** Levels a step-down may go to (scheduling's programs: 1 OP, 2.1 IOP, 2.5 PHP). */
export type StepDownLevel = '1' | '2.1' | '2.5';

export interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly status: 404 | 409 | 422;
}

const refuse = (code: string, message: string, status: Refusal['status'] = 422): Refusal => ({ code, message, status });

/** The site-local calendar day an instant falls on. */
export function localToday(timeZone: string, now: Date = new Date()): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).toISODate()!;
}

/** Whole days from `from` to `to` (local dates, YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days);
}

/** A discharge date falls within the episode: not before its admission, not after today in the site's calendar. */
export function checkDischargeDate(dischargedOn: string, admittedOn: string, today: string): Refusal | null {
  if (dischargedOn < admittedOn) {
    return refuse('discharge.before-admission', `the discharge date ${dischargedOn} is before the admission on ${admittedOn}`);
  }
  if (dischargedOn > today) {
    return refuse('discharge.in-the-future', `the discharge date ${dischargedOn} is in the future (today at the site is ${today}): sign it on the day`);
  }
  return null;
}

/** Where the patient goes, as the clinician states it. Which fields apply depends on the type. */
export interface Destination {
  readonly stepDown: { readonly programId: string | null; readonly levelOfCare?: StepDownLevel | undefined } | null;
  readonly stepUp: { readonly destination: StepUpDestination } | null;
  readonly transferToSiteId: string | null;
}

/** What the application looked up for the destination's ids (null: not known to aftercare). */
export interface DestinationFacts {
  readonly episodeSiteId: string;
  /** The episode's level of care at admission (ASAM, e.g. `2.1`). */
  readonly episodeLevel: string;
  readonly program: { readonly programId: string; readonly levelOfCare: StepDownLevel } | null;
  readonly transferSiteKnown: boolean;
}

/** The destination as the event carries it. */
export interface ResolvedDestination {
  readonly stepDown: { readonly programId: string | null; readonly levelOfCare: StepDownLevel } | null;
  readonly stepUp: { readonly destination: StepUpDestination } | null;
  readonly transferToSiteId: string | null;
}

const ASAM_ORDER: Readonly<Record<string, number>> = { '1': 1, '2.1': 2.1, '2.5': 2.5, '3.1': 3.1, '3.3': 3.3, '3.5': 3.5, '3.7': 3.7, '4': 4 };

/**
 * Each type names its own destination and no other: a step-down a level of care below the episode's (a program of the
 * network, or care outside it with `programId` null), a step-up a destination, a transfer another known site.
 */
export function resolveDestination(type: DischargeType, d: Destination, facts: DestinationFacts): ResolvedDestination | Refusal {
  const extra = (...fields: Array<[string, unknown]>) => fields.filter(([, v]) => v !== null && v !== undefined).map(([name]) => name);
  switch (type) {
    case 'step-down': {
      const wrong = extra(['stepUp', d.stepUp], ['transferToSiteId', d.transferToSiteId]);
      if (wrong.length > 0) return refuse('discharge.destination-mismatch', `a step-down names only stepDown, not ${wrong.join(', ')}`);
      if (!d.stepDown)
        return refuse('discharge.destination-missing', 'a step-down needs stepDown: { programId (or null for care outside the network), levelOfCare }');
      let level: StepDownLevel;
      if (d.stepDown.programId !== null) {
        if (!facts.program) return refuse('discharge.program-unknown', `program ${d.stepDown.programId} is not a program of the network aftercare knows`);
        if (d.stepDown.levelOfCare && d.stepDown.levelOfCare !== facts.program.levelOfCare) {
          return refuse(
            'discharge.level-mismatch',
            `program ${d.stepDown.programId} is at level ${facts.program.levelOfCare}, not ${d.stepDown.levelOfCare}: leave levelOfCare out or give the program's`,
          );
        }
        level = facts.program.levelOfCare;
      } else {
        if (!d.stepDown.levelOfCare) return refuse('discharge.destination-missing', 'a step-down to care outside the network needs its levelOfCare');
        level = d.stepDown.levelOfCare;
      }
      const from = ASAM_ORDER[facts.episodeLevel];
      if (from !== undefined && ASAM_ORDER[level]! >= from) {
        return refuse('discharge.not-a-step-down', `level ${level} is not below the episode's level of care (${facts.episodeLevel}): that is not a step-down`);
      }
      return { stepDown: { programId: d.stepDown.programId, levelOfCare: level }, stepUp: null, transferToSiteId: null };
    }
    case 'step-up': {
      const wrong = extra(['stepDown', d.stepDown], ['transferToSiteId', d.transferToSiteId]);
      if (wrong.length > 0) return refuse('discharge.destination-mismatch', `a step-up names only stepUp, not ${wrong.join(', ')}`);
      if (!d.stepUp) return refuse('discharge.destination-missing', 'a step-up needs stepUp: { destination: php-2.5 | residential | inpatient }');
      return { stepDown: null, stepUp: d.stepUp, transferToSiteId: null };
    }
    case 'transfer': {
      const wrong = extra(['stepDown', d.stepDown], ['stepUp', d.stepUp]);
      if (wrong.length > 0) return refuse('discharge.destination-mismatch', `a transfer names only transferToSiteId, not ${wrong.join(', ')}`);
      if (!d.transferToSiteId)
        return refuse('discharge.destination-missing', 'a transfer needs transferToSiteId: the site of the network that continues treatment');
      if (d.transferToSiteId === facts.episodeSiteId)
        return refuse('discharge.transfer-same-site', `a transfer must go to another site, not the episode's own (${d.transferToSiteId})`);
      if (!facts.transferSiteKnown) return refuse('discharge.site-unknown', `site ${d.transferToSiteId} is not a site of the network aftercare knows`);
      return { stepDown: null, stepUp: null, transferToSiteId: d.transferToSiteId };
    }
    case 'completed':
    case 'against-clinical-advice':
    case 'administrative':
    case 'lost-to-contact': {
      const wrong = extra(['stepDown', d.stepDown], ['stepUp', d.stepUp], ['transferToSiteId', d.transferToSiteId]);
      if (wrong.length > 0) return refuse('discharge.destination-mismatch', `a ${type} discharge names no destination (not ${wrong.join(', ')})`);
      return { stepDown: null, stepUp: null, transferToSiteId: null };
    }
  }
}

export const isRefusal = (value: unknown): value is Refusal =>
  typeof value === 'object' && value !== null && 'code' in value && 'status' in value && 'message' in value;

/** The clinician's count of the plan's goals (no goal text leaves the plan). */
export interface GoalCounts {
  readonly total: number;
  readonly met: number;
  readonly partly: number;
}

export function checkGoals(goals: GoalCounts | null): Refusal | null {
  if (!goals) return refuse('discharge.goals-missing', "state the plan's goals (total, met, partly) before signing: PATCH the draft");
  if (goals.met + goals.partly > goals.total) {
    return refuse(
      'discharge.goals-inconsistent',
      `goals met (${goals.met}) and partly met (${goals.partly}) are more than the ${goals.total} goals of the plan`,
    );
  }
  return null;
}

/** An active episode and when its patient last attended (null: never), with the site's calendar day today. */
export interface ContactCandidate {
  readonly episodeId: string;
  readonly admittedOn: string;
  readonly lastAttendedOn: string | null;
  readonly today: string;
}

/**
 * Lost to contact: no attendance for `days` days or more, counted from the last session attended (or, if the patient
 * never attended, from admission). The proposed discharge date is that last contact (admission if none).
 */
export function lostToContact<C extends ContactCandidate>(candidates: readonly C[], days: number): Array<C & { dischargeOn: string; silentDays: number }> {
  const out: Array<C & { dischargeOn: string; silentDays: number }> = [];
  for (const c of candidates) {
    const lastContact = c.lastAttendedOn && c.lastAttendedOn > c.admittedOn ? c.lastAttendedOn : c.admittedOn;
    const silentDays = daysBetween(lastContact, c.today);
    if (silentDays >= days) out.push({ ...c, dischargeOn: lastContact > c.today ? c.today : lastContact, silentDays });
  }
  return out;
}

/** Days without attendance before an episode is proposed for a lost-to-contact discharge: `AFTERCARE_LOST_TO_CONTACT_DAYS`, 14 by default. */
export function lostToContactDays(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env['AFTERCARE_LOST_TO_CONTACT_DAYS']);
  return Number.isInteger(value) && value > 0 ? value : 14;
}
