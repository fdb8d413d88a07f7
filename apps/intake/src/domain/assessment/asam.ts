import { err, ok, type Result } from '../shared';

/** The six ASAM Criteria dimensions (3rd edition), rated 0 (no problem) to 4 (severe/imminent danger). */
export const ASAM_DIMENSIONS = [1, 2, 3, 4, 5, 6] as const;
export type AsamDimension = (typeof ASAM_DIMENSIONS)[number];

export const ASAM_DIMENSION_NAMES: Readonly<Record<AsamDimension, string>> = {
  1: 'Acute intoxication and/or withdrawal potential',
  2: 'Biomedical conditions and complications',
  3: 'Emotional, behavioural or cognitive conditions and complications',
  4: 'Readiness to change',
  5: 'Relapse, continued use or continued problem potential',
  6: 'Recovery/living environment',
};

/** Short names for tables and messages. */
export const ASAM_DIMENSION_SHORT_NAMES: Readonly<Record<AsamDimension, string>> = {
  1: 'withdrawal',
  2: 'biomedical',
  3: 'emotional/behavioural',
  4: 'readiness',
  5: 'relapse potential',
  6: 'environment',
};

export const ASAM_RATINGS = [0, 1, 2, 3, 4] as const;
export type AsamRating = (typeof ASAM_RATINGS)[number];

export interface AsamDimensionInput {
  readonly rating: number;
  readonly notes?: string;
}

/** As entered on the form: any dimension may still be missing and ratings are unchecked numbers. */
export type AsamRatingsInput = Readonly<Partial<Record<AsamDimension, AsamDimensionInput>>>;

export interface AsamProfile {
  readonly ratings: Readonly<Record<AsamDimension, AsamRating>>;
  readonly notes: Readonly<Partial<Record<AsamDimension, string>>>;
}

export interface AsamRatingIssue {
  readonly code: 'assessment.missing-dimension' | 'assessment.invalid-rating';
  readonly dimension: AsamDimension;
  readonly message: string;
}

export interface AsamRatingsInvalid {
  readonly code: 'assessment.invalid-ratings';
  readonly message: string;
  readonly issues: readonly AsamRatingIssue[];
}

function isAsamRating(value: number): value is AsamRating {
  return (ASAM_RATINGS as readonly number[]).includes(value);
}

/** All six dimensions, each a whole number 0-4: a level of care decided on a partial picture is not decided. */
export function validateAsamRatings(input: AsamRatingsInput): Result<AsamProfile, AsamRatingsInvalid> {
  const issues: AsamRatingIssue[] = [];
  const ratings: Partial<Record<AsamDimension, AsamRating>> = {};
  const notes: Partial<Record<AsamDimension, string>> = {};
  for (const dimension of ASAM_DIMENSIONS) {
    const entry = input[dimension];
    const label = `Dimension ${dimension} (${ASAM_DIMENSION_SHORT_NAMES[dimension]})`;
    if (entry === undefined) {
      issues.push({ code: 'assessment.missing-dimension', dimension, message: `${label} is not rated.` });
      continue;
    }
    if (!isAsamRating(entry.rating)) {
      issues.push({
        code: 'assessment.invalid-rating',
        dimension,
        message: `${label}: the rating must be a whole number from 0 to 4 (got ${String(entry.rating)}).`,
      });
      continue;
    }
    ratings[dimension] = entry.rating;
    const note = entry.notes?.trim();
    if (note) notes[dimension] = note;
  }
  const [r1, r2, r3, r4, r5, r6] = ASAM_DIMENSIONS.map((d) => ratings[d]);
  if (issues.length > 0 || r1 === undefined || r2 === undefined || r3 === undefined || r4 === undefined || r5 === undefined || r6 === undefined) {
    return err({
      code: 'assessment.invalid-ratings',
      message: `The ASAM ratings are incomplete: ${issues.length} dimension${issues.length === 1 ? ' needs' : 's need'} attention.`,
      issues,
    });
  }
  return ok({ ratings: { 1: r1, 2: r2, 3: r3, 4: r4, 5: r5, 6: r6 }, notes });
}
