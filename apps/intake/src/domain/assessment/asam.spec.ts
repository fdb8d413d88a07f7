import { validateAsamRatings, type AsamRatingsInput } from './asam';

const allRated = (rating: number): AsamRatingsInput => ({
  1: { rating },
  2: { rating },
  3: { rating },
  4: { rating },
  5: { rating },
  6: { rating },
});

describe('ASAM dimension ratings', () => {
  it('accepts six whole-number ratings from 0 to 4, keeping the notes', () => {
    const result = validateAsamRatings({ ...allRated(1), 6: { rating: 3, notes: '  Partner still drinks at home ' } });
    expect(result).toEqual({
      ok: true,
      value: { ratings: { 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 3 }, notes: { 6: 'Partner still drinks at home' } },
    });
  });

  it('names every dimension that is missing or out of range', () => {
    const { 2: _two, 5: _five, ...partial } = allRated(1);
    const result = validateAsamRatings({ ...partial, 3: { rating: 5 }, 4: { rating: 1.5 } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe('The ASAM ratings are incomplete: 4 dimensions need attention.');
    expect(result.error.issues.map((i) => i.message)).toEqual([
      'Dimension 2 (biomedical) is not rated.',
      'Dimension 3 (emotional/behavioural): the rating must be a whole number from 0 to 4 (got 5).',
      'Dimension 4 (readiness): the rating must be a whole number from 0 to 4 (got 1.5).',
      'Dimension 5 (relapse potential) is not rated.',
    ]);
  });

  it('refuses negative ratings', () => {
    expect(validateAsamRatings({ ...allRated(0), 1: { rating: -1 } })).toMatchObject({
      ok: false,
      error: { issues: [{ code: 'assessment.invalid-rating', dimension: 1 }] },
    });
  });
});
