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

/**
 * How a payer counts per-diem days (DOMAIN.md: payers differ on units, some count half days). `day`: one unit at the
 * minimum. `half-day`: the payer's unit is half a day, so half the minimum earns one unit and the minimum two (a payer
 * that authorises 40 half-day units authorises 20 full days); under half the minimum, no per-diem at all.
 */
export type PerDiemUnit = 'day' | 'half-day';

export interface PayerPerDiemRule {
  readonly payerId: string;
  /** Minutes attended in a day for a full per-diem day with this payer. */
  readonly minimumMinutes: number;
  readonly unit: PerDiemUnit;
}

/** Per-diem units a day's attended minutes earn under a rule: 0 when the day is under it (bill discrete lines instead). */
export function perDiemUnits(attendedMinutes: number, rule: { readonly minimumMinutes: number; readonly unit: PerDiemUnit }): number {
  if (attendedMinutes <= 0) return 0;
  if (attendedMinutes >= rule.minimumMinutes) return rule.unit === 'half-day' ? 2 : 1;
  if (rule.unit === 'half-day' && attendedMinutes >= Math.ceil(rule.minimumMinutes / 2)) return 1;
  return 0;
}

export type DayBilling =
  | {
      readonly kind: 'per-diem';
      readonly code: PerDiemCode;
      readonly revenueCode: RevenueCode;
      readonly attendedMinutes: number;
      /** In the payer's unit (half days for a half-day payer); 1 without a payer rule. */
      readonly units: number;
    }
  | { readonly kind: 'discrete'; readonly lines: readonly DiscreteLine[]; readonly attendedMinutes: number };

/**
 * How a patient's day is billed: at or above the per-diem minimum (the patient's payer's when it has a rule, else the
 * program's), a per-diem day under the program's code, in the payer's units; a half-day payer's day from half its
 * minimum. Under it, one discrete line per attended session the code table has a code for.
 */
export function billDay(
  sessions: readonly AttendedSession[],
  program: { kind: ProgramKind; perDiemMinimumMinutes?: number | null },
  codes: readonly DiscreteCodeRule[] = DEFAULT_DISCRETE_CODES,
  payer?: PayerPerDiemRule | null,
): DayBilling {
  const attendedMinutes = sessions.reduce((sum, s) => sum + s.attendedMinutes, 0);
  const rule = payer ?? { minimumMinutes: program.perDiemMinimumMinutes || DEFAULT_PER_DIEM_MINIMUM_MINUTES, unit: 'day' as const };
  const units = perDiemUnits(attendedMinutes, rule);
  if (units > 0) return { kind: 'per-diem', ...PER_DIEM_BY_PROGRAM[program.kind], attendedMinutes, units };
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
