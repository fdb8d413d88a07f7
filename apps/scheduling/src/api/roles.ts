import type { Role } from '@iop/auth';

/** Who sets up a site's staff, rooms, programs, tracks and calendar. Network admins act across sites. */
export const SITE_ADMINS: readonly Role[] = ['site_admin', 'network_admin'];
/** Who reads a site's staff, programs and calendar. */
export const SCHEDULE_READERS: readonly Role[] = ['site_admin', 'network_admin', 'clinician', 'intake_coordinator'];
