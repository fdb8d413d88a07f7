import { z } from 'zod';
import { DEFAULT_INTERVENTIONS } from '../domain/group-documentation';

const Codes = z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'intervention codes are lower-case words joined by hyphens')).min(1);

/**
 * The interventions a group note may name: ATTENDANCE_GROUP_INTERVENTIONS (comma-separated codes, e.g.
 * `cbt,dbt-skills,act`) when set, else the default list; a broken list stops the service at start.
 */
export function interventionsFromEnv(env: NodeJS.ProcessEnv = process.env): readonly [string, ...string[]] {
  const raw = env['ATTENDANCE_GROUP_INTERVENTIONS'];
  if (!raw) return DEFAULT_INTERVENTIONS;
  const codes = Codes.parse([
    ...new Set(
      raw
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c.length > 0),
    ),
  ]);
  return codes as [string, ...string[]];
}

/** How far back the sweep looks for sessions that were never documented (sessions older than this are not raised). */
export const undocumentedLookbackDays = (env: NodeJS.ProcessEnv = process.env) => Number(env['ATTENDANCE_UNDOCUMENTED_LOOKBACK_DAYS'] ?? 30);
export const undocumentedSweepIntervalMs = (env: NodeJS.ProcessEnv = process.env) => Number(env['ATTENDANCE_UNDOCUMENTED_SWEEP_INTERVAL_MS'] ?? 15 * 60 * 1000);
