import { CoverageVerified } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';

/**
 * Each patient's payer at a site, from insurance's coverage-verified: the payer whose per-diem rule bills the patient's
 * days (ATTENDANCE_PAYER_PER_DIEM). The latest verification wins; an older one redelivered changes nothing.
 */
export const payerHandlers: readonly EventHandler[] = [
  onEvent(CoverageVerified, async (c, _meta, manager) => {
    await manager.query(
      `INSERT INTO attendance.patient_payers (patient_id, site_id, payer_id, verified_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (patient_id, site_id) DO UPDATE SET payer_id = EXCLUDED.payer_id, verified_at = EXCLUDED.verified_at
       WHERE attendance.patient_payers.verified_at <= EXCLUDED.verified_at`,
      [c.patientId, c.siteId, c.payerId, c.occurredAt],
    );
  }),
];
