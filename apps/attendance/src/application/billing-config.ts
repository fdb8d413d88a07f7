import { z } from 'zod';
import { DEFAULT_DISCRETE_CODES, type DiscreteCodeRule, type PayerPerDiemRule } from '../domain/billing';

const Rules = z.array(
  z.object({
    sessionKind: z.enum(['group', 'individual', 'family', 'psychiatric', 'medication', 'case-management']),
    minMinutes: z.number().int().min(1),
    code: z.string().regex(/^[0-9A-Z]{5}$/),
  }),
);

/** The discrete code table: ATTENDANCE_DISCRETE_CODES (JSON) when set, else the default; a broken table stops the service at start. */
export function discreteCodesFromEnv(env: NodeJS.ProcessEnv = process.env): readonly DiscreteCodeRule[] {
  const raw = env['ATTENDANCE_DISCRETE_CODES'];
  if (!raw) return DEFAULT_DISCRETE_CODES;
  return Rules.parse(JSON.parse(raw));
}

const PayerRules = z
  .array(
    z.strictObject({
      payerId: z.string().min(1).max(80),
      minimumMinutes: z.number().int().min(1).max(1440),
      unit: z.enum(['day', 'half-day']),
    }),
  )
  .refine((rules) => new Set(rules.map((r) => r.payerId)).size === rules.length, 'each payer at most once');

/**
 * Per-payer per-diem rules: ATTENDANCE_PAYER_PER_DIEM (JSON array of `{ payerId, minimumMinutes, unit: "day" | "half-day" }`)
 * when set, else none (every payer: the program's minimum, one unit a day). A broken table stops the service at start.
 */
export function payerPerDiemFromEnv(env: NodeJS.ProcessEnv = process.env): ReadonlyMap<string, PayerPerDiemRule> {
  const raw = env['ATTENDANCE_PAYER_PER_DIEM'];
  if (!raw) return new Map();
  return new Map(PayerRules.parse(JSON.parse(raw)).map((r) => [r.payerId, r]));
}
