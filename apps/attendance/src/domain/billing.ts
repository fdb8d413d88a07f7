import type { ProgramKind, SessionKind } from './attendance-record';

export const DEFAULT_PER_DIEM_MINIMUM_MINUTES = 180;

export type PerDiemCode = 'H0015' | 'S9480';
export type RevenueCode = '0906' | '0905';

/** The per-diem code and UB-04 revenue code a program's days are billed under. Co-occurring programs bill as substance use. */
export const PER_DIEM_BY_PROGRAM: Record<ProgramKind, { code: PerDiemCode; revenueCode: RevenueCode }> = {
  'substance-use': { code: 'H0015', revenueCode: '0906' },
  'co-occurring': { code: 'H0015', revenueCode: '0906' },
  'mental-health': { code: 'S9480', revenueCode: '0905' },
};

/** One row of the discrete code table: a session of this kind with at least `minMinutes` attended is billed under `code`. */
export interface DiscreteCodeRule {
  readonly sessionKind: SessionKind;
  readonly minMinutes: number;
  readonly code: string;
}

/**
 * The default code table for days under the per-diem minimum (CPT time rules: a psychotherapy code needs more than
 * half its time). For a kind, the rule with the highest `minMinutes` reached applies. Overridable per deployment
 * with ATTENDANCE_DISCRETE_CODES (JSON array of rules).
 */
export const DEFAULT_DISCRETE_CODES: readonly DiscreteCodeRule[] = [
  { sessionKind: 'group', minMinutes: 1, code: '90853' },
  { sessionKind: 'individual', minMinutes: 16, code: '90832' },
  { sessionKind: 'individual', minMinutes: 38, code: '90834' },
  { sessionKind: 'individual', minMinutes: 53, code: '90837' },
  { sessionKind: 'family', minMinutes: 26, code: '90847' },
];

export interface AttendedSession {
  readonly sessionId: string;
  readonly sessionKind: SessionKind;
  readonly attendedMinutes: number;
}

export interface DiscreteLine {
  readonly sessionId: string;
  readonly code: string;
  readonly units: 1;
  readonly minutes: number;
}

export type DayBilling =
  | { readonly kind: 'per-diem'; readonly code: PerDiemCode; readonly revenueCode: RevenueCode; readonly attendedMinutes: number }
  | { readonly kind: 'discrete'; readonly lines: readonly DiscreteLine[]; readonly attendedMinutes: number };

/**
 * How a patient's day is billed: at or above the program's per-diem minimum, one per-diem day under the program's
 * code; under it, one discrete line per attended session the code table has a code for.
 */
export function billDay(
  sessions: readonly AttendedSession[],
  program: { kind: ProgramKind; perDiemMinimumMinutes?: number | null },
  codes: readonly DiscreteCodeRule[] = DEFAULT_DISCRETE_CODES,
): DayBilling {
  const attendedMinutes = sessions.reduce((sum, s) => sum + s.attendedMinutes, 0);
  const minimum = program.perDiemMinimumMinutes || DEFAULT_PER_DIEM_MINIMUM_MINUTES;
  if (attendedMinutes >= minimum) return { kind: 'per-diem', ...PER_DIEM_BY_PROGRAM[program.kind], attendedMinutes };
  return { kind: 'discrete', lines: discreteLines(sessions, codes), attendedMinutes };
}

/** One line per attended session the code table has a code for (the rule with the highest minimum reached). */
export function discreteLines(sessions: readonly AttendedSession[], codes: readonly DiscreteCodeRule[] = DEFAULT_DISCRETE_CODES): DiscreteLine[] {
  const lines: DiscreteLine[] = [];
  for (const s of sessions) {
    if (s.attendedMinutes <= 0) continue;
    const rule = codes.filter((r) => r.sessionKind === s.sessionKind && s.attendedMinutes >= r.minMinutes).sort((a, b) => b.minMinutes - a.minMinutes)[0];
    if (rule) lines.push({ sessionId: s.sessionId, code: rule.code, units: 1, minutes: s.attendedMinutes });
  }
  return lines;
}
