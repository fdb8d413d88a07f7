import { AlumniController } from './api/alumni.controller';
import { DischargeController } from './api/discharge.controller';
import { Alumni } from './application/alumni';
import { dischargeReadModelHandlers } from './application/discharge-read-models';
import { DischargeQueries } from './application/discharge-queries';
import { Discharges } from './application/discharge.use-cases';
import { LostToContactSweep } from './application/lost-to-contact.sweep';
import { Discharge1763800030000 } from './infrastructure/migrations/1763800030000-discharge';

/*
 * Discharge and alumni, as the aftercare module wires them: one line each in aftercare.module.ts, so follow-ups,
 * plans and outcomes add their own lists beside these without touching them.
 */

export const DISCHARGE_MIGRATIONS = [Discharge1763800030000];
/** A signed discharge is amended by new rows; a consent is withdrawn by a new row. Neither is ever rewritten. */
export const DISCHARGE_APPEND_ONLY_TABLES = ['discharge_amendments', 'alumni_consents'];
export const dischargeHandlers = dischargeReadModelHandlers;
export const DISCHARGE_CONTROLLERS = [DischargeController, AlumniController];
export const DISCHARGE_PROVIDERS = [Discharges, DischargeQueries, LostToContactSweep, Alumni];
