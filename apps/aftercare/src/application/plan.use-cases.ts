import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AFTERCARE_PLAN_ITEM_KINDS, AftercarePlanCreated, AftercarePlanUpdated, type PayloadOf } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { UnitOfWork } from '@iop/platform';
import type { PlanItem } from '../api/plan.schemas';
import { dischargeNotFound, planNotFound, planVersionConflict } from './follow-up-errors';

interface PlanVersionRow {
  plan_id: string;
  episode_id: string;
  patient_id: string;
  site_id: string;
  version: number;
  items: PlanItem[];
  recorded_by: string;
  recorded_at: Date;
}

const VERSIONS_SQL = `SELECT p.plan_id, p.episode_id, p.patient_id, p.site_id, v.version, v.items, v.recorded_by, v.recorded_at
  FROM aftercare.plans p JOIN aftercare.plan_versions v USING (plan_id)`;

const view = (r: PlanVersionRow) => ({
  planId: r.plan_id,
  episodeId: r.episode_id,
  patientId: r.patient_id,
  siteId: r.site_id,
  version: r.version,
  items: r.items,
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at.toISOString(),
});

/** The next dated step of an item, whatever the kind calls it. */
const nextOf = (item: PlanItem): string | null => {
  if (item.kind === 'mat-continuation') return item.nextAppointmentOn;
  if (item.kind === 'continuing-care') return null;
  return item.nextOn ?? null;
};

/** What the plan's events say: kinds, counts, owners and dates; never a name, place or note. */
export function planSummary(items: readonly PlanItem[]): Pick<PayloadOf<typeof AftercarePlanCreated>, 'itemCounts' | 'items'> {
  const itemCounts = Object.fromEntries(AFTERCARE_PLAN_ITEM_KINDS.map((kind) => [kind, items.filter((i) => i.kind === kind).length])) as PayloadOf<
    typeof AftercarePlanCreated
  >['itemCounts'];
  return {
    itemCounts,
    items: items.map((i) => ({ kind: i.kind, owner: i.owner, startsOn: i.startsOn, endsOn: i.endsOn ?? null, nextOn: nextOf(i) })),
  };
}

/** The aftercare plan of a discharged episode: written once, then revised, every version kept whole. */
@Injectable()
export class AftercarePlans {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  save(episodeId: string, items: readonly PlanItem[], expectedVersion: number | undefined) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const [discharge] = (await manager.query(`SELECT patient_id, site_id FROM aftercare.follow_up_discharges WHERE episode_id = $1`, [episodeId])) as Array<{
        patient_id: string;
        site_id: string;
      }>;
      if (!discharge) throw dischargeNotFound(episodeId);
      const [current] = (await manager.query(`SELECT plan_id, version FROM aftercare.plans WHERE episode_id = $1 FOR UPDATE`, [episodeId])) as Array<{
        plan_id: string;
        version: number;
      }>;
      if (current && expectedVersion !== undefined && expectedVersion !== current.version)
        throw planVersionConflict(episodeId, current.version, expectedVersion);
      const planId = current?.plan_id ?? randomUUID();
      const version = (current?.version ?? 0) + 1;
      if (current) {
        await manager.query(`UPDATE aftercare.plans SET version = $2, updated_at = now() WHERE plan_id = $1`, [planId, version]);
      } else {
        // A second writer racing this one for the first version meets the unique episode and is refused (409 by the platform).
        await manager.query(`INSERT INTO aftercare.plans (plan_id, episode_id, patient_id, site_id, version) VALUES ($1, $2, $3, $4, 1)`, [
          planId,
          episodeId,
          discharge.patient_id,
          discharge.site_id,
        ]);
      }
      await manager.query(`INSERT INTO aftercare.plan_versions (plan_id, version, site_id, items, recorded_by) VALUES ($1, $2, $3, $4, $5)`, [
        planId,
        version,
        discharge.site_id,
        JSON.stringify(items),
        principal.subject,
      ]);
      const payload = {
        planId,
        episodeId,
        patientId: discharge.patient_id,
        siteId: discharge.site_id,
        version,
        ...planSummary(items),
        occurredAt: new Date().toISOString(),
      };
      await this.outbox.add(manager, current ? AftercarePlanUpdated : AftercarePlanCreated, payload, { correlationId: requestId });
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: current ? 'update' : 'create', resource: `aftercare-plan:${planId}`, patientId: discharge.patient_id, siteId: discharge.site_id },
      );
      return { created: !current, plan: await this.load(manager, episodeId, version) };
    });
  }

  current(episodeId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const plan = await this.load(manager, episodeId);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `aftercare-plan:${plan.planId}`, patientId: plan.patientId, siteId: plan.siteId },
      );
      return plan;
    });
  }

  versions(episodeId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const rows = (await manager.query(`${VERSIONS_SQL} WHERE p.episode_id = $1 ORDER BY v.version`, [episodeId])) as PlanVersionRow[];
      if (rows.length === 0) throw await this.missing(manager, episodeId);
      const first = rows[0]!;
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `aftercare-plan:${first.plan_id}`, patientId: first.patient_id, siteId: first.site_id },
      );
      return { episodeId, versions: rows.map(view) };
    });
  }

  private async load(manager: EntityManager, episodeId: string, version?: number) {
    const [row] = (await manager.query(`${VERSIONS_SQL} WHERE p.episode_id = $1 AND v.version = coalesce($2::int, p.version)`, [
      episodeId,
      version ?? null,
    ])) as PlanVersionRow[];
    if (!row) throw await this.missing(manager, episodeId);
    return view(row);
  }

  /** No plan: say whether the episode is unknown (never discharged, or another site's) or only has no plan yet. */
  private async missing(manager: EntityManager, episodeId: string) {
    const known = (await manager.query(`SELECT 1 FROM aftercare.follow_up_discharges WHERE episode_id = $1`, [episodeId])) as unknown[];
    return known.length === 0 ? dischargeNotFound(episodeId) : planNotFound(episodeId);
  }
}
