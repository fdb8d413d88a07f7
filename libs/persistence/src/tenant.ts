import { createHash } from 'node:crypto';
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
export function inScopedTransaction<T>(dataSource: DataSource, scope: SiteScope, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return inTransactionBegunWith(dataSource, `SELECT set_config('app.site_ids', ${escapeLiteral(scopeSetting(scope))}, true)`, (manager) => work(manager));
}

/**
 * Runs `work` in one transaction whose BEGIN goes to Postgres together with `first`, as one simple query: `first` takes
 * no parameters (quote values with `sqlLiteral`), and must set the row-level security scope if the work reads or
 * writes site rows. `work` gets the rows of `first`'s last statement. Commits, or rolls back on error.
 */
export async function inTransactionBegunWith<T>(
  dataSource: DataSource,
  first: string,
  work: (manager: EntityManager, rows: unknown[]) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    // Marked active before the first statement, so that a failure in it (BEGIN succeeded, the rest did not) rolls back,
    // and TypeORM tells its subscribers of the commit (the relay's wake, for events the work added to the outbox).
    Object.assign(runner, { isTransactionActive: true, transactionDepth: 1 });
    try {
      const client = (await runner.connect()) as { query(text: string): Promise<Array<{ rows: unknown[] }>> };
      const results = await client.query(`START TRANSACTION; ${first}`);
      const result = await work(runner.manager, results[results.length - 1]!.rows);
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

/** A value inlined into a statement (the simple protocol takes no parameters): quoted and escaped by pg. */
export function sqlLiteral(value: string | null | undefined): string {
  return value === null || value === undefined ? 'NULL' : escapeLiteral(value);
}

export type SqlValue = string | number | boolean | null | undefined;

/** A statement for `inScopedStatement`: text with numbered parameters (`$1::uuid`), and their values. */
export interface ScopedStatement {
  readonly text: string;
  readonly values: readonly SqlValue[];
}

/**
 * Collects the values of a `ScopedStatement` while its text is built: `add(value, 'uuid')` answers `$n::uuid`. Every
 * value goes through here, so the text is the same for every request of one shape and is prepared once per connection.
 */
export class SqlParams {
  readonly values: SqlValue[] = [];

  add(value: SqlValue, type: string): string {
    if (!/^[a-z][a-z0-9_]*(\[\])?$/.test(type)) throw new Error(`not a SQL type name: ${type}`);
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/** Statements one connection keeps prepared at most; past it they are all deallocated and prepared again as used. */
const PREPARED_PER_CONNECTION = 100;
const preparedOn = new WeakMap<object, Set<string>>();
const statementNames = new Map<string, string>();

interface PgClient {
  query(text: string): Promise<unknown>;
}

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `iop_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    // Texts come from code (values are parameters), so there are few; the bound is against a caller that breaks that rule.
    if (statementNames.size >= 1000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

/**
 * 26000: the connection has no statement of that name (a `DISCARD ALL`, or a pooler that changed the backend);
 * 0A000 "cached plan must not change result type": a migration changed a table under a prepared `SELECT *`.
 * Either way the statement did nothing (its implicit transaction rolled back): prepare it again and run it once more.
 */
function preparedStatementIsStale(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '26000' || (code === '0A000' && /cached plan must not change result type/.test(message ?? ''));
}

/**
 * One statement scoped like `inScopedTransaction`, in one round trip instead of three (BEGIN with the scope, the
 * statement, COMMIT), with its plan kept. The statement is prepared once per connection (`PREPARE`, a round trip the
 * first time only) and then run as `SELECT set_config(...); EXECUTE name(values)`: one simple query, which Postgres
 * runs as a single implicit transaction, so the scope holds for the statement and ends with it, a statement that also
 * writes (an audit row beside a read) commits with it or not at all, and a failure leaves the connection clean. Postgres
 * plans a prepared statement once it has seen it a few times (a generic plan), which for a read of a few rows costs far
 * more CPU than running it. Row-level security is applied by that plan as by any other (the policies read the scope
 * when the statement runs). Values go as literals quoted by pg (`sqlLiteral`), typed by the `$n::type` of the text.
 * Returns the statement's rows.
 */
export async function inScopedStatement<T>(dataSource: DataSource, scope: SiteScope, statement: ScopedStatement): Promise<T[]> {
  const name = statementName(statement.text);
  const args = statement.values.map((value) => sqlLiteral(value === null || value === undefined ? null : String(value)));
  const run = `SELECT set_config('app.site_ids', ${escapeLiteral(scopeSetting(scope))}, true); EXECUTE ${name}${args.length > 0 ? `(${args.join(', ')})` : ''}`;
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as PgClient;
    let prepared = preparedOn.get(client);
    if (!prepared) preparedOn.set(client, (prepared = new Set()));
    for (let attempt = 1; ; attempt++) {
      if (!prepared.has(name)) {
        if (prepared.size >= PREPARED_PER_CONNECTION) {
          await client.query('DEALLOCATE ALL');
          prepared.clear();
        }
        await client.query(`PREPARE ${name} AS ${statement.text}`);
        prepared.add(name);
      }
      try {
        const results = (await client.query(run)) as Array<{ rows: T[] }>;
        return results[results.length - 1]!.rows;
      } catch (error) {
        if (attempt > 1 || !preparedStatementIsStale(error)) throw error;
        prepared.delete(name);
        await client.query(`DEALLOCATE ${name}`).catch(() => undefined);
      }
    }
  } finally {
    await runner.release();
  }
}
