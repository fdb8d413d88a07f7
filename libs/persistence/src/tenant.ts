import { escapeLiteral } from 'pg';
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

/**
 * Runs `work` in one transaction whose row-level security scope is `scope`. BEGIN and the scope go to Postgres in one
 * round trip (a two-statement simple query; the scope is a quoted literal), which every request and every consumed
 * event would otherwise pay twice for. The rest is TypeORM's own transaction handling: commit, or rollback on error.
 */
export async function inScopedTransaction<T>(dataSource: DataSource, scope: SiteScope, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    // Marked active before the first statement, so that a failure in it (BEGIN succeeded, set_config did not) rolls back.
    Object.assign(runner, { isTransactionActive: true, transactionDepth: 1 });
    try {
      await runner.query(`START TRANSACTION; SELECT set_config('app.site_ids', ${escapeLiteral(scopeSetting(scope))}, true)`);
      const result = await work(runner.manager);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      // As TypeORM's own transaction(): the error that matters is the one thrown, not a failed rollback on a lost connection.
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  } finally {
    await runner.release();
  }
}
