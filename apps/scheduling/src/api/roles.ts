import type { Role } from '@iop/auth';

/** Who sets up a site's staff, rooms, programs, tracks and calendar. Network admins act across sites. */
export const SITE_ADMINS: readonly Role[] = ['site_admin', 'network_admin'];
/** Who reads a site's staff, programs and calendar. */
export const SCHEDULE_READERS: readonly Role[] = ['site_admin', 'network_admin', 'clinician', 'intake_coordinator'];
/** Who works with patients' schedules at a site. */
export const CARE_STAFF: readonly Role[] = ['intake_coordinator', 'clinician', 'site_admin', 'network_admin'];
/** Who writes treatment plans. */
export const PLAN_AUTHORS: readonly Role[] = ['clinician'];
