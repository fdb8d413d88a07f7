import { Injectable } from '@nestjs/common';
import { AlumniJoined, AlumniLeft } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { DomainError, SiteDirectory, UnitOfWork, conflict, notFound } from '@iop/platform';

export interface AlumniRosterFilter {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

const encodeCursor = (patientId: string) => Buffer.from(patientId, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new DomainError('alumni.cursor-invalid', 'the cursor is not one this list gave out: pass nextCursor from a previous page unchanged', 400);
  }
  return id;
}

/**
 * A site's alumni: discharged patients who consented to be contacted by its alumni group. Every opt-in and opt-out is
 * kept (append-only); the latest one per patient and site is the answer. A change publishes `aftercare.alumni-joined`
 * or `-left`; stating the consent the patient already has records and publishes nothing.
 */
@Injectable()
export class Alumni {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
  ) {}

  consent(patientId: string, siteId: string, optIn: boolean) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      await this.sites.require(manager, siteId, 'aftercare');
      // One patient's consents at a site one at a time: two opt-ins at once make one change, not two events.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('aftercare.alumni'), hashtext($1))`, [`${patientId}:${siteId}`]);
      const episodes = (await manager.query(`SELECT status FROM aftercare.episodes WHERE patient_id = $1 AND site_id = $2`, [patientId, siteId])) as Array<{
        status: string;
      }>;
      if (episodes.length === 0) throw notFound('patient.not-found', `no patient ${patientId} with an episode at site ${siteId}`);
      if (!episodes.some((e) => e.status === 'discharged')) {
        throw conflict('alumni.not-discharged', `patient ${patientId} has not been discharged from site ${siteId}: alumni are discharged patients`);
      }
      const latest = (
        (await manager.query(
          `SELECT opt_in, recorded_at FROM aftercare.alumni_consents WHERE patient_id = $1 AND site_id = $2 ORDER BY recorded_at DESC LIMIT 1`,
          [patientId, siteId],
        )) as Array<{ opt_in: boolean; recorded_at: Date }>
      )[0];
      if ((latest?.opt_in ?? false) === optIn) {
        return { patientId, siteId, optedIn: optIn, since: latest?.recorded_at.toISOString() ?? null, changed: false };
      }
      const consentId = crypto.randomUUID();
      const [row] = (await manager.query(
        `INSERT INTO aftercare.alumni_consents (consent_id, patient_id, site_id, opt_in, recorded_by) VALUES ($1, $2, $3, $4, $5) RETURNING recorded_at`,
        [consentId, patientId, siteId, optIn, principal.subject],
      )) as Array<{ recorded_at: Date }>;
      const occurredAt = new Date().toISOString();
      await this.outbox.add(manager, optIn ? AlumniJoined : AlumniLeft, { consentId, patientId, siteId, occurredAt }, { correlationId: requestId });
      await this.audit.record(manager, { principal, requestId }, { action: 'update', resource: `alumni-consent:${consentId}`, patientId, siteId });
      return { patientId, siteId, optedIn: optIn, since: row!.recorded_at.toISOString(), changed: true };
    });
  }

  /** The patients on the site's alumni roster, by patient id (keyset); audited, one row per patient listed. */
  roster(siteId: string, filter: AlumniRosterFilter) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      await this.sites.require(manager, siteId, 'aftercare');
      const after = filter.cursor ? decodeCursor(filter.cursor) : null;
      const rows = (await manager.query(
        `SELECT c.patient_id, c.recorded_at,
                (SELECT max(e.discharged_on)::text FROM aftercare.episodes e WHERE e.patient_id = c.patient_id AND e.site_id = c.site_id) AS discharged_on
           FROM (SELECT DISTINCT ON (patient_id) patient_id, site_id, opt_in, recorded_at FROM aftercare.alumni_consents
                  WHERE site_id = $1 AND ($2::uuid IS NULL OR patient_id > $2::uuid) ORDER BY patient_id, recorded_at DESC) c
          WHERE c.opt_in ORDER BY c.patient_id LIMIT $3`,
        [siteId, after, filter.limit + 1],
      )) as Array<{ patient_id: string; recorded_at: Date; discharged_on: string | null }>;
      const page = rows.slice(0, filter.limit);
      await this.audit.recordMany(
        manager,
        { principal, requestId },
        page.map((r) => ({ action: 'list' as const, resource: `sites/${siteId}/alumni`, patientId: r.patient_id, siteId })),
      );
      const last = page.at(-1);
      return {
        siteId,
        items: page.map((r) => ({ patientId: r.patient_id, optedInAt: r.recorded_at.toISOString(), lastDischargedOn: r.discharged_on })),
        nextCursor: rows.length > filter.limit && last ? encodeCursor(last.patient_id) : null,
      };
    });
  }
}
