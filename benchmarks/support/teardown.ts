import { describeError } from './figures';

/** Everything a benchmark set up is removed in reverse order, once, whether the run succeeds, fails or is interrupted. */
export class Teardown {
  private readonly steps: Array<{ name: string; run: () => Promise<unknown> }> = [];
  private running: Promise<boolean> | undefined;

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  /** Resolves to whether every step succeeded; a failed step does not stop the ones after it. */
  run(): Promise<boolean> {
    this.running ??= (async () => {
      let clean = true;
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
        } catch (error) {
          clean = false;
          process.stderr.write(`[bench] could not stop ${step.name}: ${describeError(error)}\n`);
        }
      }
      return clean;
    })();
    return this.running;
  }
}
