import type { EntityManager } from 'typeorm';
import { conflict, notFound } from '@iop/platform';
import type { Site } from '../domain/site';
import { siteRepository } from './site-repository';

/** The site a request names, or 404 (row-level security hides other sites' rows as if they did not exist). */
export async function siteOrNotFound(manager: EntityManager, siteId: string): Promise<Site> {
  const site = await siteRepository.find(manager, siteId);
  if (!site) throw notFound('site.unknown', `there is no site ${siteId}`);
  return site;
}

/** Runs an insert or update and turns a unique violation into a 409 with the caller's message. */
export async function uniquely<T>(write: () => Promise<T>, code: string, message: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw conflict(code, message);
    }
    throw error;
  }
}
