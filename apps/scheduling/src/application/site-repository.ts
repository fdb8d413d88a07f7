import type { EntityManager } from 'typeorm';
import type { Site } from '../domain/site';
import { SiteEntity } from '../infrastructure/site.entity';

/** Sites as the caller's transaction sees them (row-level security applies). */
export const siteRepository = {
  async find(manager: EntityManager, siteId: string, lock = false): Promise<Site | null> {
    const row = await manager.findOne(SiteEntity, { where: { siteId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return row && toSite(row);
  },
  async list(manager: EntityManager): Promise<Site[]> {
    return (await manager.find(SiteEntity, { order: { name: 'ASC' } })).map(toSite);
  },
  async save(manager: EntityManager, site: Site): Promise<void> {
    await manager.save(SiteEntity, { ...site });
  },
};

function toSite(row: SiteEntity): Site {
  return { siteId: row.siteId, name: row.name, address: row.address, timeZone: row.timeZone, capacity: row.capacity, revision: row.revision };
}
