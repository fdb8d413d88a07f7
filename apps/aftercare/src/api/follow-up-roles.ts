import type { Role } from '@iop/auth';

/** Who follows patients up after discharge, writes aftercare plans and records check-ins. */
export const FOLLOW_UP_STAFF: readonly Role[] = ['clinician', 'intake_coordinator', 'site_admin', 'network_admin'];
/** Who refers a patient back for readmission: clinicians and admins. */
export const REFERRERS: readonly Role[] = ['clinician', 'site_admin', 'network_admin'];
/** Who reads a site's measures. */
export const MEASURE_READERS: readonly Role[] = ['clinician', 'site_admin', 'network_admin', 'analyst'];
