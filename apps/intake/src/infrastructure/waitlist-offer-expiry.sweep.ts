import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER, PeriodicJob, SiteDirectory } from '@iop/platform';
import { Clock } from '../application/clock';
import { intakeConfig, systemPrincipal } from '../application/intake-config';
import { lockSite, passPlaceOn } from '../application/waitlist-offers';
import { followUpTaskRepository, waitlistRepository } from './admission.repository';

const SWEEP = systemPrincipal('waitlist-offer-expiry');

/**
 * A place held for someone who does not take it up in time (INTAKE_WAITLIST_OFFER_TTL_MS, default 48 h) passes
 * to the next person on the list; the person whose offer lapsed keeps their spot and is offered the next place
 * freed after it. Time is the injected Clock's. One transaction per site, under the site's lock, so an expiry
 * never crosses an admission, a decline or a discharge; safe on several instances at once.
 */
@Injectable()
export class WaitlistOfferExpiry extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sites: SiteDirectory,
    private readonly clock: Clock,
    @Inject(LOGGER) log: Logger,
  ) {
    super(log, 'waitlist offer expiry');
  }

  protected intervalMs(): number {
    return intakeConfig.waitlistOfferSweepIntervalMs();
  }

  protected async tick(): Promise<void> {
    const count = await this.sweep();
    if (count > 0) this.log.info({ count }, 'waitlist offers lapsed and passed on');
  }

  /** One pass; returns how many offers lapsed. */
  async sweep(): Promise<number> {
    if (this.stopped || !this.dataSource.isInitialized) return 0;
    const now = this.clock.now();
    const siteIds = await inScopedTransaction(this.dataSource, ALL_SITES, (manager) => waitlistRepository.sitesWithLapsedOffers(manager, now));
    let lapsed = 0;
    for (const siteId of siteIds) {
      lapsed += await inScopedTransaction(this.dataSource, ALL_SITES, async (manager) => {
        await lockSite(manager, siteId);
        // Read again under the lock: the person may have been admitted, declined or closed meanwhile.
        const due = await waitlistRepository.lapsedOffers(manager, siteId, now);
        for (const entry of due) {
          if (entry.offer?.status !== 'pending') continue;
          await waitlistRepository.expire(manager, entry.entryId, now);
          await followUpTaskRepository.completeOpen(manager, entry.referralId, 'offer-place', SWEEP.subject);
          await passPlaceOn(manager, this.sites, siteId, entry.offer.placeFreedAt, now);
        }
        return due.length;
      });
    }
    return lapsed;
  }
}
