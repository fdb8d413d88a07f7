import { ForbiddenException, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '@iop/auth';
import { ALL_SITES, inScopedTransaction, sitesScope, type SiteScope } from '@iop/persistence';
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
    const context = currentRequest();
    const principal = context?.request.principal;
    if (!context || !principal) throw new ForbiddenException('no authenticated caller for this unit of work');
    const scope = principal.allSites ? ALL_SITES : sitesScope(principal.siteIds);
    return inScopedTransaction(this.dataSource, scope, (manager) => work({ manager, principal, requestId: context.requestId, scope }));
  }
}
