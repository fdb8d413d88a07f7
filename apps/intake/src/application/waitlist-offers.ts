import type { EntityManager } from 'typeorm';
import { nextWaitlistOffer } from '../domain';
import { followUpTaskRepository, waitlistRepository, type StoredWaitlistEntry } from '../infrastructure/admission.repository';

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
 * Offers a freed place to the head of the site's waitlist (urgent and inpatient step-downs first, then by
 * arrival), holding it for them, and asks a coordinator to call. Nobody waiting: the place simply stays free.
 */
export async function offerFreedPlace(manager: EntityManager, siteId: string, at: Date): Promise<PlaceOffered | null> {
  const next = nextWaitlistOffer(await waitlistRepository.open(manager, siteId));
  if (!next.ok) return null;
  const entry = next.value as StoredWaitlistEntry;
  await waitlistRepository.offer(manager, entry.entryId, at);
  await followUpTaskRepository.add(manager, {
    siteId,
    referralId: entry.referralId,
    patientId: entry.patientId,
    kind: 'offer-place',
    detail: 'A place is free and held for this patient, the head of the waitlist: call them, then admit them or record that they declined.',
  });
  return { entryId: entry.entryId, referralId: entry.referralId, patientId: entry.patientId };
}
