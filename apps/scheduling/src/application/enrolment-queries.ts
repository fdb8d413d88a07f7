import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { UnitOfWork } from '@iop/platform';
import { decodeCursor, encodeCursor, type EnrolmentQueueFilter } from '../api/enrolment.schemas';
import { enrolmentStore, requireSite, type Enrolment } from './enrolment-store';

/** What coordinators and clinicians read of enrolments. Every read of a patient's enrolment is audited in the same transaction. */
@Injectable()
export class EnrolmentQueries {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  /** A site's work queue, oldest planned start first, by keyset (`cursor` is the last row of the previous page). */
  queue(siteId: string, filter: EnrolmentQueueFilter): Promise<{ items: Enrolment[]; nextCursor: string | null }> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      await requireSite(manager, siteId);
      const after = filter.cursor ? decodeCursor(filter.cursor) : null;
      const rows = (await manager.query(
        `SELECT ${enrolmentStore.columns} FROM scheduling.enrolments
          WHERE site_id = $1 AND status = $2 AND ($3::date IS NULL OR (planned_start, enrolment_id) > ($3::date, $4::uuid))
          ORDER BY planned_start, enrolment_id LIMIT $5`,
        [siteId, filter.status, after?.plannedStart ?? null, after?.enrolmentId ?? null, filter.limit + 1],
      )) as Enrolment[];
      const items = rows.slice(0, filter.limit);
      const last = items[items.length - 1];
      for (const e of items) {
        await this.audit.record(manager, { principal, requestId }, { action: 'list', resource: `sites/${siteId}/enrolments`, patientId: e.patientId, siteId });
      }
      return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor(last.plannedStart, last.enrolmentId) : null };
    });
  }

  get(enrolmentId: string): Promise<Enrolment> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const e = await enrolmentStore.require(manager, enrolmentId);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `enrolment:${enrolmentId}`, patientId: e.patientId, siteId: e.siteId },
      );
      return e;
    });
  }
}
