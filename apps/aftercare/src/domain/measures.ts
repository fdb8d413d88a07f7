import type { DISCHARGE_TYPES } from '@iop/contracts';
import { SUPPRESSED, countCell, ratioCell, type Cell } from '@iop/domain';
import { daysBetween } from './follow-up-schedule';

/*
 * The site-month measures of what follows a discharge (DOMAIN.md: HEDIS-style follow-up after discharge, FUA/FUM
 * families). The month is that of the site-local discharge date. Follow-up counts a completed contact 1 to 7 (or 1
 * to 30) days after the discharge date: as in HEDIS, a contact on the discharge day itself is part of the episode,
 * not a follow-up. Discharges that step up or transfer continue care at another level or site, so they are left out
 * of the follow-up and readmission populations (as HEDIS leaves out discharges followed by acute admission); they
 * still count among the discharges for the completion and against-advice rates. A readmission is a new admission of
 * the patient (at any site of the network) 0 to 30 (or 90) days after the discharge date.
 */

type DischargeType = (typeof DISCHARGE_TYPES)[number];

export interface DischargeForMeasures {
  /** Site-local date. */
  readonly dischargedOn: string;
  readonly type: DischargeType;
  /** Site-local dates of the follow-up contacts that reached the patient. */
  readonly contactDates: readonly string[];
  /** Site-local date of the patient's next admission after this discharge, if any. */
  readonly readmittedOn: string | null;
}

export interface SiteMonthCounts {
  readonly discharges: number;
  readonly eligible: number;
  readonly followUp7: number;
  readonly followUp30: number;
  readonly completed: number;
  readonly againstAdvice: number;
  readonly readmitted30: number;
  readonly readmitted90: number;
}

export interface SiteMonthMeasures extends SiteMonthCounts {
  readonly month: string;
  /** Shares 0..1 (4 decimals); 0 when the population is empty. */
  readonly followUp7Rate: number;
  readonly followUp30Rate: number;
  readonly completionRate: number;
  readonly againstAdviceRate: number;
  readonly readmission30Rate: number;
  readonly readmission90Rate: number;
}

const NOT_ELIGIBLE: readonly DischargeType[] = ['step-up', 'transfer'];

const rate = (numerator: number, denominator: number): number => (denominator === 0 ? 0 : Math.round((numerator / denominator) * 10_000) / 10_000);

const within = (from: string, to: string | null, min: number, max: number): boolean => {
  if (to === null) return false;
  const days = daysBetween(from, to);
  return days >= min && days <= max;
};

/** The month's measures from its discharges (those of other months are ignored). */
export function siteMonthMeasures(month: string, discharges: readonly DischargeForMeasures[]): SiteMonthMeasures {
  const inMonth = discharges.filter((d) => d.dischargedOn.startsWith(`${month}-`));
  const eligible = inMonth.filter((d) => !NOT_ELIGIBLE.includes(d.type));
  const followedUpWithin = (days: number) => eligible.filter((d) => d.contactDates.some((c) => within(d.dischargedOn, c, 1, days))).length;
  const readmittedWithin = (days: number) => eligible.filter((d) => within(d.dischargedOn, d.readmittedOn, 0, days)).length;
  const counts: SiteMonthCounts = {
    discharges: inMonth.length,
    eligible: eligible.length,
    followUp7: followedUpWithin(7),
    followUp30: followedUpWithin(30),
    completed: inMonth.filter((d) => d.type === 'completed').length,
    againstAdvice: inMonth.filter((d) => d.type === 'against-clinical-advice').length,
    readmitted30: readmittedWithin(30),
    readmitted90: readmittedWithin(90),
  };
  return {
    month,
    ...counts,
    followUp7Rate: rate(counts.followUp7, counts.eligible),
    followUp30Rate: rate(counts.followUp30, counts.eligible),
    completionRate: rate(counts.completed, counts.discharges),
    againstAdviceRate: rate(counts.againstAdvice, counts.discharges),
    readmission30Rate: rate(counts.readmitted30, counts.eligible),
    readmission90Rate: rate(counts.readmitted90, counts.eligible),
  };
}

export interface SiteMonthFigures {
  readonly discharges: Cell;
  readonly eligible: Cell;
  readonly followUp7: Cell;
  readonly followUp7Rate: Cell;
  readonly followUp30: Cell;
  readonly followUp30Rate: Cell;
  readonly completed: Cell;
  readonly completionRate: Cell;
  readonly againstAdvice: Cell;
  readonly againstAdviceRate: Cell;
  readonly readmitted30: Cell;
  readonly readmission30Rate: Cell;
  readonly readmitted90: Cell;
  readonly readmission90Rate: Cell;
}

/**
 * The month's figures as analysts may see them: counts from 1 to 10 withheld, rates from a withheld count withheld,
 * and everything withheld when the month's discharges are (so no figure can be worked back from the others).
 */
export function siteMonthFigures(counts: SiteMonthCounts): SiteMonthFigures {
  const discharges = countCell(counts.discharges);
  if (discharges.suppressed) {
    return {
      discharges,
      eligible: SUPPRESSED,
      followUp7: SUPPRESSED,
      followUp7Rate: SUPPRESSED,
      followUp30: SUPPRESSED,
      followUp30Rate: SUPPRESSED,
      completed: SUPPRESSED,
      completionRate: SUPPRESSED,
      againstAdvice: SUPPRESSED,
      againstAdviceRate: SUPPRESSED,
      readmitted30: SUPPRESSED,
      readmission30Rate: SUPPRESSED,
      readmitted90: SUPPRESSED,
      readmission90Rate: SUPPRESSED,
    };
  }
  const eligible = countCell(counts.eligible);
  const followUp7 = countCell(counts.followUp7);
  const followUp30 = countCell(counts.followUp30);
  const completed = countCell(counts.completed);
  const againstAdvice = countCell(counts.againstAdvice);
  const readmitted30 = countCell(counts.readmitted30);
  const readmitted90 = countCell(counts.readmitted90);
  return {
    discharges,
    eligible,
    followUp7,
    followUp7Rate: ratioCell(followUp7, eligible, 4),
    followUp30,
    followUp30Rate: ratioCell(followUp30, eligible, 4),
    completed,
    completionRate: ratioCell(completed, discharges, 4),
    againstAdvice,
    againstAdviceRate: ratioCell(againstAdvice, discharges, 4),
    readmitted30,
    readmission30Rate: ratioCell(readmitted30, eligible, 4),
    readmitted90,
    readmission90Rate: ratioCell(readmitted90, eligible, 4),
  };
}
