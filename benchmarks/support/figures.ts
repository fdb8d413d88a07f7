import type { CpuUse } from './cpu';
import type { LatencySummary } from './stats';

/** One measured phase, as printed and as written to the JSON file. */
export interface Figure {
  readonly name: string;
  readonly unit: 'tx' | 'msgs' | 'events';
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly latency: LatencySummary;
  /** CPU this process used over the phase, as a share of one core: near 1 means the event loop was the limit. */
  readonly nodeCpu: number;
  /** CPU time (ms) over the phase by whom, where the benchmark measures it. */
  readonly cpu?: CpuUse;
}

/** Measures this process's CPU from now on, as a share of one core over the wall time. */
export function cpuMeter(): () => number {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return () => {
    const used = process.cpuUsage(cpu);
    const wallMs = performance.now() - started;
    return wallMs > 0 ? (used.user + used.system) / 1000 / wallMs : 0;
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
