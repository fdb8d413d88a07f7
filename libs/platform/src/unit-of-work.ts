import { ForbiddenException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '@iop/auth';
import { ALL_SITES, SqlParams, inScopedStatement, inScopedTransaction, sitesScope, type SiteScope } from '@iop/persistence';
import { currentRequest } from './request-context';

export interface Work {
  readonly manager: EntityManager;
  readonly principal: Principal;
  readonly requestId: string;
  readonly scope: SiteScope;
}

/**
 * One transaction per command, scoped to the caller's sites: row-level security sees only what the
 * token allows, whatever the queries inside forget to filter. State, outbox rows and audit rows
 * written through `manager` commit together or not at all.
 */
@Injectable()
export class UnitOfWork {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (w: Work) => Promise<T>): Promise<T> {
    const caller = this.caller();
    return inScopedTransaction(this.dataSource, caller.scope, (manager) => work({ manager, ...caller }));
  }

  /**
   * One statement as its own unit of work, in one round trip and prepared once per connection (`inScopedStatement`):
   * for the hottest reads, whose audit row is written by the same statement. `statement` builds its text from the
   * caller, with every value as a parameter (`params.add(value, 'uuid')`), so that the text does not vary with them.
   */
  async statement<T>(statement: (caller: Omit<Work, 'manager'>, params: SqlParams) => string): Promise<{ rows: T[]; caller: Omit<Work, 'manager'> }> {
    const caller = this.caller();
    const params = new SqlParams();
    const text = statement(caller, params);
    return { rows: await inScopedStatement<T>(this.dataSource, caller.scope, { text, values: params.values }), caller };
  }

  private caller(): Omit<Work, 'manager'> {
    const context = currentRequest();
    const principal = context?.request.principal;
    if (!context || !principal) throw new ForbiddenException('no authenticated caller for this unit of work');
    return { principal, requestId: context.requestId, scope: principal.allSites ? ALL_SITES : sitesScope(principal.siteIds) };
  }
}
