import type { Role } from '@iop/auth';

/** Who works with patients' schedules at a site. */
export const CARE_STAFF: readonly Role[] = ['intake_coordinator', 'clinician', 'site_admin', 'network_admin'];
/** Who writes treatment plans. */
export const PLAN_AUTHORS: readonly Role[] = ['clinician'];
