import type { AsamDimension, AsamProfile, AsamRating } from './asam';
import {
  acceptRecommendation,
  overrideLevelOfCare,
  recommendLevelOfCare,
  type ClinicianOverride,
  type LevelOfCareInput,
  type LevelOfCareRecommendation,
} from './level-of-care';
import { LEVEL_OF_CARE_RULES } from './level-of-care-rules';

/** Ratings for dimensions 1-6, in order. */
function profile(...ratings: [AsamRating, AsamRating, AsamRating, AsamRating, AsamRating, AsamRating]): AsamProfile {
  const [d1, d2, d3, d4, d5, d6] = ratings;
  return { ratings: { 1: d1, 2: d2, 3: d3, 4: d4, 5: d5, 6: d6 }, notes: {} };
}

function recommend(p: AsamProfile, overrides: Partial<LevelOfCareInput> = {}): LevelOfCareRecommendation {
  const result = recommendLevelOfCare({ profile: p, presentingConcerns: ['alcohol'], population: 'adult', ...overrides });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const override = (overrides: Partial<ClinicianOverride>): ClinicianOverride => ({
  clinicianId: 'clin-3',
  at: new Date('2025-03-05T16:00:00Z'),
  level: '2.1',
  reason: 'Strong family support; patient declines residential care',
  ...overrides,
});

describe('level-of-care recommendation', () => {
  it.each<[string, AsamProfile, string, string, readonly AsamDimension[]]>([
    ['psychiatric imminent danger', profile(1, 0, 4, 2, 2, 2), '4', 'R1', [3]],
    ['severe withdrawal risk', profile(3, 1, 1, 2, 2, 1), 'withdrawal-management-first', 'R2', [1]],
    ['serious biomedical problems', profile(1, 3, 1, 1, 2, 1), '3.x', 'R3', [2]],
    ['a home dangerous to recovery', profile(1, 0, 1, 1, 2, 4), '3.x', 'R4', [6]],
    ['high relapse potential', profile(1, 0, 2, 2, 3, 2), '2.5', 'R5', [5]],
    ['moderate problems', profile(1, 0, 2, 1, 2, 1), '2.1', 'R6', [3, 5]],
    ['low readiness alone', profile(0, 0, 1, 4, 1, 1), '2.1', 'R6', [4]],
    ['only mild problems', profile(1, 1, 1, 1, 1, 0), '1', 'R7', []],
  ])('recommends for %s: level %s by rule %s, driven by dimensions %j', (_case, p, level, ruleId, driving) => {
    const rec = recommend(p);
    expect(rec.level).toBe(level);
    expect(rec.ruleId).toBe(ruleId);
    expect(rec.drivingDimensions).toEqual(driving);
    expect(rec.disclaimer).toContain('not the ASAM Criteria');
  });

  it('puts danger first: imminent psychiatric danger outranks withdrawal', () => {
    expect(recommend(profile(4, 0, 4, 0, 0, 0)).level).toBe('4');
  });

  it('plans 9 h a week of IOP for an adult with moderate problems in one or two dimensions', () => {
    expect(recommend(profile(1, 0, 2, 1, 2, 1)).plannedWeeklyHours).toEqual({ hours: 9, allowedRange: '9 to under 20 h' });
  });

  it('plans 12 h a week of IOP when three dimensions are rated 2 or more', () => {
    expect(recommend(profile(2, 0, 2, 1, 2, 1)).plannedWeeklyHours?.hours).toBe(12);
  });

  it('plans 6 h a week of IOP for an adolescent', () => {
    expect(recommend(profile(1, 0, 2, 1, 1, 1), { population: 'adolescent' }).plannedWeeklyHours).toEqual({
      hours: 6,
      allowedRange: '6 to under 20 h',
    });
  });

  it('leaves hours to the receiving programme for residential care', () => {
    expect(recommend(profile(1, 3, 1, 1, 1, 1)).plannedWeeklyHours).toBeUndefined();
  });

  it.each<[LevelOfCareInput['presentingConcerns'], string]>([
    [['alcohol', 'opioids'], 'substance-use'],
    [['depression', 'ptsd'], 'mental-health'],
    [['alcohol', 'anxiety'], 'co-occurring'],
  ])('chooses the program type from the presenting concerns %j: %s', (concerns, programType) => {
    expect(recommend(profile(1, 0, 2, 1, 1, 1), { presentingConcerns: concerns }).programType).toBe(programType);
  });

  it('asks for a presenting concern before choosing a program type', () => {
    const result = recommendLevelOfCare({ profile: profile(1, 0, 2, 1, 1, 1), presentingConcerns: [], population: 'adult' });
    expect(result).toMatchObject({ ok: false, error: { code: 'assessment.no-presenting-concern' } });
  });

  it('ends the rule table with a catch-all, so every profile gets a recommendation', () => {
    expect(LEVEL_OF_CARE_RULES[LEVEL_OF_CARE_RULES.length - 1]?.anyOf).toEqual([{ kind: 'otherwise' }]);
  });
});

describe('clinician decision', () => {
  const partialHospital = (): LevelOfCareRecommendation => recommend(profile(1, 0, 2, 2, 3, 2));

  it('accepting the recommendation keeps its level and hours', () => {
    expect(acceptRecommendation(partialHospital())).toMatchObject({
      level: '2.5',
      plannedWeeklyHours: 25,
      decidedBy: 'rule-table',
    });
  });

  it('a clinician may step down to IOP with a reason, getting that level’s default for these ratings', () => {
    const decision = overrideLevelOfCare(partialHospital(), override({}));
    expect(decision).toMatchObject({
      ok: true,
      value: { level: '2.1', plannedWeeklyHours: 12, decidedBy: 'clinician-override', override: { clinicianId: 'clin-3' } },
    });
  });

  it('an override without a reason is refused', () => {
    const decision = overrideLevelOfCare(partialHospital(), override({ reason: ' ok ' }));
    expect(decision).toMatchObject({
      ok: false,
      error: {
        code: 'assessment.override-reason-required',
        message:
          'Give the clinical reason for choosing Level 2.1: intensive outpatient (IOP) instead of ' +
          'Level 2.5: partial hospitalisation (at least a short sentence).',
      },
    });
  });

  it('refuses IOP hours outside 9-19 for an adult', () => {
    const decision = overrideLevelOfCare(partialHospital(), override({ weeklyHours: 6 }));
    expect(decision).toMatchObject({
      ok: false,
      error: {
        code: 'assessment.hours-outside-level',
        message: 'Level 2.1: intensive outpatient (IOP) for adults means 9 to under 20 h a week; 6 h is outside it. ' + 'Change the hours or the level.',
      },
    });
    expect(overrideLevelOfCare(partialHospital(), override({ weeklyHours: 20 })).ok).toBe(false);
    expect(overrideLevelOfCare(partialHospital(), override({ weeklyHours: 19 })).ok).toBe(true);
  });

  it('lets a clinician change only the hours within the recommended level', () => {
    const iop = recommend(profile(1, 0, 2, 1, 2, 1));
    expect(overrideLevelOfCare(iop, override({ weeklyHours: 15 }))).toMatchObject({
      ok: true,
      value: { level: '2.1', plannedWeeklyHours: 15 },
    });
  });

  it('refuses an "override" identical to the recommendation', () => {
    const iop = recommend(profile(1, 0, 2, 1, 2, 1));
    expect(overrideLevelOfCare(iop, override({ weeklyHours: 9 }))).toMatchObject({
      ok: false,
      error: { code: 'assessment.override-unchanged' },
    });
  });

  it('refuses planned hours for residential care', () => {
    expect(overrideLevelOfCare(partialHospital(), override({ level: '3.x', weeklyHours: 30 }))).toMatchObject({
      ok: false,
      error: { code: 'assessment.hours-not-planned-here' },
    });
    expect(overrideLevelOfCare(partialHospital(), override({ level: '3.x' }))).toMatchObject({
      ok: true,
      value: { level: '3.x', decidedBy: 'clinician-override' },
    });
  });
});
