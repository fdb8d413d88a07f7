export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/**
 * Latencies of one measured phase, and when it ended. `done` resolves once `expected` samples are in;
 * it rejects when nothing arrives for `stallMs`, so a lost event fails the run instead of hanging it.
 */
export class Phase {
  private readonly latencies: Float64Array;
  private count = 0;
  private lastProgressAt = Date.now();
  /** Wall-clock ms of the last sample: the end of the phase. */
  lastAt = 0;
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (error: Error) => void;
  private readonly watchdog: NodeJS.Timeout;

  constructor(
    readonly label: string,
    readonly expected: number,
    stallMs: number,
    describeProgress: () => Promise<string> = async () => '',
  ) {
    this.latencies = new Float64Array(expected);
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // Waiting callers may not attach before a rejection; this keeps it from counting as unhandled.
    this.done.catch(() => undefined);
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastProgressAt < stallMs) return;
      clearInterval(this.watchdog);
      void describeProgress()
        .catch((error: unknown) => `(could not look further: ${String(error)})`)
        .then((detail) =>
          this.rejectDone(
            new Error(`${label}: stalled at ${this.count} of ${expected} after ${stallMs / 1000} s without progress${detail ? `; ${detail}` : ''}`),
          ),
        );
    }, 500);
  }

  get received(): number {
    return this.count;
  }

  record(latencyMs: number, at = Date.now()): void {
    if (this.count >= this.expected) return;
    this.latencies[this.count++] = latencyMs;
    this.lastAt = at;
    this.lastProgressAt = at;
    if (this.count === this.expected) {
      clearInterval(this.watchdog);
      this.resolveDone();
    }
  }

  /** Writers count as progress too: a long write phase before the first delivery is not a stall. */
  touch(): void {
    this.lastProgressAt = Date.now();
  }

  abandon(): void {
    clearInterval(this.watchdog);
  }

  summary(): LatencySummary {
    return summarise(this.latencies.subarray(0, this.count));
  }
}

export function summarise(values: Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { samples: 0, p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN, meanMs: NaN };
  // Nearest rank: the reported p99 is a latency some event really had.
  const rank = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { samples: n, p50Ms: rank(50), p95Ms: rank(95), p99Ms: rank(99), maxMs: sorted[n - 1]!, meanMs: sum / n };
}

export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count / ms) * 1000 : NaN;
}
