import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER } from '@iop/platform';
import { intakeConfig } from '../application/intake-config';
import { admissionRequestRepository, followUpTaskRepository } from './admission.repository';

/**
 * Turns coverage requests insurance has not answered by their deadline into a follow-up task for the site's
 * coordinators, so no patient waits on a silent saga. Safe to run on several instances at once (SKIP LOCKED).
 */
@Injectable()
export class CoverageTimeoutSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(private readonly dataSource: DataSource, @Inject(LOGGER) private readonly log: Logger) {}

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
      this.running = this.sweep()
        .then((count) => {
          if (count > 0) this.log.info({ count }, 'coverage requests past their deadline turned into follow-up tasks');
        })
        .catch((error: unknown) => this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'coverage timeout sweep failed; will retry'))
        .finally(() => this.schedule());
    }, intakeConfig.coverageSweepIntervalMs());
    this.timer.unref();
  }

  /** One pass; returns how many requests timed out. */
  async sweep(): Promise<number> {
    if (this.stopped || !this.dataSource.isInitialized) return 0;
    return inScopedTransaction(this.dataSource, ALL_SITES, async (manager) => {
      const overdue = await admissionRequestRepository.claimOverdue(manager, 100);
      for (const request of overdue) {
        await followUpTaskRepository.add(manager, {
          siteId: request.siteId,
          referralId: request.referralId,
          patientId: request.patientId,
          kind: 'coverage-timeout',
          detail: `Insurance has not answered the coverage request for payer ${request.payerId ?? 'unknown'} (due ${request.answerBy?.toISOString() ?? 'earlier'}). Call the payer or insurance, or offer self-pay; a late answer will still be applied.`,
        });
      }
      return overdue.length;
    });
  }
}
