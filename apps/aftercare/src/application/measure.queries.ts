import { Injectable } from '@nestjs/common';
import { SiteDirectory, UnitOfWork } from '@iop/platform';
import { measuresFor } from './measure-site-months';

/** A site's month of discharges measured: for the site's own staff, unsuppressed (aggregates; no patient is listed). */
@Injectable()
export class MeasureQueries {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sites: SiteDirectory,
  ) {}

  siteMonth(siteId: string, month: string) {
    return this.uow.run(async ({ manager }) => {
      await this.sites.require(manager, siteId, 'aftercare');
      return { siteId, ...(await measuresFor(manager, siteId, month)) };
    });
  }
}
