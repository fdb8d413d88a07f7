import { describeRange, formatMinutes, programDefaults } from './program';

describe('program defaults (ASAM weekly hours)', () => {
  it.each([
    ['1', 'adult', 0, 539],
    ['1', 'adolescent', 0, 359],
    ['2.1', 'adult', 540, 1140],
    ['2.1', 'adolescent', 360, 1140],
    ['2.5', 'adult', 1200, null],
    ['2.5', 'adolescent', 1200, null],
  ] as const)('level %s for %s patients gives %i to %s minutes a week', (level, population, min, max) => {
    expect(programDefaults(level, population)).toMatchObject({ minWeeklyMinutes: min, maxWeeklyMinutes: max });
  });

  it('every level bills a day from 3 hours and runs 10 weeks by default', () => {
    for (const level of ['1', '2.1', '2.5'] as const) {
      expect(programDefaults(level, 'adult')).toMatchObject({ perDiemMinimumMinutes: 180, defaultLengthWeeks: 10 });
    }
  });

  it('adjacent levels do not overlap: the most of 1 OP is below the least of 2.1 IOP, and 2.1 ends below 2.5', () => {
    for (const population of ['adult', 'adolescent'] as const) {
      expect(programDefaults('1', population).maxWeeklyMinutes!).toBeLessThan(programDefaults('2.1', population).minWeeklyMinutes);
      expect(programDefaults('2.1', population).maxWeeklyMinutes!).toBeLessThan(programDefaults('2.5', population).minWeeklyMinutes);
    }
  });

  it('durations and ranges read as a coordinator says them', () => {
    expect(formatMinutes(450)).toBe('7 h 30 min');
    expect(formatMinutes(540)).toBe('9 h');
    expect(formatMinutes(45)).toBe('45 min');
    expect(describeRange(programDefaults('2.1', 'adult'))).toBe('9 h to 19 h');
    expect(describeRange(programDefaults('2.5', 'adult'))).toBe('20 h or more');
    expect(describeRange(programDefaults('1', 'adult'))).toBe('at most 8 h 59 min');
  });
});
