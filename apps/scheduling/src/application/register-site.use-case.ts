import { Injectable } from '@nestjs/common';
import { SiteRegistered } from '@iop/contracts';
import { Outbox } from '@iop/messaging';
import { UnitOfWork, conflict } from '@iop/platform';
import { newSite, type Site } from '../domain/site';
import type { RegisterSiteBody } from '../api/site.schemas';
import { siteRepository } from './site-repository';

/** A network admin registers a clinic; every other service learns of it from `scheduling.site-registered`. */
@Injectable()
export class RegisterSite {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
  ) {}

  execute(body: RegisterSiteBody): Promise<Site> {
    return this.uow.run(async ({ manager, requestId }) => {
      const site = newSite(crypto.randomUUID(), body);
      try {
        await siteRepository.save(manager, site);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw conflict('site.name-taken', `a site named "${body.name}" already exists`);
        throw error;
      }
      await this.outbox.add(manager, SiteRegistered, { ...site, occurredAt: new Date().toISOString() }, { correlationId: requestId });
      return site;
    });
  }
}
