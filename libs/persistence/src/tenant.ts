import type { DataSource, EntityManager } from 'typeorm';

/**
 * Which sites a unit of work may see. Row-level security reads it from the transaction-local
 * setting `app.site_ids`; a transaction that never sets it sees no site rows at all.
 */
export type SiteScope = { readonly kind: 'all' } | { readonly kind: 'sites'; readonly siteIds: readonly string[] };

export const ALL_SITES: SiteScope = Object.freeze({ kind: 'all' });
export const sitesScope = (siteIds: readonly string[]): SiteScope => ({ kind: 'sites', siteIds: [...siteIds] });

export function scopeSetting(scope: SiteScope): string {
  return scope.kind === 'all' ? '*' : scope.siteIds.join(',');
}

export function scopeIncludes(scope: SiteScope, siteId: string): boolean {
  return scope.kind === 'all' || scope.siteIds.includes(siteId);
}

/** Runs `work` in one transaction whose row-level security scope is `scope`. */
export async function inScopedTransaction<T>(dataSource: DataSource, scope: SiteScope, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('app.site_ids', $1, true)`, [scopeSetting(scope)]);
    return work(manager);
  });
}
