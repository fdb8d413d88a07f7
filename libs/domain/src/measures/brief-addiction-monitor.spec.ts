import { bamDaysScore, scoreBam, type BamAnswers } from './brief-addiction-monitor';

/** A patient one month out: some drinking, no drugs (so 7A-7G are not asked). Worked by hand in the test below. */
const oneMonthOut: BamAnswers = {
  '1': 2, // physical health: good
  '2': 5, // nights with poor sleep: 4-8 → 2
  '3': 10, // days depressed, anxious or upset: 9-15 → 3
  '4': 3, // days of any alcohol: 1-3 → 1
  '5': 1, // heavy-drinking days: 1-3 → 1
  '6': 0, // days of drugs: 0 → 0
  '8': 3, // cravings: considerably
  '9': 2, // confidence in staying abstinent: moderately
  '10': 12, // days at self-help meetings: 9-15 → 3
  '11': 2, // days in risky situations: 1-3 → 1
  '12': 1, // spirituality supports recovery: slightly
  '13': 20, // days at work or school: 16-30 → 4
  '14': true, // enough income: yes → 4
  '15': 1, // bothered by arguments: slightly
  '16': 30, // days with sober support: 16-30 → 4
  '17': 3, // satisfied with progress: considerably
};

const everything = (days: number, rating: number, income: boolean): BamAnswers => ({
  '1': rating,
  '2': days,
  '3': days,
  '4': days,
  '5': days,
  '6': days,
  '7A': days,
  '7B': days,
  '7C': days,
  '7D': days,
  '7E': days,
  '7F': days,
  '7G': days,
  '8': rating,
  '9': rating,
  '10': days,
  '11': days,
  '12': rating,
  '13': days,
  '14': income,
  '15': rating,
  '16': days,
  '17': rating,
});

describe('Brief Addiction Monitor', () => {
  it.each([
    [0, 0],
    [1, 1],
    [3, 1],
    [4, 2],
    [8, 2],
    [9, 3],
    [15, 3],
    [16, 4],
    [30, 4],
  ])('scores %i days as %i (the published day bands)', (days, score) => {
    expect(bamDaysScore(days)).toBe(score);
  });

  it('sums use from items 4-6, risk from 1, 2, 3, 8, 11, 15 and protection from 9, 10, 12, 13, 14, 16', () => {
    // use = 1 + 1 + 0 = 2; risk = 2 + 2 + 3 + 3 + 1 + 1 = 12; protective = 2 + 3 + 1 + 4 + 4 + 4 = 18; item 17 apart.
    expect(scoreBam(oneMonthOut)).toMatchObject({ ok: true, value: { use: 2, risk: 12, protective: 18, progressSatisfaction: 3 } });
  });

  it('reaches 12, 24 and 24 at the top of every scale, and 0, 0 and 0 at the bottom', () => {
    expect(scoreBam(everything(30, 4, true))).toMatchObject({ ok: true, value: { use: 12, risk: 24, protective: 24, progressSatisfaction: 4 } });
    expect(scoreBam(everything(0, 0, false))).toMatchObject({ ok: true, value: { use: 0, risk: 0, protective: 0, progressSatisfaction: 0 } });
  });

  it('leaves out item 7 (which drugs) and item 17 from the subscales', () => {
    const withDrugs = { ...oneMonthOut, '6': 10, '7A': 10, '7B': 0, '7C': 2, '7D': 0, '7E': 0, '7F': 0, '7G': 0, '17': 0 };
    // Only item 6 changes a subscale: use = 1 + 1 + 3 = 5.
    expect(scoreBam(withDrugs)).toMatchObject({ ok: true, value: { use: 5, risk: 12, protective: 18, progressSatisfaction: 0 } });
  });

  it('does not ask item 5 when there was no drinking, nor 7A-7G when there were no drugs', () => {
    const abstinent: BamAnswers = { ...oneMonthOut, '4': 0 };
    delete abstinent['5'];
    expect(scoreBam(abstinent)).toMatchObject({ ok: true, value: { use: 0 } });
  });

  it('names each missing or out-of-range item', () => {
    const answers: BamAnswers = { ...oneMonthOut, '8': 5, '13': 31, '14': null };
    delete answers['3'];
    const result = scoreBam(answers);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues.map((i) => i.item).sort((a, b) => a - b)).toEqual([3, 8, 13, 14]);
    expect(result.error.message).toContain('Item 8: the answer must be a whole number from 0 to 4 (got 5).');
  });

  it('asks for the drug items when drugs were used, and refuses answers that contradict each other', () => {
    const result = scoreBam({ ...oneMonthOut, '4': 2, '5': 3, '6': 4, '7A': 5 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('Item 7B: unanswered.');
    expect(result.error.message).toContain('Item 5: 3 heavy-drinking days is more than the 2 drinking days of item 4.');
    expect(result.error.message).toContain('Item 7A: 5 days is more than the 4 days of any drug use of item 6.');
  });

  it('refuses an item the BAM does not have', () => {
    expect(scoreBam({ ...oneMonthOut, '18': 1 })).toMatchObject({ ok: false, error: { issues: [{ item: 18 }] } });
  });
});
