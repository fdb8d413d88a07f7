export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  readonly openMs: number;
  readonly now?: () => number;
}

export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor(readonly retryAfterMs: number) {
    super(`circuit open: the clearinghouse failed repeatedly; next trial in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

/**
 * Consecutive-failure breaker. While open, calls fail at once instead of each waiting out a timeout against a
 * payer that is down; after `openMs` one trial call runs (half-open) and its outcome closes or reopens it.
 * Only failures the caller counts (`isFailure`) trip it: a payer's "no such member" is an answer, not an outage.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialRunning = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get currentState(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.options.openMs) return 'half-open';
    return this.state;
  }

  async run<T>(call: () => Promise<T>, isFailure: (error: unknown) => boolean = () => true): Promise<T> {
    const state = this.currentState;
    if (state === 'open') throw new CircuitOpenError(this.options.openMs - (this.now() - this.openedAt));
    if (state === 'half-open') {
      if (this.trialRunning) throw new CircuitOpenError(0);
      this.trialRunning = true;
    }
    try {
      const result = await call();
      this.state = 'closed';
      this.failures = 0;
      return result;
    } catch (error) {
      if (isFailure(error)) this.recordFailure(state);
      throw error;
    } finally {
      if (state === 'half-open') this.trialRunning = false;
    }
  }

  private recordFailure(state: BreakerState): void {
    this.failures += 1;
    if (state === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.state = 'open';
      this.openedAt = this.now();
    }
  }
}
