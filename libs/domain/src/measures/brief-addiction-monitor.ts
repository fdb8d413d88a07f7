import { err, ok, type Result } from '../result';
import type { MeasureItemIssue } from './screening-measures';

/*
 * The Brief Addiction Monitor (BAM; Cacciola et al., J Subst Abuse Treat 2013; VA VISN 4 MIRECC scoring guide): 17
 * items about the past 30 days. Items asked as a number of days (0-30) are scored 0-4 by the published day bands;
 * the rating items are scored 0-4 as answered; item 14 (enough income for necessities) is yes = 4, no = 0.
 *
 *   Use        = items 4 + 5 + 6                         (0-12; any use is a concern)
 *   Risk       = items 1 + 2 + 3 + 8 + 11 + 15           (0-24)
 *   Protective = items 9 + 10 + 12 + 13 + 14 + 16        (0-24)
 *
 * Items 7A-7G (days of each drug) elaborate item 6 and item 17 (satisfaction with progress) is an overall view:
 * neither is part of a subscale. Skip logic of the form: item 5 is not asked when item 4 is 0 days, items 7A-7G are
 * not asked when item 6 is 0 days (an unasked item scores 0).
 */

/** Items answered as a number of days in the past 30. */
const DAY_ITEMS = ['2', '3', '4', '5', '6', '7A', '7B', '7C', '7D', '7E', '7F', '7G', '10', '11', '13', '16'] as const;
/** Items answered on a 0-4 rating (1: physical health excellent..poor; 8 cravings, 9 confidence, 12 spirituality, 15 conflict, 17 satisfaction: not at all..extremely). */
const RATING_ITEMS = ['1', '8', '9', '12', '15', '17'] as const;
/** Item 14: do you have enough income (from legal sources) to pay for necessities? */
const YES_NO_ITEM = '14';
const DRUG_ITEMS = ['7A', '7B', '7C', '7D', '7E', '7F', '7G'] as const;

export const BAM_ITEMS = ['1', '2', '3', '4', '5', '6', ...DRUG_ITEMS, '8', '9', '10', '11', '12', '13', '14', '15', '16', '17'] as const;
export type BamItem = (typeof BAM_ITEMS)[number];

/** Answers as collected: days (0-30) for day items, 0-4 for rating items, true/false for item 14; an unanswered item is null or absent. */
export type BamAnswers = Partial<Record<string, number | boolean | null | undefined>>;

export interface BamScore {
  /** Items 4, 5 and 6 (alcohol, heavy drinking, drugs), 0-12. */
  readonly use: number;
  /** Items 1, 2, 3, 8, 11 and 15 (health, sleep, mood, cravings, risky situations, family or social conflict), 0-24. */
  readonly risk: number;
  /** Items 9, 10, 12, 13, 14 and 16 (confidence, self-help, spirituality, work or school, income, sober support), 0-24. */
  readonly protective: number;
  /** Item 17, 0-4: not part of a subscale. */
  readonly progressSatisfaction: number;
  /** Every item as scored (0-4), unasked items as 0: what the clinician reads item by item. */
  readonly itemScores: Readonly<Record<BamItem, number>>;
}

export interface BamInvalid {
  readonly code: 'measure.invalid-answers';
  readonly message: string;
  readonly issues: readonly MeasureItemIssue[];
}

/** The published day bands: 0 days → 0, 1-3 → 1, 4-8 → 2, 9-15 → 3, 16-30 → 4. */
export function bamDaysScore(days: number): number {
  if (!Number.isInteger(days) || days < 0 || days > 30) throw new RangeError(`days must be a whole number from 0 to 30, not ${days}`);
  if (days === 0) return 0;
  if (days <= 3) return 1;
  if (days <= 8) return 2;
  if (days <= 15) return 3;
  return 4;
}

/** The item's number for an issue (`7A` is item 7; a key that is no item at all is 0); the message names the item exactly. */
const itemNumber = (item: string): number => {
  const n = Number.parseInt(item, 10);
  return Number.isNaN(n) ? 0 : n;
};

export function scoreBam(answers: BamAnswers): Result<BamScore, BamInvalid> {
  const issues: MeasureItemIssue[] = [];
  const issue = (itemId: string, message: string) => issues.push({ item: itemNumber(itemId), message: `Item ${itemId}: ${message}` });
  const known = new Set<string>(BAM_ITEMS);
  for (const key of Object.keys(answers)) if (!known.has(key)) issue(key, `there is no BAM item "${key}" (items are 1-17, with 7A-7G).`);

  const days = new Map<string, number>();
  const scores = {} as Record<BamItem, number>;
  const skipped = (itemId: string): boolean =>
    (itemId === '5' && answers['4'] === 0) || ((DRUG_ITEMS as readonly string[]).includes(itemId) && answers['6'] === 0);

  for (const itemId of DAY_ITEMS) {
    const answer = answers[itemId];
    if (answer === null || answer === undefined) {
      if (skipped(itemId)) scores[itemId] = 0;
      else issue(itemId, 'unanswered.');
    } else if (typeof answer !== 'number' || !Number.isInteger(answer) || answer < 0 || answer > 30) {
      issue(itemId, `the answer is a number of days from 0 to 30 (got ${String(answer)}).`);
    } else {
      days.set(itemId, answer);
      scores[itemId] = bamDaysScore(answer);
    }
  }
  for (const itemId of RATING_ITEMS) {
    const answer = answers[itemId];
    if (answer === null || answer === undefined) issue(itemId, 'unanswered.');
    else if (typeof answer !== 'number' || !Number.isInteger(answer) || answer < 0 || answer > 4)
      issue(itemId, `the answer must be a whole number from 0 to 4 (got ${String(answer)}).`);
    else scores[itemId] = answer;
  }
  const income = answers[YES_NO_ITEM];
  if (income === null || income === undefined) issue(YES_NO_ITEM, 'unanswered.');
  else if (typeof income !== 'boolean') issue(YES_NO_ITEM, `the answer is yes (true) or no (false) (got ${String(income)}).`);
  else scores[YES_NO_ITEM] = income ? 4 : 0;

  // Answers that contradict each other: more heavy-drinking days than drinking days, more days of one drug than of any drug.
  const drinking = days.get('4');
  const heavy = days.get('5');
  if (drinking !== undefined && heavy !== undefined && heavy > drinking)
    issue('5', `${heavy} heavy-drinking days is more than the ${drinking} drinking days of item 4.`);
  const anyDrug = days.get('6');
  for (const itemId of DRUG_ITEMS) {
    const drug = days.get(itemId);
    if (anyDrug !== undefined && drug !== undefined && drug > anyDrug)
      issue(itemId, `${drug} days is more than the ${anyDrug} days of any drug use of item 6.`);
  }

  if (issues.length > 0) {
    return err({
      code: 'measure.invalid-answers',
      message: `The BAM cannot be scored: ${issues.map((i) => i.message).join(' ')}`,
      issues,
    });
  }
  const sum = (items: readonly BamItem[]) => items.reduce((total, item) => total + scores[item], 0);
  return ok({
    use: sum(['4', '5', '6']),
    risk: sum(['1', '2', '3', '8', '11', '15']),
    protective: sum(['9', '10', '12', '13', '14', '16']),
    progressSatisfaction: scores['17'],
    itemScores: scores,
  });
}
