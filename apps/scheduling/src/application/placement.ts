import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { EnrolmentChanged, PatientEnrolled, TreatmentPlanUpdated, type PayloadOf } from '@iop/contracts';
import { AuditTrail, mayActOnSite, type Principal } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { DomainError, UnitOfWork, conflict, notFound } from '@iop/platform';
import type { LevelChangeBody, PlaceBody, TransferBody } from '../api/enrolment.schemas';
import { firstJoinDate, isCohortStart, levelChange, rankTracks, type Candidate, type TrackShape } from '../domain/placement';
import { sessionsWithinBudget } from '../domain/treatment-plan';
import type { Site } from '../domain/site';
import { endEnrolment, planEvent } from './admissions';
import { enrolmentStore, invalid, planStore, requireSite, todayAt, type Enrolment, type Plan } from './enrolment-store';
import { announceSeats, bookAllSeats, releaseSeats, trackSessionsFrom, type SeatEventContext } from './seats';

export interface TrackRow extends TrackShape {
  readonly trackId: string;
  readonly siteId: string;
  readonly programId: string;
  readonly name: string;
  readonly weeklyMinutes: number;
  readonly active: boolean;
  readonly programKind: string;
  readonly levelOfCare: string;
}

const TRACK_COLUMNS = `t.track_id AS "trackId", t.site_id AS "siteId", t.program_id AS "programId", t.name, to_char(t.starts_on, 'YYYY-MM-DD') AS "startsOn",
  to_char(t.ends_on, 'YYYY-MM-DD') AS "endsOn", t.enrolment, t.cohort_weeks AS "cohortWeeks", t.weekly_minutes AS "weeklyMinutes", t.active,
  p.kind AS "programKind", p.level_of_care AS "levelOfCare"`;

/** A track as the caller's sites see it: 404 for one that does not exist or belongs to a site the caller cannot act on. */
async function requireTrack(manager: EntityManager, trackId: string): Promise<TrackRow> {
  const rows = (await manager.query(
    `SELECT ${TRACK_COLUMNS} FROM scheduling.tracks t JOIN scheduling.programs p ON p.program_id = t.program_id WHERE t.track_id = $1`,
    [trackId],
  )) as TrackRow[];
  if (!rows[0]) throw notFound('track.unknown', `there is no track ${trackId}`);
  if (!rows[0].active) throw invalid('track.inactive', `track ${trackId} no longer runs`);
  return rows[0];
}

export interface PlacementResult {
  readonly enrolment: Enrolment;
  readonly bookedSessionIds: string[];
  readonly releasedSessionIds: string[];
}

/**
 * Placing, transferring and stepping patients between tracks. Every move books a seat in each of the new track's
 * sessions from the start date (within the plan's weekly group minutes), all or nothing: one full session or one
 * clash with the patient's other commitments (at any site) refuses the whole move with 409 and nothing changes.
 */
@Injectable()
export class Placement {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  place(enrolmentId: string, body: PlaceBody): Promise<PlacementResult> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const enrolment = await enrolmentStore.require(manager, enrolmentId, true);
      if (enrolment.status === 'placed') throw conflict('enrolment.already-placed', `enrolment ${enrolmentId} is already placed: transfer it instead`);
      if (enrolment.status === 'ended') throw conflict('enrolment.ended', `enrolment ${enrolmentId} has ended`);
      const plan = await requirePlan(manager, enrolment);
      const track = await requireTrack(manager, body.trackId);
      if (track.siteId !== enrolment.siteId) throw invalid('track.other-site', `track ${track.trackId} is at another site: transfer the patient there instead`);
      sameKind(track, enrolment);
      const site = await requireSite(manager, enrolment.siteId);
      const from = joinDate(track, body.from, laterOf(todayAt(site), enrolment.plannedStart), todayAt(site));
      const booked = await this.bookTrack(manager, { outbox: this.outbox, correlationId: requestId }, enrolment, plan, track, from, site);
      const placed = await moveTo(manager, enrolment.enrolmentId, track, from);
      await this.changed(manager, placed, 'placed', from, requestId);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `enrolment:${enrolmentId}/placement`, patientId: placed.patientId, siteId: placed.siteId },
      );
      return { enrolment: placed, bookedSessionIds: booked, releasedSessionIds: [] };
    });
  }

  transfer(enrolmentId: string, body: TransferBody): Promise<PlacementResult> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const enrolment = await openEnrolment(manager, enrolmentId);
      const plan = await requirePlan(manager, enrolment);
      const track = await requireTrack(manager, body.trackId);
      sameKind(track, enrolment);
      if (track.trackId === enrolment.trackId) throw conflict('enrolment.same-track', `the patient is already in track ${track.trackId}`);
      const ctx = { outbox: this.outbox, correlationId: requestId };
      if (track.siteId === enrolment.siteId) {
        const result = await this.moveWithinSite(manager, ctx, enrolment, plan, track, body.from, 'transferred');
        await this.audit.record(
          manager,
          { principal, requestId },
          { action: 'update', resource: `enrolment:${enrolmentId}/transfer`, patientId: enrolment.patientId, siteId: enrolment.siteId },
        );
        return result;
      }
      return this.transferToSite(manager, ctx, principal, enrolment, plan, track, body.from);
    });
  }

  levelChange(enrolmentId: string, body: LevelChangeBody): Promise<PlacementResult> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const enrolment = await openEnrolment(manager, enrolmentId);
      const plan = await requirePlan(manager, enrolment);
      const track = await requireTrack(manager, body.trackId);
      if (track.siteId !== enrolment.siteId) throw invalid('track.other-site', `track ${track.trackId} is at another site: transfer the patient there`);
      sameKind(track, enrolment);
      const step = levelChange(enrolment.levelOfCare, track.levelOfCare);
      if (!step) {
        throw invalid(
          'level.unchanged',
          `track ${track.trackId} is at level of care ${track.levelOfCare}, the patient's level: transfer between tracks instead`,
        );
      }
      const result = await this.moveWithinSite(manager, { outbox: this.outbox, correlationId: requestId }, enrolment, plan, track, body.from, step);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `enrolment:${enrolmentId}/level-change`, patientId: enrolment.patientId, siteId: enrolment.siteId, reason: body.reason },
      );
      return result;
    });
  }

  suggestions(enrolmentId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const enrolment = await enrolmentStore.require(manager, enrolmentId);
      const plan = await requirePlan(manager, enrolment);
      const site = await requireSite(manager, enrolment.siteId);
      const onOrAfter = laterOf(todayAt(site), enrolment.plannedStart);
      const tracks = (await manager.query(
        `SELECT ${TRACK_COLUMNS} FROM scheduling.tracks t JOIN scheduling.programs p ON p.program_id = t.program_id
          WHERE t.site_id = $1 AND t.active AND p.kind = $2`,
        [enrolment.siteId, enrolment.programType],
      )) as TrackRow[];
      const candidates: Candidate[] = [];
      for (const t of tracks) {
        const firstDate = firstJoinDate(t, onOrAfter);
        const [seats] = (await manager.query(
          `SELECT coalesce((SELECT min(capacity - booked_seats) FROM scheduling.sessions WHERE track_id = $1 AND local_date >= $2 AND starts_at > now() AND status = 'scheduled'),
                           (SELECT min(capacity) FROM scheduling.track_sessions WHERE track_id = $1), 0)::int AS free`,
          [t.trackId, firstDate ?? '9999-12-31'],
        )) as Array<{ free: number }>;
        candidates.push({
          trackId: t.trackId,
          name: t.name,
          programId: t.programId,
          levelOfCare: t.levelOfCare,
          weeklyMinutes: t.weeklyMinutes,
          freeSeats: seats?.free ?? 0,
          firstDate,
        });
      }
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `enrolment:${enrolmentId}/track-suggestions`, patientId: enrolment.patientId, siteId: enrolment.siteId },
      );
      return rankTracks(candidates, { weeklyGroupMinutes: plan.weeklyGroupMinutes, levelOfCare: enrolment.levelOfCare });
    });
  }

  private async bookTrack(
    manager: EntityManager,
    ctx: SeatEventContext,
    enrolment: Enrolment,
    plan: Plan,
    track: TrackRow,
    from: string,
    site: Site,
  ): Promise<string[]> {
    const sessions = sessionsWithinBudget(await trackSessionsFrom(manager, track.trackId, from), plan.weeklyGroupMinutes);
    const booked = await bookAllSeats(manager, { ...enrolment, siteId: track.siteId }, sessions, site.timeZone);
    await announceSeats(manager, ctx, 'booked', { ...enrolment, siteId: track.siteId }, booked);
    const note =
      track.weeklyMinutes < plan.weeklyGroupMinutes
        ? `transfer needed: the plan asks ${plan.weeklyGroupMinutes} group minutes a week, the track offers ${track.weeklyMinutes}`
        : null;
    await manager.query(`UPDATE scheduling.enrolments SET placement_note = $2 WHERE enrolment_id = $1`, [enrolment.enrolmentId, note]);
    return booked;
  }

  private async moveWithinSite(
    manager: EntityManager,
    ctx: SeatEventContext,
    enrolment: Enrolment,
    plan: Plan,
    track: TrackRow,
    requestedFrom: string | undefined,
    change: 'transferred' | 'stepped-down' | 'stepped-up',
  ): Promise<PlacementResult> {
    const site = await requireSite(manager, enrolment.siteId);
    const today = todayAt(site);
    const from = joinDate(track, requestedFrom, laterOf(today, enrolment.plannedStart), today);
    const released = await releaseSeats(manager, enrolment.enrolmentId, { from: startOf(from, site.timeZone) });
    await announceSeats(manager, ctx, 'released', enrolment, released);
    const booked = await this.bookTrack(manager, ctx, enrolment, plan, track, from, site);
    const moved = await moveTo(manager, enrolment.enrolmentId, track, from, change === 'transferred' ? undefined : track.levelOfCare);
    await this.changed(manager, moved, change, from, ctx.correlationId);
    return { enrolment: moved, bookedSessionIds: booked, releasedSessionIds: released };
  }

  /**
   * To another site of the network: the old enrolment ends `transferred` (its seats and appointments from the move on
   * released), a new one starts at the new site, placed in the track, with a copy of the plan. The caller needs
   * access to both sites (the old one to see the enrolment, the new one to see the track).
   */
  private async transferToSite(
    manager: EntityManager,
    ctx: SeatEventContext,
    principal: Principal,
    enrolment: Enrolment,
    plan: Plan,
    track: TrackRow,
    requestedFrom: string | undefined,
  ): Promise<PlacementResult> {
    if (!mayActOnSite(principal, track.siteId)) throw new DomainError('auth.site', `your access does not include site ${track.siteId}`, 403);
    const newSite = await requireSite(manager, track.siteId);
    const today = todayAt(newSite);
    const from = joinDate(track, requestedFrom, laterOf(today, enrolment.plannedStart), today);
    const continuedBy = crypto.randomUUID();
    const released = await endEnrolment(
      manager,
      ctx.outbox,
      enrolment,
      { reason: 'transferred', at: startOf(from, newSite.timeZone), continuedBy },
      ctx.correlationId,
    );
    await enrolmentStore.insert(manager, {
      ...enrolment,
      enrolmentId: continuedBy,
      siteId: track.siteId,
      status: 'placed',
      programId: track.programId,
      trackId: track.trackId,
      placedFrom: from,
    });
    const newPlan: Plan = {
      ...plan,
      planId: crypto.randomUUID(),
      enrolmentId: continuedBy,
      siteId: track.siteId,
      version: 1,
      effectiveFrom: from,
      updatedBy: principal.subject,
    };
    await planStore.write(manager, newPlan, `transferred from site ${enrolment.siteId} (plan version ${plan.version})`);
    const moved = (await enrolmentStore.find(manager, continuedBy))!;
    const booked = await this.bookTrack(manager, ctx, moved, newPlan, track, from, newSite);
    const occurredAt = new Date().toISOString();
    const c = { correlationId: ctx.correlationId };
    await ctx.outbox.add(
      manager,
      PatientEnrolled,
      {
        enrolmentId: continuedBy,
        patientId: moved.patientId,
        episodeId: moved.episodeId,
        siteId: moved.siteId,
        plannedStart: moved.plannedStart,
        status: 'placed',
        occurredAt,
      },
      c,
    );
    await ctx.outbox.add(manager, TreatmentPlanUpdated, planEvent(newPlan, occurredAt), c);
    await this.changed(manager, moved, 'transferred', from, ctx.correlationId);
    await this.audit.record(
      manager,
      { principal, requestId: ctx.correlationId },
      { action: 'update', resource: `enrolment:${enrolment.enrolmentId}/transfer`, patientId: moved.patientId, siteId: enrolment.siteId },
    );
    await this.audit.record(
      manager,
      { principal, requestId: ctx.correlationId },
      { action: 'create', resource: `enrolment:${continuedBy}`, patientId: moved.patientId, siteId: moved.siteId },
    );
    return { enrolment: (await enrolmentStore.find(manager, continuedBy))!, bookedSessionIds: booked, releasedSessionIds: released };
  }

  private async changed(manager: EntityManager, e: Enrolment, change: PayloadOf<typeof EnrolmentChanged>['change'], from: string, correlationId?: string) {
    await this.outbox.add(
      manager,
      EnrolmentChanged,
      {
        enrolmentId: e.enrolmentId,
        patientId: e.patientId,
        episodeId: e.episodeId,
        siteId: e.siteId,
        change,
        trackId: e.trackId,
        programId: e.programId,
        effectiveFrom: from,
        occurredAt: new Date().toISOString(),
      },
      { correlationId },
    );
  }
}

async function openEnrolment(manager: EntityManager, enrolmentId: string): Promise<Enrolment> {
  const e = await enrolmentStore.require(manager, enrolmentId, true);
  if (e.status === 'ended') throw conflict('enrolment.ended', `enrolment ${enrolmentId} has ended`);
  if (e.status !== 'placed') throw conflict('enrolment.not-placed', `enrolment ${enrolmentId} is not placed yet: place the patient first`);
  return e;
}

async function requirePlan(manager: EntityManager, enrolment: Enrolment): Promise<Plan> {
  const plan = await planStore.forEnrolment(manager, enrolment.enrolmentId);
  if (!plan) throw invalid('plan.missing', `the patient has no treatment plan yet: group sessions are booked only against a plan`);
  return plan;
}

function sameKind(track: TrackRow, enrolment: Enrolment): void {
  if (track.programKind !== enrolment.programType) {
    throw invalid(
      'track.program-mismatch',
      `track ${track.trackId} belongs to a ${track.programKind} program; the patient was admitted for ${enrolment.programType}`,
    );
  }
}

/** The date the patient starts in the track: the one asked for (checked), or the first the track admits on or after `onOrAfter`. */
function joinDate(track: TrackRow, requested: string | undefined, onOrAfter: string, today: string): string {
  if (requested) {
    if (requested < today) throw invalid('placement.in-past', `${requested} is in the past at the site (today is ${today})`);
    if (requested < track.startsOn) throw invalid('track.not-started', `track ${track.trackId} starts on ${track.startsOn}`);
    if (track.endsOn && requested > track.endsOn) throw invalid('track.ended', `track ${track.trackId} ends on ${track.endsOn}`);
    if (!isCohortStart(track, requested)) {
      throw invalid(
        'track.not-cohort-start',
        `track ${track.trackId} is a closed group: it admits only at a cohort start; the next is ${firstJoinDate(track, requested) ?? 'none (the track ends first)'}`,
      );
    }
    return requested;
  }
  const date = firstJoinDate(track, onOrAfter);
  if (!date) throw invalid('track.ended', `track ${track.trackId} admits nobody on or after ${onOrAfter}`);
  return date;
}

async function moveTo(manager: EntityManager, enrolmentId: string, track: TrackRow, from: string, levelOfCare?: string): Promise<Enrolment> {
  await manager.query(
    `UPDATE scheduling.enrolments SET status = 'placed', track_id = $2, program_id = $3, placed_from = $4, level_of_care = coalesce($5, level_of_care),
       revision = revision + 1, updated_at = now() WHERE enrolment_id = $1`,
    [enrolmentId, track.trackId, track.programId, from, levelOfCare ?? null],
  );
  return (await enrolmentStore.find(manager, enrolmentId))!;
}

function laterOf(a: string, b: string): string {
  return a > b ? a : b;
}

function startOf(date: string, timeZone: string): Date {
  return DateTime.fromISO(date, { zone: timeZone }).startOf('day').toJSDate();
}
