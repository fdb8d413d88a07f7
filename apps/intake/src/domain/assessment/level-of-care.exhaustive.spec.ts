import type { AsamProfile, AsamRating } from './asam';
import { recommendLevelOfCare } from './level-of-care';

/*
 * Every one of the 5^6 = 15,625 rating profiles, against docs/intake-rules.md read as prose: the oracle below is
 * written from the document's "How a recommendation is made" and "Why these rows", not from the rule table in code,
 * so a change to either that the other does not follow fails here.
 */
type Ratings = [AsamRating, AsamRating, AsamRating, AsamRating, AsamRating, AsamRating];

function documentedResidentialOrDaily([d1, d2, d3, , d5, d6]: Ratings): { rule: string; level: string } | undefined {
  if (d2 === 4 || d3 === 4) return { rule: 'R1', level: '4' }; // imminent medical or psychiatric danger
  if (d1 >= 3) return { rule: 'R2', level: 'withdrawal-management-first' }; // withdrawal managed first
  if (d2 >= 3 || d3 >= 3) return { rule: 'R3', level: '3.x' }; // 24-hour structure
  if (d5 === 4 || d6 === 4) return { rule: 'R4', level: '3.x' }; // a safe residential base
  if (d5 >= 3 || d6 >= 3) return { rule: 'R5', level: '2.5' }; // daily structure
  return undefined;
}

function documentedOutpatient(ratings: Ratings): { rule: string; level: string } {
  const severe = documentedResidentialOrDaily(ratings);
  if (severe) return severe;
  // R6: a moderate problem anywhere (readiness, D4, can only ever bring a patient to IOP, never above it); R7: none.
  return ratings.some((r) => r >= 2) ? { rule: 'R6', level: '2.1' } : { rule: 'R7', level: '1' };
}

/** Step 4: the higher default when three or more dimensions are rated 2+ or any is rated 3+. */
function documentedHours(level: string, population: 'adult' | 'adolescent', ratings: Ratings): number | undefined {
  const intensified = ratings.filter((r) => r >= 2).length >= 3 || ratings.some((r) => r >= 3);
  const table: Record<string, Record<'adult' | 'adolescent', [number, number]>> = {
    '1': { adult: [2, 3], adolescent: [2, 3] },
    '2.1': { adult: [9, 12], adolescent: [6, 9] },
    '2.5': { adult: [20, 25], adolescent: [20, 25] },
  };
  const row = table[level]?.[population];
  return row && row[intensified ? 1 : 0];
}

function* everyProfile(): Generator<Ratings> {
  const values: AsamRating[] = [0, 1, 2, 3, 4];
  for (const a of values)
    for (const b of values) for (const c of values) for (const d of values) for (const e of values) for (const f of values) yield [a, b, c, d, e, f];
}

const profileOf = (r: Ratings): AsamProfile => ({ ratings: { 1: r[0], 2: r[1], 3: r[2], 4: r[3], 5: r[4], 6: r[5] }, notes: {} });

describe('the level-of-care recommendation for every rating profile, as docs/intake-rules.md describes it', () => {
  it.each(['adult', 'adolescent'] as const)('all 15,625 profiles (%s): level, rule and planned weekly hours', (population) => {
    const disagreements: string[] = [];
    let profiles = 0;
    for (const ratings of everyProfile()) {
      profiles += 1;
      const result = recommendLevelOfCare({ profile: profileOf(ratings), presentingConcerns: ['alcohol'], population });
      if (!result.ok) throw new Error('a presenting concern was given');
      const expected = documentedOutpatient(ratings);
      const hours = documentedHours(expected.level, population, ratings);
      const got = { rule: result.value.ruleId, level: result.value.level, hours: result.value.plannedWeeklyHours?.hours };
      if (got.rule !== expected.rule || got.level !== expected.level || got.hours !== hours) {
        disagreements.push(
          `D1-D6 ${ratings.join('')}: documented ${expected.rule} ${expected.level} ${hours ?? '-'} h, got ${got.rule} ${got.level} ${got.hours ?? '-'} h`,
        );
      }
    }
    expect(profiles).toBe(5 ** 6);
    expect(disagreements.slice(0, 10)).toEqual([]);
  });

  it('readiness to change (D4) alone never raises the level above IOP', () => {
    for (const d4 of [2, 3, 4] as const) {
      const result = recommendLevelOfCare({ profile: profileOf([0, 0, 0, d4, 0, 0]), presentingConcerns: ['depression'], population: 'adult' });
      expect(result.ok && result.value.level).toBe('2.1');
    }
  });
});
