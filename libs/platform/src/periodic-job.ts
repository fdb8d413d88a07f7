import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * Work a service does on a clock (deadline sweeps, scheduled re-verifications): one pass at a time, never two
 * overlapping; a pass that fails is logged and the next one runs at the next tick; shutdown waits for a pass in
 * progress. Each pass must be safe to repeat and to run on several instances at once.
 */
export abstract class PeriodicJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** True once the application is shutting down: a pass should not start new work. */
  protected stopped = false;

  protected constructor(
    protected readonly log: Logger,
    private readonly jobName: string,
  ) {}

  /** Milliseconds between the end of one pass and the start of the next. */
  protected abstract intervalMs(): number;
  /** One pass. */
  protected abstract tick(): Promise<void>;

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) => this.log.warn({ err: error, job: this.jobName }, `${this.jobName} failed; will try again`))
        .finally(() => this.schedule());
    }, this.intervalMs());
    this.timer.unref();
  }
}
