import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { AppointmentCancelled, EnrolmentChanged, PatientAdmitted, PatientEnrolled, TreatmentPlanUpdated, type PayloadOf } from '@iop/contracts';
import { Outbox, type EventHandler, type EventMeta } from '@iop/messaging';
import { LOGGER } from '@iop/platform';
import { releaseCommitments } from '../infrastructure/commitments';
import { draftPlan } from '../domain/treatment-plan';
import { enrolmentStore, planStore, returned, todayAt, type Enrolment, type Plan } from './enrolment-store';
import { announceSeats, releaseSeats } from './seats';
import { siteRepository } from './site-repository';

/**
 * `intake.patient-admitted`: an enrolment awaiting placement at the site, and the first draft of the treatment plan
 * from the admission's level of care, program type and planned hours. Idempotent twice over: the platform's inbox
 * drops a redelivered event, and an episode that already has an enrolment is left alone.
 *
 * An admission naming a site scheduling does not know is parked in `parked_admissions` (state `site-unknown`) and
 * logged, not dead-lettered: it is a data problem someone has to look at, and the consumer must go on.
 */
@Injectable()
export class PatientAdmittedHandler implements EventHandler<typeof PatientAdmitted> {
  readonly definition = PatientAdmitted;

  constructor(
    private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async handle(a: PayloadOf<typeof PatientAdmitted>, meta: EventMeta, manager: EntityManager): Promise<void> {
    const site = await siteRepository.find(manager, a.siteId);
    if (!site) {
      await manager.query(
        `INSERT INTO scheduling.parked_admissions (episode_id, site_id, patient_id, state, admission) VALUES ($1, $2, $3, 'site-unknown', $4::jsonb)
         ON CONFLICT (episode_id) DO NOTHING`,
        [a.episodeId, a.siteId, a.patientId, JSON.stringify(a)],
      );
      this.log.warn({ episodeId: a.episodeId, siteId: a.siteId, eventId: meta.id }, 'admission names a site scheduling does not know: parked');
      return;
    }
    const existing = (await manager.query(`SELECT 1 FROM scheduling.enrolments WHERE episode_id = $1`, [a.episodeId])) as unknown[];
    if (existing.length > 0) return;
    // Admissions and discharges come on different topics: an episode already discharged is not enrolled after the fact.
    const discharged = (await manager.query(`SELECT 1 FROM scheduling.discharges WHERE episode_id = $1`, [a.episodeId])) as unknown[];
    if (discharged.length > 0) {
      this.log.warn({ episodeId: a.episodeId, eventId: meta.id }, 'admission of an episode already discharged: not enrolled');
      return;
    }
    const enrolment = {
      enrolmentId: crypto.randomUUID(),
      siteId: a.siteId,
      patientId: a.patientId,
      episodeId: a.episodeId,
      referralId: a.referralId,
      programType: a.programType,
      levelOfCare: a.levelOfCare,
      plannedWeeklyMinutes: Math.round(a.plannedWeeklyHours * 60),
      plannedStart: a.plannedStart,
      status: 'awaiting-placement' as const,
      programId: null,
      trackId: null,
      placedFrom: null,
    };
    await enrolmentStore.insert(manager, enrolment);
    const plan: Plan = {
      ...draftPlan(a),
      planId: crypto.randomUUID(),
      enrolmentId: enrolment.enrolmentId,
      siteId: a.siteId,
      patientId: a.patientId,
      episodeId: a.episodeId,
      version: 1,
      updatedBy: 'intake-admission',
      updatedAt: new Date(),
    };
    await planStore.write(manager, plan, 'first draft from the admission');
    const ctx = { correlationId: meta.correlationId ?? meta.id, causationId: meta.id };
    const occurredAt = new Date().toISOString();
    await this.outbox.add(
      manager,
      PatientEnrolled,
      {
        enrolmentId: enrolment.enrolmentId,
        patientId: a.patientId,
        episodeId: a.episodeId,
        siteId: a.siteId,
        plannedStart: a.plannedStart,
        status: 'awaiting-placement',
        occurredAt,
      },
      ctx,
    );
    await this.outbox.add(manager, TreatmentPlanUpdated, planEvent(plan, occurredAt), ctx);
  }
}

export function planEvent(plan: Plan, occurredAt = new Date().toISOString()): PayloadOf<typeof TreatmentPlanUpdated> {
  return {
    planId: plan.planId,
    enrolmentId: plan.enrolmentId,
    patientId: plan.patientId,
    episodeId: plan.episodeId,
    siteId: plan.siteId,
    version: plan.version,
    weeklyGroupMinutes: plan.weeklyGroupMinutes,
    individualPerWeek: plan.individualPerWeek,
    familyPerMonth: plan.familyPerMonth,
    psychiatricPerMonth: plan.psychiatricPerMonth,
    effectiveFrom: plan.effectiveFrom,
    nextReviewOn: plan.nextReviewOn,
    occurredAt,
  };
}

type AppointmentRow = Omit<PayloadOf<typeof AppointmentCancelled>, 'startsAt' | 'endsAt' | 'occurredAt'> & { startsAt: Date; endsAt: Date };

/**
 * Releases the enrolment's seats in sessions not started by `at` (or now, if later) and cancels its appointments not
 * started, announcing each; returns the sessions released. The enrolment's status is left as it is.
 */
export async function releaseFrom(
  manager: EntityManager,
  outbox: Outbox,
  enrolment: Enrolment,
  at: Date,
  cancelReason: string,
  correlationId?: string,
): Promise<string[]> {
  const from = at.getTime() > Date.now() ? at : new Date();
  const released = await releaseSeats(manager, enrolment.enrolmentId, { from });
  await announceSeats(manager, { outbox, correlationId }, 'released', enrolment, released);
  const cancelled = returned<AppointmentRow>(
    await manager.query(
      `UPDATE scheduling.appointments SET status = 'cancelled', cancel_reason = $2, revision = revision + 1, updated_at = now()
      WHERE enrolment_id = $1 AND status = 'booked' AND starts_at >= $3
      RETURNING appointment_id AS "appointmentId", patient_id AS "patientId", enrolment_id AS "enrolmentId", site_id AS "siteId", clinician_id AS "clinicianId",
                kind, room_id AS "roomId", telehealth, starts_at AS "startsAt", ends_at AS "endsAt"`,
      [enrolment.enrolmentId, cancelReason, from],
    ),
  );
  const occurredAt = new Date().toISOString();
  for (const a of cancelled) {
    await releaseCommitments(manager, 'appointment', a.appointmentId);
    await outbox.add(
      manager,
      AppointmentCancelled,
      { ...a, startsAt: a.startsAt.toISOString(), endsAt: a.endsAt.toISOString(), occurredAt },
      { correlationId },
    );
  }
  return released;
}

/** Ends an enrolment: releases seats in sessions not started by `at` and cancels appointments not started, then records the end. */
export async function endEnrolment(
  manager: EntityManager,
  outbox: Outbox,
  enrolment: Enrolment,
  end: { reason: 'episode-ended' | 'transferred'; at: Date; continuedBy?: string },
  correlationId?: string,
): Promise<string[]> {
  const released = await releaseFrom(
    manager,
    outbox,
    enrolment,
    end.at,
    end.reason === 'transferred' ? 'patient transferred to another site' : 'episode of care ended',
    correlationId,
  );
  const occurredAt = new Date().toISOString();
  await manager.query(
    `UPDATE scheduling.enrolments SET status = 'ended', ended_at = $2, end_reason = $3, revision = revision + 1, updated_at = now() WHERE enrolment_id = $1`,
    [enrolment.enrolmentId, end.at, end.reason],
  );
  const site = await siteRepository.find(manager, enrolment.siteId);
  await outbox.add(
    manager,
    EnrolmentChanged,
    {
      enrolmentId: enrolment.enrolmentId,
      patientId: enrolment.patientId,
      episodeId: enrolment.episodeId,
      siteId: enrolment.siteId,
      change: 'ended',
      trackId: null,
      programId: enrolment.programId,
      effectiveFrom: site ? todayAt(site, end.at) : end.at.toISOString().slice(0, 10),
      endReason: end.reason,
      ...(end.continuedBy ? { continuedBy: end.continuedBy } : {}),
      occurredAt,
    },
    { correlationId },
  );
  return released;
}
