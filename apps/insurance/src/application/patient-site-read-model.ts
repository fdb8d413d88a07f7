import type { EntityManager } from 'typeorm';
import { ReferralReceived } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';
import { DomainError, SiteDirectory } from '@iop/platform';

export interface PatientAtSite {
  readonly patientId: string;
  readonly siteId: string;
  readonly referralId: string;
}

/**
 * Which patients each site has: a (patient, site) pair for every referral intake recorded. A patient referred at
 * two sites is known at both. Pairs are never removed: a closed referral still has coverages and authorisations
 * to keep, and a billing correction may come months later.
 */
export async function knowPatientAtSite(manager: EntityManager, p: PatientAtSite): Promise<void> {
  await manager.query(
    `INSERT INTO insurance.patient_sites (patient_id, site_id, first_referral_id) VALUES ($1, $2, $3) ON CONFLICT (patient_id, site_id) DO NOTHING`,
    [p.patientId, p.siteId, p.referralId],
  );
}

/** Intake's referrals tell insurance which site has which patient. (Admissions add the pair too: see monthly-reverification.) */
export const patientSiteReadModelHandlers: readonly EventHandler[] = [
  onEvent(ReferralReceived, async (r, _meta, manager) => {
    await knowPatientAtSite(manager, { patientId: r.patientId, siteId: r.siteId, referralId: r.referralId });
  }),
];

/**
 * Refuses a write that names a patient the site does not have. The answer is the same whether the patient is
 * unknown everywhere or known only at another site: a coordinator at one clinic must not learn that someone is in
 * treatment at another (42 CFR Part 2). A referral recorded a moment ago may not have reached insurance yet, so the
 * message says to try again as well.
 */
export async function requirePatientAtSite(manager: EntityManager, siteId: string, patientId: string): Promise<void> {
  // A site nobody registered is named as such (404), before any patient question.
  await new SiteDirectory().require(manager, siteId, 'insurance');
  const rows = (await manager.query(`SELECT 1 FROM insurance.patient_sites WHERE patient_id = $1 AND site_id = $2`, [patientId, siteId])) as unknown[];
  if (rows.length > 0) return;
  throw new DomainError(
    'patient.not-at-site',
    `patient ${patientId} is not known at site ${siteId}: record the referral in intake first. ` +
      `If the referral was recorded in the last few seconds, insurance may not have heard of it yet: try again shortly.`,
    422,
  );
}
