/** What a site runs: the kind of treatment, for whom, at which ASAM level of care. */
export type ProgramKind = 'substance-use' | 'mental-health' | 'co-occurring';
export type Population = 'adult' | 'adolescent';
export type LevelOfCare = '1' | '2.1' | '2.5';

export interface ProgramRules {
  /** Least weekly group time a track of the program must give. */
  readonly minWeeklyMinutes: number;
  /** Most weekly group time, inclusive; null when there is no upper bound (2.5 PHP). */
  readonly maxWeeklyMinutes: number | null;
  /** Least treatment a day needs to be billed as one per-diem unit. */
  readonly perDiemMinimumMinutes: number;
  readonly defaultLengthWeeks: number;
}

export interface Program extends ProgramRules {
  readonly programId: string;
  readonly siteId: string;
  readonly name: string;
  readonly kind: ProgramKind;
  readonly population: Population;
  readonly levelOfCare: LevelOfCare;
  readonly revision: number;
}

const HOUR = 60;

/**
 * ASAM's weekly hours per level of care and population, the defaults a site starts from and may change:
 * 1 OP under 9 h a week for adults (under 6 for adolescents); 2.1 IOP 9 to 19 h for adults, 6 to 19 for adolescents;
 * 2.5 PHP 20 h or more. "Under 9 h" is kept as an inclusive maximum of 8 h 59 min, so the levels do not overlap.
 * A per-diem day needs 3 h; programs run 8 to 12 weeks, 10 by default.
 */
export function programDefaults(levelOfCare: LevelOfCare, population: Population): ProgramRules {
  const common = { perDiemMinimumMinutes: 3 * HOUR, defaultLengthWeeks: 10 };
  switch (levelOfCare) {
    case '1':
      return { ...common, minWeeklyMinutes: 0, maxWeeklyMinutes: (population === 'adult' ? 9 : 6) * HOUR - 1 };
    case '2.1':
      return { ...common, minWeeklyMinutes: (population === 'adult' ? 9 : 6) * HOUR, maxWeeklyMinutes: 19 * HOUR };
    case '2.5':
      return { ...common, minWeeklyMinutes: 20 * HOUR, maxWeeklyMinutes: null };
  }
}

/** "7 h 30 min", "9 h", "45 min": how a coordinator reads a duration. */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / HOUR);
  const m = minutes % HOUR;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "9 h to 19 h", "20 h or more". */
export function describeRange(rules: Pick<ProgramRules, 'minWeeklyMinutes' | 'maxWeeklyMinutes'>): string {
  if (rules.maxWeeklyMinutes === null) return `${formatMinutes(rules.minWeeklyMinutes)} or more`;
  if (rules.minWeeklyMinutes === 0) return `at most ${formatMinutes(rules.maxWeeklyMinutes)}`;
  return `${formatMinutes(rules.minWeeklyMinutes)} to ${formatMinutes(rules.maxWeeklyMinutes)}`;
}
