import type { EntityManager } from 'typeorm';
import { DomainError, type SiteDirectory } from '@iop/platform';
import { nextWaitlistOffer } from '../domain';
import { followUpTaskRepository, waitlistRepository, type StoredWaitlistEntry } from '../infrastructure/admission.repository';
import { intakeConfig } from './intake-config';

export interface PlaceOffered {
  readonly entryId: string;
  readonly referralId: string;
  readonly patientId: string;
}

/** Lock order as admissions: the site's capacity row first, so an offer and an admission never cross. */
export async function lockSite(manager: EntityManager, siteId: string): Promise<void> {
  await manager.query(`INSERT INTO site_capacity (site_id) VALUES ($1) ON CONFLICT DO NOTHING`, [siteId]);
  await manager.query(`SELECT site_id FROM site_capacity WHERE site_id = $1 FOR UPDATE`, [siteId]);
}

/**
 * Places at the site nobody has and nobody is holding: capacity less active episodes and pending offers.
 * Call with the site's lock held. Negative when the site is over capacity (its capacity was lowered).
 */
export async function unheldPlaces(manager: EntityManager, sites: SiteDirectory, siteId: string): Promise<number> {
  const site = await sites.find(manager, siteId);
  if (!site) throw new DomainError('site.unknown', `site ${siteId} is not in intake's site directory`, 404);
  const [{ taken }] = (await manager.query(
    `SELECT (SELECT count(*) FROM episodes WHERE site_id = $1 AND status = 'active')
          + (SELECT count(*) FROM waitlist_entries WHERE site_id = $1 AND removed_at IS NULL AND offer_status = 'pending') AS taken`,
    [siteId],
  )) as [{ taken: string }];
  return site.capacity - Number(taken);
}

/**
 * Offers a place to the head of the site's waitlist among those who can take it (see nextWaitlistOffer),
 * holding it for them until the offer expires, and asks a coordinator to call. `placeFreedAt` is when the place
 * became free: now for a discharge or a capacity increase, the original time when a declined or lapsed offer is
 * passed on. Nobody to offer it to: the place simply stays free. Call with the site's lock held.
 */
export async function offerPlace(manager: EntityManager, siteId: string, at: Date, placeFreedAt: Date): Promise<PlaceOffered | null> {
  const next = nextWaitlistOffer(await waitlistRepository.open(manager, siteId), placeFreedAt);
  return next.ok ? offerTo(manager, next.value as StoredWaitlistEntry, at, placeFreedAt) : null;
}

async function offerTo(manager: EntityManager, entry: StoredWaitlistEntry, at: Date, placeFreedAt: Date): Promise<PlaceOffered> {
  const siteId = entry.siteId;
  const expiresAt = new Date(at.getTime() + intakeConfig.waitlistOfferTtlMs());
  await waitlistRepository.offer(manager, entry.entryId, { at, placeFreedAt, expiresAt });
  await followUpTaskRepository.add(manager, {
    siteId,
    referralId: entry.referralId,
    patientId: entry.patientId,
    kind: 'offer-place',
    detail: `A place is free and held for this patient, the head of the waitlist, until ${expiresAt.toISOString()}: call them, then admit them or record that they declined.`,
  });
  return { entryId: entry.entryId, referralId: entry.referralId, patientId: entry.patientId };
}

/**
 * New room at the site (a discharged episode, a capacity increase): up to `count` places, as far as the site
 * really has them unheld, each to the next person on the list. Call with the site's lock held.
 */
export async function offerNewRoom(manager: EntityManager, sites: SiteDirectory, siteId: string, count: number, at: Date): Promise<PlaceOffered[]> {
  const offered: PlaceOffered[] = [];
  const places = Math.min(count, await unheldPlaces(manager, sites, siteId));
  for (let i = 0; i < places; i += 1) {
    const to = await offerPlace(manager, siteId, at, at);
    if (!to) break;
    offered.push(to);
  }
  return offered;
}

/**
 * A held place the person will not take (declined, or the offer lapsed) goes to the next person, unless the site
 * no longer has it (capacity lowered meanwhile). Call with the site's lock held, after the offer was closed.
 */
export async function passPlaceOn(manager: EntityManager, sites: SiteDirectory, siteId: string, placeFreedAt: Date, at: Date): Promise<PlaceOffered | null> {
  if ((await unheldPlaces(manager, sites, siteId)) < 1) return null;
  return offerPlace(manager, siteId, at, placeFreedAt);
}

/**
 * Before anyone is admitted straight into a free place: a place free while someone on the list was never offered
 * one (room that appeared without an offer, e.g. before capacity increases were acted on) is theirs first, so a
 * walk-in never overtakes the list. Stops at `referralId` if that patient is themselves next in line.
 * Call with the site's lock held.
 */
export async function offerUnheldPlacesFirst(manager: EntityManager, sites: SiteDirectory, siteId: string, referralId: string, at: Date): Promise<void> {
  for (let places = await unheldPlaces(manager, sites, siteId); places > 0; places -= 1) {
    const next = nextWaitlistOffer(await waitlistRepository.open(manager, siteId));
    if (!next.ok) return;
    const entry = next.value as StoredWaitlistEntry;
    if (entry.referralId === referralId) return;
    await offerTo(manager, entry, at, at);
  }
}
