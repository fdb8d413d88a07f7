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

/** A value inlined into a statement for `inScopedStatement` (which takes no parameters): quoted and escaped by pg. */
export function sqlLiteral(value: string | null | undefined): string {
  return value === null || value === undefined ? 'NULL' : escapeLiteral(value);
}

/**
 * One statement scoped like `inScopedTransaction`, in one round trip instead of three (BEGIN with the scope, the
 * statement, COMMIT). The scope and the statement go as one two-statement simple query, which Postgres runs as a
 * single implicit transaction: a statement that writes (an audit row beside a read) commits with it or not at all,
 * the scope ends with it, and a failure leaves the connection clean. The simple protocol takes no parameters: every
 * value in `statement` must be a literal made with `sqlLiteral`. Returns the statement's rows.
 */
export async function inScopedStatement<T>(dataSource: DataSource, scope: SiteScope, statement: string): Promise<T[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as { query(text: string): Promise<Array<{ rows: T[] }>> };
    const results = await client.query(`SELECT set_config('app.site_ids', ${escapeLiteral(scopeSetting(scope))}, true); ${statement}`);
    return results[results.length - 1]!.rows;
  } finally {
    await runner.release();
  }
}
