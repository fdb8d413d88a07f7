import { scoreGad7, scorePhq9 } from './screening-measures';

describe('PHQ-9', () => {
  it.each([
    [[0, 0, 0, 0, 0, 0, 0, 0, 0], 0, 'minimal'],
    [[1, 1, 1, 1, 0, 0, 0, 0, 0], 4, 'minimal'],
    [[1, 1, 1, 1, 1, 0, 0, 0, 0], 5, 'mild'],
    [[2, 2, 2, 2, 1, 0, 0, 0, 0], 9, 'mild'],
    [[2, 2, 2, 2, 2, 0, 0, 0, 0], 10, 'moderate'],
    [[2, 2, 2, 2, 2, 2, 2, 0, 0], 14, 'moderate'],
    [[3, 3, 3, 2, 2, 2, 0, 0, 0], 15, 'moderately-severe'],
    [[3, 3, 3, 3, 3, 2, 2, 0, 0], 19, 'moderately-severe'],
    [[3, 3, 3, 3, 3, 3, 2, 0, 0], 20, 'severe'],
    [[3, 3, 3, 3, 3, 3, 3, 3, 3], 27, 'severe'],
  ])('scores %j as %d (%s)', (answers, total, band) => {
    expect(scorePhq9(answers)).toMatchObject({ ok: true, value: { total, band } });
  });

  it('flags an urgent safety follow-up when item 9 is above 0, whatever the total', () => {
    const result = scorePhq9([0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(result).toEqual({
      ok: true,
      value: { total: 1, band: 'minimal', bandLabel: 'Minimal', safetyFollowUpRequired: true },
    });
    expect(scorePhq9([3, 3, 3, 3, 3, 3, 3, 3, 0])).toMatchObject({ value: { safetyFollowUpRequired: false } });
  });

  it('never scores an unanswered item as 0, and names each problem', () => {
    const result = scorePhq9([1, 2, null, 1, 4, 0, 0, 0]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues.map((i) => i.item)).toEqual([3, 5, 9]);
    expect(result.error.message).toBe(
      'The PHQ-9 cannot be scored: Item 3 is unanswered. Item 5: the answer must be a whole number from 0 to 3 (got 4). Item 9 is unanswered.',
    );
  });

  it('refuses extra answers', () => {
    expect(scorePhq9([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).ok).toBe(false);
  });
});

describe('GAD-7', () => {
  it.each([
    [[0, 0, 0, 0, 0, 0, 0], 0, 'minimal'],
    [[1, 1, 1, 1, 0, 0, 0], 4, 'minimal'],
    [[1, 1, 1, 1, 1, 0, 0], 5, 'mild'],
    [[2, 2, 2, 2, 1, 0, 0], 9, 'mild'],
    [[2, 2, 2, 2, 2, 0, 0], 10, 'moderate'],
    [[2, 2, 2, 2, 2, 2, 2], 14, 'moderate'],
    [[3, 2, 2, 2, 2, 2, 2], 15, 'severe'],
    [[3, 3, 3, 3, 3, 3, 3], 21, 'severe'],
  ])('scores %j as %d (%s)', (answers, total, band) => {
    expect(scoreGad7(answers)).toMatchObject({ ok: true, value: { total, band } });
  });

  it('refuses a fractional answer', () => {
    expect(scoreGad7([0, 0, 0, 0.5, 0, 0, 0])).toMatchObject({
      ok: false,
      error: { code: 'measure.invalid-answers', issues: [{ item: 4 }] },
    });
  });
});
