import type { EntityManager } from 'typeorm';
import type { AuditAction, AuditTrail, Principal } from '@iop/auth';

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
