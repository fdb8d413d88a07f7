import type { Role } from '@iop/auth';

/** Who drafts, edits, signs and amends a discharge: the site's clinicians and admins (a clinical decision). */
export const DISCHARGERS: readonly Role[] = ['clinician', 'site_admin'];
/** Who reads discharges: the same, and network admins. */
export const DISCHARGE_READERS: readonly Role[] = ['clinician', 'site_admin', 'network_admin'];
/** Who records a patient's alumni consent and reads the alumni roster: the staff the patient tells. */
export const ALUMNI_STAFF: readonly Role[] = ['clinician', 'intake_coordinator', 'site_admin', 'network_admin'];
