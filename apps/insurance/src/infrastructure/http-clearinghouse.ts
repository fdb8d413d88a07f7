import type { Logger } from 'pino';
import { ClearinghouseError, type Clearinghouse } from '../application/clearinghouse.port';
import { CircuitBreaker, CircuitOpenError } from './circuit-breaker';

export interface HttpClearinghouseOptions {
  readonly url: string;
  readonly timeoutMs: number;
  /** Further attempts after the first, for failures that may pass (timeouts, 5xx, refused connections). */
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly breaker: CircuitBreaker;
  readonly log: Logger;
}

export function clearinghouseOptionsFromEnv(log: Logger): HttpClearinghouseOptions {
  const num = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    url: process.env['CLEARINGHOUSE_URL'] ?? 'http://127.0.0.1:3099',
    timeoutMs: num('CLEARINGHOUSE_TIMEOUT_MS', 8000),
    retries: num('CLEARINGHOUSE_RETRIES', 2),
    retryBackoffMs: num('CLEARINGHOUSE_RETRY_BACKOFF_MS', 250),
    breaker: new CircuitBreaker({ failureThreshold: num('CLEARINGHOUSE_BREAKER_FAILURES', 5), openMs: num('CLEARINGHOUSE_BREAKER_OPEN_MS', 30_000) }),
    log,
  };
}

/**
 * Real-time eligibility over HTTP (the CAQH CORE style: one 270 in the request, its 271 in the response).
 * Each attempt has its own timeout; retries back off; the breaker sits outside the retries, so one exchange
 * that exhausts them counts as one failure.
 */
export class HttpClearinghouse implements Clearinghouse {
  constructor(private readonly options: HttpClearinghouseOptions) {}

  get breakerState() {
    return this.options.breaker.currentState;
  }

  async exchange(inquiry270: string, electronicPayerId: string): Promise<string> {
    try {
      return await this.options.breaker.run(
        () => this.withRetries(inquiry270, electronicPayerId),
        (e) => e instanceof ClearinghouseError && e.retriable,
      );
    } catch (error) {
      if (error instanceof CircuitOpenError) throw new ClearinghouseError('circuit-open', error.message, true);
      throw error;
    }
  }

  private async withRetries(body: string, payerId: string): Promise<string> {
    let backoff = this.options.retryBackoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(body, payerId);
      } catch (error) {
        if (!(error instanceof ClearinghouseError) || !error.retriable || attempt > this.options.retries) throw error;
        this.options.log.warn({ attempt, failure: error.failure, payerId }, 'clearinghouse exchange failed; retrying');
        await new Promise((r) => setTimeout(r, backoff));
        backoff *= 2;
      }
    }
  }

  private async once(body: string, payerId: string): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${this.options.url}/eligibility`, {
        method: 'POST',
        headers: { 'content-type': 'application/edi-x12', 'x-payer-id': payerId },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new ClearinghouseError('timeout', `the clearinghouse did not answer within ${this.options.timeoutMs} ms`, true);
      }
      throw new ClearinghouseError('unreachable', `the clearinghouse could not be reached (${(error as Error).message})`, true);
    }
    const text = await response.text();
    if (response.status >= 500) throw new ClearinghouseError('server-error', `the clearinghouse answered ${response.status}`, true);
    if (!response.ok) throw new ClearinghouseError('refused', `the clearinghouse refused the inquiry (${response.status}): ${text.slice(0, 200)}`, false);
    return text;
  }
}
