import type { Role } from '@iop/auth';

/** Who records attendance and reads rosters: the front desk, group leaders and the site's admins. */
export const ATTENDANCE_STAFF: readonly Role[] = ['clinician', 'intake_coordinator', 'site_admin', 'network_admin'];
/** Who corrects a record: clinicians and admins (a correction is audited with its reason). */
export const CORRECTORS: readonly Role[] = ['clinician', 'site_admin', 'network_admin'];
/** Who exports charges: the billing team. */
export const BILLING: readonly Role[] = ['insurance_coordinator', 'site_admin', 'network_admin'];
/** Who writes, signs and locks group documentation and adds addenda: clinicians and clinical supervisors. */
export const NOTE_WRITERS: readonly Role[] = ['clinician', 'clinical_supervisor'];
/** Who co-signs a writer's documentation: clinical supervisors only (never their own). */
export const CO_SIGNERS: readonly Role[] = ['clinical_supervisor'];
/** Who reads notes (PHI, audited): the clinical staff only. */
export const NOTE_READERS: readonly Role[] = ['clinician', 'clinical_supervisor'];
/** Who sees the undocumented-sessions queue (ids and counts, no note text): clinical staff and the site's admins. */
export const DOCUMENTATION_QUEUE: readonly Role[] = ['clinician', 'clinical_supervisor', 'site_admin', 'network_admin'];
/** Who reads the site's de-identified weekly figures (small cells suppressed; no patient in them): analysts and admins. */
export const ANALYSTS: readonly Role[] = ['analyst', 'site_admin', 'network_admin'];
