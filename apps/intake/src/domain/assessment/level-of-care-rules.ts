import { assertNever } from '../shared';
import { ASAM_DIMENSIONS, ASAM_DIMENSION_SHORT_NAMES, type AsamDimension, type AsamProfile, type AsamRating } from './asam';

/*
 * A decision-support simplification of the ASAM Criteria, NOT the ASAM Criteria: the real criteria weigh each
 * dimension's risk with clinical judgement and sub-levels this table does not capture. The table gives a
 * starting recommendation that a clinician accepts or overrides with a reason. It is data, evaluated top-down
 * (first match wins), so docs/intake-rules.md can print it exactly as it runs.
 */

export const LEVELS_OF_CARE = ['withdrawal-management-first', '1', '2.1', '2.5', '3.x', '4'] as const;
export type LevelOfCare = (typeof LEVELS_OF_CARE)[number];

export const LEVEL_OF_CARE_LABELS: Readonly<Record<LevelOfCare, string>> = {
  'withdrawal-management-first': 'Withdrawal management first, then reassess',
  '1': 'Level 1: outpatient',
  '2.1': 'Level 2.1: intensive outpatient (IOP)',
  '2.5': 'Level 2.5: partial hospitalisation',
  '3.x': 'Level 3.x: residential / inpatient',
  '4': 'Level 4: medically managed intensive inpatient',
};

export type RuleCondition =
  | { readonly kind: 'dimension-at-least'; readonly dimension: AsamDimension; readonly rating: AsamRating }
  | { readonly kind: 'any-dimension-at-least'; readonly rating: AsamRating }
  | { readonly kind: 'otherwise' };

export interface LevelOfCareRule {
  readonly id: string;
  /** The rule applies when any one of these holds. */
  readonly anyOf: readonly RuleCondition[];
  readonly level: LevelOfCare;
  readonly rationale: string;
}

const atLeast = (dimension: AsamDimension, rating: AsamRating): RuleCondition => ({
  kind: 'dimension-at-least',
  dimension,
  rating,
});

export const LEVEL_OF_CARE_RULES: readonly LevelOfCareRule[] = [
  {
    id: 'R1',
    anyOf: [atLeast(2, 4), atLeast(3, 4)],
    level: '4',
    rationale: 'Imminent danger from biomedical or psychiatric instability needs 24-hour medically managed care.',
  },
  {
    id: 'R2',
    anyOf: [atLeast(1, 3)],
    level: 'withdrawal-management-first',
    rationale: 'Severe withdrawal risk needs medically monitored or managed withdrawal before an outpatient programme; reassess afterwards.',
  },
  {
    id: 'R3',
    anyOf: [atLeast(2, 3), atLeast(3, 3)],
    level: '3.x',
    rationale: 'Serious biomedical or emotional/behavioural problems need 24-hour structure and monitoring.',
  },
  {
    id: 'R4',
    anyOf: [atLeast(5, 4), atLeast(6, 4)],
    level: '3.x',
    rationale: 'Continued use is near-certain or the home is dangerous to recovery: a residential setting gives a safe base.',
  },
  {
    id: 'R5',
    anyOf: [atLeast(5, 3), atLeast(6, 3)],
    level: '2.5',
    rationale: 'High relapse potential or an unsupportive home calls for daily structure (20+ hours a week) while living at home.',
  },
  {
    id: 'R6',
    anyOf: [{ kind: 'any-dimension-at-least', rating: 2 }],
    level: '2.1',
    rationale:
      'Moderate problems in at least one dimension: a structured programme while living at home, working or studying. ' +
      'Low readiness (dimension 4) alone never raises the level above IOP: it calls for motivational work, not more hours.',
  },
  {
    id: 'R7',
    anyOf: [{ kind: 'otherwise' }],
    level: '1',
    rationale: 'No more than mild problems in any dimension: outpatient therapy.',
  },
];

/** Dimensions that make the condition true; empty when it does not hold (and for "otherwise", which always does). */
function dimensionsMeeting(condition: RuleCondition, profile: AsamProfile): readonly AsamDimension[] | undefined {
  switch (condition.kind) {
    case 'dimension-at-least':
      return profile.ratings[condition.dimension] >= condition.rating ? [condition.dimension] : undefined;
    case 'any-dimension-at-least': {
      const meeting = ASAM_DIMENSIONS.filter((d) => profile.ratings[d] >= condition.rating);
      return meeting.length > 0 ? meeting : undefined;
    }
    case 'otherwise':
      return [];
    default:
      return assertNever(condition, 'rule condition');
  }
}

export interface RuleMatch {
  readonly rule: LevelOfCareRule;
  /** The dimensions whose ratings triggered the rule, for the clinician to see. */
  readonly drivingDimensions: readonly AsamDimension[];
}

export function matchLevelOfCareRule(profile: AsamProfile): RuleMatch {
  for (const rule of LEVEL_OF_CARE_RULES) {
    const met = rule.anyOf.map((c) => dimensionsMeeting(c, profile)).filter((d) => d !== undefined);
    if (met.length > 0) return { rule, drivingDimensions: [...new Set(met.flat())].sort((a, b) => a - b) };
  }
  throw new Error('The level-of-care table must end with an "otherwise" rule');
}

export type Population = 'adult' | 'adolescent';

export interface WeeklyHoursPlan {
  readonly level: '1' | '2.1' | '2.5';
  readonly population: Population;
  /** Inclusive lower bound. */
  readonly atLeast: number;
  /** Exclusive upper bound; none for partial hospitalisation. */
  readonly under?: number;
  /** Planned when no more-severe condition holds. */
  readonly standard: number;
  /** Planned when three or more dimensions are rated 2+, or any is rated 3+. */
  readonly intensified: number;
}

/**
 * Weekly hours per outpatient level (ASAM 3rd ed.: level 1 under 9 h adults / 6 h adolescents, 2.1 9-19 h adults /
 * 6-19 h adolescents, 2.5 20+ h; check). IOP defaults are three or four 3-hour blocks, the common schedules.
 * Levels 3.x, 4 and withdrawal management are planned by the programme that takes the patient.
 */
export const WEEKLY_HOURS_PLANS: readonly WeeklyHoursPlan[] = [
  { level: '1', population: 'adult', atLeast: 1, under: 9, standard: 2, intensified: 3 },
  { level: '1', population: 'adolescent', atLeast: 1, under: 6, standard: 2, intensified: 3 },
  { level: '2.1', population: 'adult', atLeast: 9, under: 20, standard: 9, intensified: 12 },
  { level: '2.1', population: 'adolescent', atLeast: 6, under: 20, standard: 6, intensified: 9 },
  { level: '2.5', population: 'adult', atLeast: 20, standard: 20, intensified: 25 },
  { level: '2.5', population: 'adolescent', atLeast: 20, standard: 20, intensified: 25 },
];

export function weeklyHoursPlanFor(level: LevelOfCare, population: Population): WeeklyHoursPlan | undefined {
  return WEEKLY_HOURS_PLANS.find((p) => p.level === level && p.population === population);
}

export function needsIntensifiedHours(profile: AsamProfile): boolean {
  const ratings = ASAM_DIMENSIONS.map((d) => profile.ratings[d]);
  return ratings.filter((r) => r >= 2).length >= 3 || ratings.some((r) => r >= 3);
}

export function hoursRangeLabel(plan: WeeklyHoursPlan): string {
  return plan.under === undefined ? `${plan.atLeast}+ h` : `${plan.atLeast} to under ${plan.under} h`;
}

export const PRESENTING_CONCERNS = {
  alcohol: 'substance-use',
  opioids: 'substance-use',
  stimulants: 'substance-use',
  cannabis: 'substance-use',
  benzodiazepines: 'substance-use',
  'other-substance': 'substance-use',
  depression: 'mental-health',
  anxiety: 'mental-health',
  bipolar: 'mental-health',
  ptsd: 'mental-health',
  'eating-disorder': 'mental-health',
  ocd: 'mental-health',
  bpd: 'mental-health',
  adhd: 'mental-health',
  psychosis: 'mental-health',
  'other-mental-health': 'mental-health',
} as const satisfies Record<string, 'substance-use' | 'mental-health'>;
export type PresentingConcern = keyof typeof PRESENTING_CONCERNS;

export type ProgramType = 'substance-use' | 'mental-health' | 'co-occurring';

export const PROGRAM_TYPE_LABELS: Readonly<Record<ProgramType, string>> = {
  'substance-use': 'Substance use',
  'mental-health': 'Mental health',
  'co-occurring': 'Co-occurring (substance use and mental health)',
};

/** Both kinds of concern make a co-occurring programme: treating one while ignoring the other fails both. */
export function programTypeFor(concerns: readonly PresentingConcern[]): ProgramType | undefined {
  const kinds = new Set(concerns.map((c) => PRESENTING_CONCERNS[c]));
  if (kinds.has('substance-use') && kinds.has('mental-health')) return 'co-occurring';
  if (kinds.has('substance-use')) return 'substance-use';
  if (kinds.has('mental-health')) return 'mental-health';
  return undefined;
}

function conditionText(condition: RuleCondition): string {
  switch (condition.kind) {
    case 'dimension-at-least': {
      const comparison = condition.rating === 4 ? '= 4' : `≥ ${condition.rating}`;
      return `D${condition.dimension} ${ASAM_DIMENSION_SHORT_NAMES[condition.dimension]} ${comparison}`;
    }
    case 'any-dimension-at-least':
      return `any dimension ≥ ${condition.rating}`;
    case 'otherwise':
      return 'otherwise';
    default:
      return assertNever(condition, 'rule condition');
  }
}

/** The rule table exactly as evaluated, for docs/intake-rules.md (a unit test keeps the two in step). */
export function renderRuleTableMarkdown(): string {
  const rows = LEVEL_OF_CARE_RULES.map(
    (rule) => `| ${rule.id} | ${rule.anyOf.map(conditionText).join(' or ')} | ${LEVEL_OF_CARE_LABELS[rule.level]} | ${rule.rationale} |`,
  );
  return ['| Rule | When (first match wins) | Recommendation | Why |', '|---|---|---|---|', ...rows].join('\n');
}

export function renderWeeklyHoursTableMarkdown(): string {
  const rows = WEEKLY_HOURS_PLANS.map(
    (p) => `| ${LEVEL_OF_CARE_LABELS[p.level]} | ${p.population} | ${hoursRangeLabel(p)} | ${p.standard} h | ${p.intensified} h |`,
  );
  return ['| Level | Population | Allowed weekly hours | Default | Default when 3+ dimensions ≥ 2 or any ≥ 3 |', '|---|---|---|---|---|', ...rows].join('\n');
}

export function renderProgramTypeTableMarkdown(): string {
  const byKind = (kind: 'substance-use' | 'mental-health'): string =>
    (Object.keys(PRESENTING_CONCERNS) as PresentingConcern[]).filter((c) => PRESENTING_CONCERNS[c] === kind).join(', ');
  return [
    '| Presenting concerns include | Program type |',
    '|---|---|',
    `| substance use only (${byKind('substance-use')}) | ${PROGRAM_TYPE_LABELS['substance-use']} |`,
    `| mental health only (${byKind('mental-health')}) | ${PROGRAM_TYPE_LABELS['mental-health']} |`,
    `| both | ${PROGRAM_TYPE_LABELS['co-occurring']} |`,
  ].join('\n');
}
