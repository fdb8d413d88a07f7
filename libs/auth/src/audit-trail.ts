import type { EntityManager } from 'typeorm';
import { assertSqlIdentifier, type SqlParams } from '@iop/persistence';
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

  /** Several entries for one actor in one statement (a list's rows): one round trip, however long the page. */
  async recordMany(manager: EntityManager, actor: Actor, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    if (entries.length === 1) return this.record(manager, actor, entries[0]!);
    await manager.query(
      `INSERT INTO ${this.schema}.audit_log (actor, role, site_id, patient_id, action, resource, request_id, reason)
       SELECT $1, $2, e.site_id, e.patient_id, e.action, e.resource, $3, e.reason
         FROM unnest($4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS e(site_id, patient_id, action, resource, reason, n)
        ORDER BY e.n`,
      [
        actor.principal.subject,
        actor.principal.roles.join(','),
        actor.requestId ?? null,
        entries.map((e) => e.siteId ?? null),
        entries.map((e) => e.patientId ?? null),
        entries.map((e) => e.action),
        entries.map((e) => e.resource),
        entries.map((e) => e.reason ?? null),
      ],
    );
    for (const entry of entries) this.onRecord?.(entry);
  }

  /**
   * For a statement that reads and audits at once (`inScopedStatement`): an INSERT, to be used as a data-modifying CTE,
   * of one audit row per row of `source` (a CTE or table with `patient_id` and `site_id` columns), its values added to
   * `params`. Tell `noted` which entries it wrote.
   */
  insertFrom(source: string, actor: Actor, entry: Pick<AuditEntry, 'action' | 'resource' | 'reason'>, params: SqlParams): string {
    return `INSERT INTO ${this.schema}.audit_log (actor, role, site_id, patient_id, action, resource, request_id, reason)
      SELECT ${params.add(actor.principal.subject, 'text')}, ${params.add(actor.principal.roles.join(','), 'text')}, site_id, patient_id,
             ${params.add(entry.action, 'text')}, ${params.add(entry.resource, 'text')}, ${params.add(actor.requestId, 'text')}, ${params.add(entry.reason, 'text')}
        FROM ${assertSqlIdentifier(source)}`;
  }

  /** Entries a statement from `insertFrom` wrote. */
  noted(entries: readonly AuditEntry[]): void {
    for (const entry of entries) this.onRecord?.(entry);
  }
}
