import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER, PeriodicJob } from '@iop/platform';
import { intakeConfig } from '../application/intake-config';
import { admissionRequestRepository, followUpTaskRepository } from './admission.repository';

/**
 * Turns coverage requests insurance has not answered by their deadline into a follow-up task for the site's
 * coordinators, so no patient waits on a silent saga. Safe to run on several instances at once (SKIP LOCKED).
 */
@Injectable()
export class CoverageTimeoutSweep extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(LOGGER) log: Logger,
  ) {
    super(log, 'coverage timeout sweep');
  }

  protected intervalMs(): number {
    return intakeConfig.coverageSweepIntervalMs();
  }

  protected async tick(): Promise<void> {
    const count = await this.sweep();
    if (count > 0) this.log.info({ count }, 'coverage requests past their deadline turned into follow-up tasks');
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
