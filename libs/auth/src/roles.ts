/**
 * `clinical_supervisor`: a licensed clinician who supervises others' clinical work; their signature needs no
 * co-signature and they co-sign the notes of writers who need one (attendance's group documentation).
 */
export const ROLES = ['intake_coordinator', 'clinician', 'clinical_supervisor', 'insurance_coordinator', 'site_admin', 'network_admin', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: from a verified token. Network admins act across all sites; everyone else only on the sites named. */
export interface Principal {
  readonly subject: string;
  readonly roles: readonly Role[];
  readonly siteIds: readonly string[];
  readonly allSites: boolean;
  readonly tokenId?: string;
}

export function mayActOnSite(principal: Principal, siteId: string): boolean {
  return principal.allSites || principal.siteIds.includes(siteId);
}
