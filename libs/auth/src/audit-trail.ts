import type { EntityManager } from 'typeorm';
import { assertSqlIdentifier } from '@iop/persistence';
import type { Principal } from './roles';

export type AuditAction = 'read' | 'list' | 'create' | 'update' | 'delete' | 'disclose' | 'override';

export interface AuditEntry {
  readonly action: AuditAction;
  /** What was touched, e.g. `referral:2b1c…` or `consent`. Never PHI. */
  readonly resource: string;
  readonly patientId?: string;
  readonly siteId?: string;
  readonly reason?: string;
}

export interface Actor {
  readonly principal: Principal;
  readonly requestId?: string;
}

/**
 * The PHI access log (HIPAA audit controls): who, in which role, at which site, touched which
 * patient's record, how, when, in which request. Written in the same transaction as the read or
 * change it describes; the service role may insert but never update or delete it.
 */
export class AuditTrail {
  private readonly schema: string;

  /** `onRecord` sees each entry as it is written (the platform notes which patients a request touched). */
  constructor(
    schema: string,
    private readonly onRecord?: (entry: AuditEntry) => void,
  ) {
    this.schema = assertSqlIdentifier(schema);
  }

  async record(manager: EntityManager, actor: Actor, entry: AuditEntry): Promise<void> {
    await manager.query(
      `INSERT INTO ${this.schema}.audit_log (actor, role, site_id, patient_id, action, resource, request_id, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        actor.principal.subject,
        actor.principal.roles.join(','),
        entry.siteId ?? null,
        entry.patientId ?? null,
        entry.action,
        entry.resource,
        actor.requestId ?? null,
        entry.reason ?? null,
      ],
    );
    this.onRecord?.(entry);
  }
}
