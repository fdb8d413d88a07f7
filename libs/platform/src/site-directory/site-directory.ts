import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SiteRegistered, SiteUpdated, type PayloadOf } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';
import { DomainError } from '../errors';
import { SiteDirectoryEntry } from './site-directory.entity';

type SiteEvent = PayloadOf<typeof SiteRegistered>;

/** Keeps the newest revision of each site; an older or repeated event changes nothing. */
async function upsertSite(manager: EntityManager, site: SiteEvent): Promise<void> {
  await manager.query(
    `INSERT INTO site_directory (site_id, name, time_zone, capacity, revision, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (site_id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone,
       capacity = EXCLUDED.capacity, revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at
     WHERE site_directory.revision < EXCLUDED.revision`,
    [site.siteId, site.name, site.timeZone, site.capacity, site.revision, site.occurredAt],
  );
}

export const siteDirectoryHandlers: readonly EventHandler[] = [
  onEvent(SiteRegistered, (payload, _meta, manager) => upsertSite(manager, payload)),
  onEvent(SiteUpdated, (payload, _meta, manager) => upsertSite(manager, payload)),
];

@Injectable()
export class SiteDirectory {
  /** The site, if this service knows it and the caller's scope includes it. */
  async find(manager: EntityManager, siteId: string): Promise<SiteDirectoryEntry | null> {
    return manager.findOneBy(SiteDirectoryEntry, { siteId });
  }

  /** The site a request names, or a clear refusal: requests naming an unknown site change nothing. */
  async require(manager: EntityManager, siteId: string, service: string): Promise<SiteDirectoryEntry> {
    const site = await this.find(manager, siteId);
    if (!site) {
      throw new DomainError('site.unknown', `site ${siteId} is not known to ${service}: check the site id, or register the site in scheduling first`, 404);
    }
    return site;
  }

  list(manager: EntityManager): Promise<SiteDirectoryEntry[]> {
    return manager.find(SiteDirectoryEntry, { order: { name: 'ASC' } });
  }
}
