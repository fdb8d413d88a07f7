import type { EntityManager } from 'typeorm';
import type { AuditAction, AuditEntry, AuditTrail, Principal } from '@iop/auth';

export interface AuditActor {
  readonly principal: Principal;
  readonly requestId?: string;
}

/** One audit row per patient touched, in the caller's transaction: the read and its record commit together. */
export function auditPatient(
  audit: AuditTrail,
  manager: EntityManager,
  actor: AuditActor,
  action: AuditAction,
  resource: string,
  patient: { patientId: string; siteId: string },
  reason?: string,
): Promise<void> {
  return audit.record(manager, actor, { action, resource, patientId: patient.patientId, siteId: patient.siteId, ...(reason ? { reason } : {}) });
}

/**
 * A list that shows several patients: one audit row per patient in it (not one per line, not one for the list), so
 * "who saw this patient's record" is answered for lists as well as for single reads.
 */
export async function auditPatients(
  audit: AuditTrail,
  manager: EntityManager,
  actor: AuditActor,
  action: AuditAction,
  resource: string,
  patients: ReadonlyArray<{ patientId: string; siteId: string }>,
  reason?: string,
): Promise<void> {
  const seen = new Set<string>();
  const entries: AuditEntry[] = [];
  for (const patient of patients) {
    const key = `${patient.siteId}/${patient.patientId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push({ action, resource, patientId: patient.patientId, siteId: patient.siteId, ...(reason ? { reason } : {}) });
  }
  // One statement for the whole list.
  await audit.recordMany(manager, actor, entries);
}
