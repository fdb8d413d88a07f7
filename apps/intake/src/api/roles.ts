import type { Role } from '@iop/auth';

/** Who works intake at a site; network admins act across sites. */
export const INTAKE_STAFF: readonly Role[] = ['intake_coordinator', 'clinician', 'site_admin', 'network_admin'];
/** Level-of-care overrides are clinical decisions. */
export const CLINICIANS: readonly Role[] = ['clinician'];
