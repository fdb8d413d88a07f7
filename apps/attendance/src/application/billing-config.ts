import { z } from 'zod';
import { DEFAULT_DISCRETE_CODES, type DiscreteCodeRule } from '../domain/billing';

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
