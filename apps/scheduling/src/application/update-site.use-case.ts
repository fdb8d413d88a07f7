import { Injectable } from '@nestjs/common';
import { SiteUpdated } from '@iop/contracts';
import { Outbox } from '@iop/messaging';
import { UnitOfWork, conflict, notFound } from '@iop/platform';
import { changeSite, type Site } from '../domain/site';
import type { UpdateSiteBody } from '../api/site.schemas';
import { siteRepository } from './site-repository';

@Injectable()
export class UpdateSite {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
  ) {}

  execute(siteId: string, changes: UpdateSiteBody): Promise<Site> {
    return this.uow.run(async ({ manager, requestId }) => {
      // The row lock orders concurrent updates, so revisions and their events follow one another.
      const current = await siteRepository.find(manager, siteId, true);
      if (!current) throw notFound('site.unknown', `there is no site ${siteId}`);
      const { site, changed } = changeSite(current, changes);
      if (!changed) return current;
      try {
        await siteRepository.save(manager, site);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw conflict('site.name-taken', `a site named "${changes.name ?? ''}" already exists`);
        throw error;
      }
      await this.outbox.add(manager, SiteUpdated, { ...site, occurredAt: new Date().toISOString() }, { correlationId: requestId });
      return site;
    });
  }
}
