import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SiteUpdated, type PayloadOf } from '@iop/contracts';
import type { EventHandler } from '@iop/messaging';
import { SiteDirectory, siteDirectoryHandlers } from '@iop/platform';
import { Clock } from '../application/clock';
import { lockSite, offerNewRoom } from '../application/waitlist-offers';

const keepDirectory = siteDirectoryHandlers.find((h) => h.definition.type === SiteUpdated.type)!;
type EventMeta = Parameters<EventHandler['handle']>[1];

/**
 * Scheduling's site update, in intake: the platform's directory upsert, then, when the site's capacity went up,
 * the new places are offered to the head of its waitlist (room that appeared without an offer would otherwise go
 * to whoever asks next, ahead of the list). Registered as a handler provider, it runs before the platform's own
 * SiteUpdated handler (providers run first): it does the directory's upsert itself to see the capacity before and
 * after, and the platform's upsert that follows finds the same revision and changes nothing.
 */
@Injectable()
export class SiteUpdatedHandler implements EventHandler<typeof SiteUpdated> {
  readonly definition = SiteUpdated;

  constructor(
    private readonly sites: SiteDirectory,
    private readonly clock: Clock,
  ) {}

  async handle(payload: PayloadOf<typeof SiteUpdated>, meta: EventMeta, manager: EntityManager): Promise<void> {
    await lockSite(manager, payload.siteId);
    const before = await this.sites.find(manager, payload.siteId);
    await keepDirectory.handle(payload, meta, manager);
    const after = await this.sites.find(manager, payload.siteId);
    const added = (after?.capacity ?? 0) - (before?.capacity ?? 0);
    if (before && after && after.revision > before.revision && added > 0) await offerNewRoom(manager, this.sites, payload.siteId, added, this.clock.now());
  }
}
