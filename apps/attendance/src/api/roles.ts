import type { Role } from '@iop/auth';

/** Who records attendance and reads rosters: the front desk, group leaders and the site's admins. */
export const ATTENDANCE_STAFF: readonly Role[] = ['clinician', 'intake_coordinator', 'site_admin', 'network_admin'];
/** Who corrects a record: clinicians and admins (a correction is audited with its reason). */
export const CORRECTORS: readonly Role[] = ['clinician', 'site_admin', 'network_admin'];
/** Who exports charges: the billing team. */
export const BILLING: readonly Role[] = ['insurance_coordinator', 'site_admin', 'network_admin'];
