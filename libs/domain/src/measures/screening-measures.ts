import { err, ok, type Result } from '../result';

/*
 * PHQ-9 (depression) and GAD-7 (anxiety): each item 0 (not at all) to 3 (nearly every day) over the last two
 * weeks; severity bands as published by their authors (Kroenke, Spitzer and Williams; check). Bands are data so
 * the docs can print them.
 */

export interface SeverityBand<Band extends string> {
  readonly band: Band;
  readonly label: string;
  readonly min: number;
  readonly max: number;
}

export type Phq9Band = 'minimal' | 'mild' | 'moderate' | 'moderately-severe' | 'severe';
export type Gad7Band = 'minimal' | 'mild' | 'moderate' | 'severe';

export const PHQ9_BANDS: readonly SeverityBand<Phq9Band>[] = [
  { band: 'minimal', label: 'Minimal', min: 0, max: 4 },
  { band: 'mild', label: 'Mild', min: 5, max: 9 },
  { band: 'moderate', label: 'Moderate', min: 10, max: 14 },
  { band: 'moderately-severe', label: 'Moderately severe', min: 15, max: 19 },
  { band: 'severe', label: 'Severe', min: 20, max: 27 },
];

export const GAD7_BANDS: readonly SeverityBand<Gad7Band>[] = [
  { band: 'minimal', label: 'Minimal', min: 0, max: 4 },
  { band: 'mild', label: 'Mild', min: 5, max: 9 },
  { band: 'moderate', label: 'Moderate', min: 10, max: 14 },
  { band: 'severe', label: 'Severe', min: 15, max: 21 },
];

const PHQ9_ITEMS = 9;
const GAD7_ITEMS = 7;
const MAX_ITEM_SCORE = 3;

export interface MeasureItemIssue {
  /** 1-based, as printed on the questionnaire. */
  readonly item: number;
  readonly message: string;
}

export interface MeasureInvalid {
  readonly code: 'measure.invalid-answers';
  readonly message: string;
  readonly issues: readonly MeasureItemIssue[];
}

export interface MeasureScore<Band extends string> {
  readonly total: number;
  readonly band: Band;
  readonly bandLabel: string;
}

export interface Phq9Score extends MeasureScore<Phq9Band> {
  /**
   * Item 9 (thoughts of being better off dead or of self-harm) above 0: a clinician must follow up at once,
   * whatever the total. The application layer raises the urgent event.
   */
  readonly safetyFollowUpRequired: boolean;
}

export type Gad7Score = MeasureScore<Gad7Band>;

/** Answers as collected: an unanswered item is null or undefined. */
export type MeasureAnswers = readonly (number | null | undefined)[];

function validateItems(name: string, answers: MeasureAnswers, count: number): Result<readonly number[], MeasureInvalid> {
  const issues: MeasureItemIssue[] = [];
  if (answers.length > count) {
    issues.push({ item: count + 1, message: `${name} has ${count} items; ${answers.length} answers were given.` });
  }
  const scores: number[] = [];
  for (let index = 0; index < count; index++) {
    const answer = answers[index];
    const item = index + 1;
    if (answer === null || answer === undefined) {
      issues.push({ item, message: `Item ${item} is unanswered.` });
    } else if (!Number.isInteger(answer) || answer < 0 || answer > MAX_ITEM_SCORE) {
      issues.push({ item, message: `Item ${item}: the answer must be a whole number from 0 to 3 (got ${answer}).` });
    } else {
      scores.push(answer);
    }
  }
  if (issues.length > 0) {
    return err({
      code: 'measure.invalid-answers',
      message: `The ${name} cannot be scored: ${issues.map((i) => i.message).join(' ')}`,
      issues,
    });
  }
  return ok(scores);
}

function bandFor<Band extends string>(bands: readonly SeverityBand<Band>[], total: number): SeverityBand<Band> {
  const band = bands.find((b) => total >= b.min && total <= b.max);
  if (!band) throw new Error(`No severity band covers a total of ${total}`);
  return band;
}

export function scorePhq9(answers: MeasureAnswers): Result<Phq9Score, MeasureInvalid> {
  const items = validateItems('PHQ-9', answers, PHQ9_ITEMS);
  if (!items.ok) return items;
  const total = items.value.reduce((sum, score) => sum + score, 0);
  const { band, label } = bandFor(PHQ9_BANDS, total);
  return ok({ total, band, bandLabel: label, safetyFollowUpRequired: (items.value[8] ?? 0) > 0 });
}

export function scoreGad7(answers: MeasureAnswers): Result<Gad7Score, MeasureInvalid> {
  const items = validateItems('GAD-7', answers, GAD7_ITEMS);
  if (!items.ok) return items;
  const total = items.value.reduce((sum, score) => sum + score, 0);
  const { band, label } = bandFor(GAD7_BANDS, total);
  return ok({ total, band, bandLabel: label });
}

export function renderSeverityBandsMarkdown(): string {
  const rows = (name: string, bands: readonly SeverityBand<string>[]): string[] => bands.map((b) => `| ${name} | ${b.min}-${b.max} | ${b.label} |`);
  return ['| Measure | Total | Severity |', '|---|---|---|', ...rows('PHQ-9', PHQ9_BANDS), ...rows('GAD-7', GAD7_BANDS)].join('\n');
}
