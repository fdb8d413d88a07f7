import type { Address } from '@iop/contracts';

/** A clinic in the network. Pure: no framework, no storage. */
export interface Site {
  readonly siteId: string;
  readonly name: string;
  readonly address: Address;
  readonly timeZone: string;
  readonly capacity: number;
  readonly revision: number;
}

export type SiteChanges = Partial<Pick<Site, 'name' | 'address' | 'timeZone' | 'capacity'>>;

export function newSite(siteId: string, details: Omit<Site, 'siteId' | 'revision'>): Site {
  return { siteId, ...details, revision: 1 };
}

/** Applies changes; an update that changes nothing keeps the revision, so no event is raised for it. */
export function changeSite(site: Site, changes: SiteChanges): { site: Site; changed: boolean } {
  const next: Site = { ...site, ...changes };
  const changed = (Object.keys(changes) as Array<keyof SiteChanges>).some((k) => JSON.stringify(site[k]) !== JSON.stringify(next[k]));
  return changed ? { site: { ...next, revision: site.revision + 1 }, changed } : { site, changed };
}
