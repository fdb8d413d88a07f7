import { CircuitBreaker, CircuitOpenError } from './circuit-breaker';

describe('the clearinghouse circuit breaker', () => {
  let now = 0;
  const breaker = (failureThreshold = 2) => new CircuitBreaker({ failureThreshold, openMs: 1000, now: () => now });
  const fail = () => Promise.reject(new Error('payer down'));
  const succeed = () => Promise.resolve('271');

  beforeEach(() => {
    now = 0;
  });

  it('opens after the configured run of consecutive failures and then refuses at once', async () => {
    const b = breaker();
    await expect(b.run(fail)).rejects.toThrow('payer down');
    await expect(b.run(fail)).rejects.toThrow('payer down');
    expect(b.currentState).toBe('open');
    let called = false;
    await expect(b.run(() => ((called = true), succeed()))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
  });

  it('a success in between resets the count', async () => {
    const b = breaker();
    await expect(b.run(fail)).rejects.toThrow();
    await b.run(succeed);
    await expect(b.run(fail)).rejects.toThrow();
    expect(b.currentState).toBe('closed');
  });

  it('failures the caller does not count (a payer answer, not an outage) never open it', async () => {
    const b = breaker(1);
    await expect(b.run(fail, () => false)).rejects.toThrow();
    expect(b.currentState).toBe('closed');
  });

  it('after the open period one trial runs: success closes it, failure reopens it', async () => {
    const b = breaker(1);
    await expect(b.run(fail)).rejects.toThrow();
    now = 1000;
    expect(b.currentState).toBe('half-open');
    await expect(b.run(fail)).rejects.toThrow('payer down');
    expect(b.currentState).toBe('open');
    now = 2000;
    await expect(b.run(succeed)).resolves.toBe('271');
    expect(b.currentState).toBe('closed');
  });

  it('while the trial is running, other calls are refused rather than piling onto a recovering payer', async () => {
    const b = breaker(1);
    await expect(b.run(fail)).rejects.toThrow();
    now = 1000;
    let release: (value: string) => void = () => undefined;
    const trial = b.run(() => new Promise<string>((resolve) => (release = resolve)));
    await expect(b.run(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    release('271');
    await expect(trial).resolves.toBe('271');
  });
});
