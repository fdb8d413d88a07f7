import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TreatmentPlanUpdated } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { UnitOfWork, conflict, notFound } from '@iop/platform';
import type { UpdatePlanBody } from '../api/plan.schemas';
import { reviewPlan, sessionsToAdd, sessionsWithinBudget } from '../domain/treatment-plan';
import { planEvent } from './admissions';
import { enrolmentStore, planStore, requireSite, todayAt, type Enrolment, type Plan } from './enrolment-store';
import { announceSeats, bookSeatsThatFit, bookedSessionsFrom, releaseSeats, trackSessionsFrom, type SeatEventContext } from './seats';

/**
 * Treatment plans: every version kept (treatment_plan_versions is append-only), every read audited. A review that
 * changes the weekly group minutes changes the patient's seats from the next Monday in the site's zone: fewer
 * minutes release the latest sessions of each week; more minutes book free sessions of the track, and when the track
 * cannot give the minutes the enrolment carries a note that a transfer is needed.
 */
@Injectable()
export class TreatmentPlans {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  get(enrolmentId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const enrolment = await enrolmentStore.require(manager, enrolmentId);
      const plan = await requirePlan(manager, enrolmentId);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `treatment-plan:${plan.planId}`, patientId: plan.patientId, siteId: plan.siteId },
      );
      return { ...plan, placementNote: enrolment.placementNote };
    });
  }

  versions(enrolmentId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const plan = await requirePlan(manager, enrolmentId);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `treatment-plan:${plan.planId}/versions`, patientId: plan.patientId, siteId: plan.siteId },
      );
      return planStore.versions(manager, plan.planId);
    });
  }

  update(enrolmentId: string, body: UpdatePlanBody) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const enrolment = await enrolmentStore.require(manager, enrolmentId, true);
      if (enrolment.status === 'ended') throw conflict('enrolment.ended', `enrolment ${enrolmentId} has ended; its plan can no longer change`);
      const current = await requirePlan(manager, enrolmentId, true);
      if (body.version !== current.version) {
        throw conflict(
          'plan.stale',
          `the plan is at version ${current.version}, not ${body.version}: someone changed it since you read it; reload and apply your change again`,
        );
      }
      const site = await requireSite(manager, enrolment.siteId);
      const today = todayAt(site);
      const review = reviewPlan(current, body, today);
      const next: Plan = {
        ...current,
        version: current.version + 1,
        weeklyGroupMinutes: body.weeklyGroupMinutes,
        individualPerWeek: body.individualPerWeek,
        familyPerMonth: body.familyPerMonth,
        psychiatricPerMonth: body.psychiatricPerMonth,
        goals: body.goals,
        effectiveFrom: review.direction === 'same' ? today : review.seatsChangeFrom,
        nextReviewOn: review.nextReviewOn,
        updatedBy: principal.subject,
        updatedAt: new Date(),
      };
      await planStore.write(manager, next, body.reason);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `treatment-plan:${next.planId}`, patientId: next.patientId, siteId: next.siteId },
      );
      await this.outbox.add(manager, TreatmentPlanUpdated, planEvent(next), { correlationId: requestId });
      let note = enrolment.placementNote;
      if (review.direction !== 'same' && enrolment.status === 'placed') {
        note = await fitSeatsToPlan(
          manager,
          { outbox: this.outbox, correlationId: requestId },
          enrolment,
          next.weeklyGroupMinutes,
          review.seatsChangeFrom,
          site.timeZone,
        );
      }
      return { ...(await planStore.forEnrolment(manager, enrolmentId))!, placementNote: note };
    });
  }
}

async function requirePlan(manager: EntityManager, enrolmentId: string, lock = false): Promise<Plan> {
  const plan = await planStore.forEnrolment(manager, enrolmentId, lock);
  if (!plan) throw notFound('plan.unknown', `enrolment ${enrolmentId} has no treatment plan`);
  return plan;
}

/**
 * Makes the placed patient's seats from `from` (a Monday) fit the plan's weekly group minutes; returns the
 * enrolment's placement note (null when the track can give the minutes).
 */
export async function fitSeatsToPlan(
  manager: EntityManager,
  ctx: SeatEventContext,
  enrolment: Enrolment,
  weeklyMinutes: number,
  from: string,
  timeZone: string,
): Promise<string | null> {
  const held = await bookedSessionsFrom(manager, enrolment.enrolmentId, from);
  const keep = new Set(sessionsWithinBudget(held, weeklyMinutes).map((s) => s.sessionId));
  const released = await releaseSeats(manager, enrolment.enrolmentId, { sessionIds: held.filter((s) => !keep.has(s.sessionId)).map((s) => s.sessionId) });
  await announceSeats(manager, ctx, 'released', enrolment, released);
  const available = await trackSessionsFrom(manager, enrolment.trackId!, from);
  const adds = sessionsToAdd(
    held.filter((s) => keep.has(s.sessionId)),
    available,
    weeklyMinutes,
  );
  const booked = await bookSeatsThatFit(manager, enrolment, adds, timeZone);
  await announceSeats(manager, ctx, 'booked', enrolment, booked);
  const [track] = (await manager.query(`SELECT weekly_minutes AS "weeklyMinutes" FROM scheduling.tracks WHERE track_id = $1`, [enrolment.trackId])) as Array<{
    weeklyMinutes: number;
  }>;
  const note =
    track && track.weeklyMinutes < weeklyMinutes
      ? `transfer needed: the plan asks ${weeklyMinutes} group minutes a week from ${from}, the track offers ${track.weeklyMinutes}`
      : null;
  await manager.query(`UPDATE scheduling.enrolments SET placement_note = $2, updated_at = now() WHERE enrolment_id = $1`, [enrolment.enrolmentId, note]);
  return note;
}
