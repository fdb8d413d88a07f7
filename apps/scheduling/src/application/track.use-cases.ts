import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { SessionCancelled, SessionRescheduled, TrackChanged, TrackDefined } from '@iop/contracts';
import { Outbox } from '@iop/messaging';
import { DomainError, LOGGER, UnitOfWork, notFound } from '@iop/platform';
import type { ChangeTrackBody, DefineTrackBody } from '../api/track.schemas';
import { blocksPerWeek, RecurrenceError } from '../domain/recurrence';
import { blockProblem, placeSessions, weeklyMinutes, weeklyRangeProblem } from '../domain/track';
import { holdSiteCalendar, materialise } from './materialise';
import { programOrNotFound } from './program.use-cases';
import { releaseEverything, reholdSession } from './session-commitments';
import { sessionPayload, sessionRepository, todayIn, type Session } from './session-repository';
import { siteOrNotFound, uniquely } from './site-guard';
import { checkStaffing } from './track-rules';
import { trackRepository, type Track } from './track-repository';

export function trackEvent(track: Track, timeZone: string) {
  return {
    trackId: track.trackId,
    programId: track.programId,
    siteId: track.siteId,
    recurrence: track.recurrence,
    startsOn: track.startsOn,
    endsOn: track.endsOn,
    blockStart: track.blockStart,
    timeZone,
    enrolment: track.enrolment,
    cohortWeeks: track.cohortWeeks,
    weeklyMinutes: track.weeklyMinutes,
    sessions: track.sessions.map(({ topic: _topic, ...s }) => s),
    revision: track.revision,
    occurredAt: new Date().toISOString(),
  };
}

function blocksAWeek(track: Pick<Track, 'recurrence' | 'startsOn' | 'endsOn' | 'blockStart'>, timeZone: string): number {
  try {
    return blocksPerWeek({ rule: track.recurrence, startsOn: track.startsOn, endsOn: track.endsOn, blockStart: track.blockStart, timeZone });
  } catch (error) {
    if (error instanceof RecurrenceError) throw new DomainError('track.bad-recurrence', error.message, 400);
    throw error;
  }
}

export async function trackOrNotFound(manager: EntityManager, trackId: string, lock = false): Promise<Track> {
  const track = await trackRepository.find(manager, trackId, lock);
  if (!track) throw notFound('track.unknown', `there is no track ${trackId}`);
  return track;
}

/**
 * A site admin defines a track: a recurring block of group sessions in a program. Refused unless the block's sessions
 * follow one another, the weekly hours fit the program, every leader may lead it and every room fits its group; then
 * its sessions are put on the calendar for the horizon, each holding its leader's and room's time (409 on a clash).
 */
@Injectable()
export class DefineTrack {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
  ) {}

  execute(siteId: string, body: DefineTrackBody): Promise<Track> {
    return this.uow.run(async ({ manager, requestId }) => {
      const site = await siteOrNotFound(manager, siteId);
      // The calendar lock before any other (the outbox's key locks): closures take it first too, so no two wait on each other.
      await holdSiteCalendar(manager, siteId, 'shared');
      const program = await programOrNotFound(manager, body.programId);
      if (program.siteId !== siteId) throw notFound('program.unknown', `site ${siteId} has no program ${body.programId}`);
      const sessions = placeSessions(body.sessions);
      const problem = blockProblem(sessions);
      if (problem) throw new DomainError(problem.code, problem.message, problem.status);
      const today = todayIn(site.timeZone);
      if (body.startsOn < today)
        throw new DomainError('track.starts-in-past', `a track cannot start in the past (${body.startsOn}; today is ${today} in ${site.timeZone})`, 422);

      const recurrence = body.recurrence.replace(/^RRULE:/i, '').toUpperCase();
      const shape = { recurrence, startsOn: body.startsOn, endsOn: body.endsOn ?? null, blockStart: body.blockStart };
      const weekly = weeklyMinutes(blocksAWeek(shape, site.timeZone), sessions);
      const outOfRange = weeklyRangeProblem(weekly, program);
      if (outOfRange) throw new DomainError(outOfRange.code, outOfRange.message, outOfRange.status);
      await checkStaffing(
        manager,
        program,
        sessions.map((s, i) => ({ ...s, coLeaderId: s.coLeaderId ?? null, label: `session ${i + 1}` })),
      );

      const track: Track = {
        trackId: crypto.randomUUID(),
        siteId,
        programId: program.programId,
        name: body.name,
        ...shape,
        enrolment: body.enrolment,
        cohortWeeks: body.cohortWeeks ?? null,
        weeklyMinutes: weekly,
        materialisedTo: null,
        active: true,
        revision: 1,
        sessions: sessions.map((s, i) => ({
          position: i + 1,
          topic: s.topic,
          modality: s.modality,
          offsetMinutes: s.offsetMinutes,
          durationMinutes: s.durationMinutes,
          leaderId: s.leaderId,
          coLeaderId: s.coLeaderId ?? null,
          roomId: s.roomId,
          capacity: s.capacity,
          delivery: s.delivery,
        })),
      };
      await uniquely(() => trackRepository.insert(manager, track), 'track.name-taken', `the site already has a track named "${body.name}"`);
      await this.outbox.add(manager, TrackDefined, trackEvent(track, site.timeZone), { correlationId: requestId });
      await materialise(manager, this.outbox, track, { timeZone: site.timeZone, onClash: 'refuse', correlationId: requestId });
      return (await trackRepository.find(manager, track.trackId))!;
    });
  }
}

/**
 * Renames a track, changes its end date (sessions after it are cancelled; a later or no end extends the calendar), or
 * changes a block session's leader, co-leader or room: the change applies to every session of that position not yet
 * started, each of which then holds its new people and room (409 on a clash) and raises `session-rescheduled`.
 */
@Injectable()
export class ChangeTrack {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  execute(trackId: string, body: ChangeTrackBody): Promise<Track> {
    return this.uow.run(async ({ manager, requestId }) => {
      const current = await trackOrNotFound(manager, trackId, true);
      const site = await siteOrNotFound(manager, current.siteId);
      await holdSiteCalendar(manager, site.siteId, 'shared');
      const program = await programOrNotFound(manager, current.programId);
      const today = todayIn(site.timeZone);
      const context = { correlationId: requestId };

      let sessions = current.sessions;
      if (body.sessions) {
        for (const change of body.sessions) {
          if (!current.sessions.some((s) => s.position === change.position)) {
            throw new DomainError('track.unknown-position', `the track's block has no session ${change.position}`, 422);
          }
        }
        sessions = current.sessions.map((s) => {
          const change = body.sessions!.find((c) => c.position === s.position);
          if (!change) return s;
          return {
            ...s,
            ...(change.leaderId ? { leaderId: change.leaderId } : {}),
            ...(change.coLeaderId !== undefined ? { coLeaderId: change.coLeaderId } : {}),
            ...(change.roomId ? { roomId: change.roomId } : {}),
          };
        });
        for (const s of sessions) {
          if (s.coLeaderId === s.leaderId) throw new DomainError('track.same-leaders', `session ${s.position}: the co-leader must be someone else`, 422);
        }
        await checkStaffing(
          manager,
          program,
          sessions.filter((s) => body.sessions!.some((c) => c.position === s.position)).map((s) => ({ ...s, label: `session ${s.position}` })),
        );
      }
      if (body.endsOn) {
        if (body.endsOn < current.startsOn)
          throw new DomainError('track.ends-before-start', `the track starts on ${current.startsOn}; it cannot end before`, 422);
        if (body.endsOn < today) throw new DomainError('track.ends-in-past', `a track cannot end in the past (${body.endsOn}; today is ${today})`, 422);
      }
      const next: Track = {
        ...current,
        name: body.name ?? current.name,
        endsOn: body.endsOn === undefined ? current.endsOn : body.endsOn,
        sessions,
      };
      if (JSON.stringify(next) === JSON.stringify(current)) return current;
      if (next.endsOn !== current.endsOn) blocksAWeek(next, site.timeZone); // an end before the first block leaves no session
      const changed: Track = { ...next, revision: current.revision + 1 };
      await uniquely(() => trackRepository.update(manager, changed), 'track.name-taken', `the site already has a track named "${body.name ?? ''}"`);
      await this.outbox.add(manager, TrackChanged, trackEvent(changed, site.timeZone), context);

      if (changed.endsOn && changed.endsOn !== current.endsOn) {
        const after = await sessionRepository.where(
          manager,
          `s.track_id = $1 AND s.series_date > $2::date AND s.status = 'scheduled'`,
          [trackId, changed.endsOn],
          true,
        );
        await cancelSessions(manager, this.outbox, after, `the track ends on ${changed.endsOn}`, context);
      }
      if (body.sessions) {
        const future = await sessionRepository.where(
          manager,
          `s.track_id = $1 AND s.position = ANY($2::int[]) AND s.status = 'scheduled' AND s.starts_at > now()`,
          [trackId, body.sessions.map((c) => c.position)],
          true,
        );
        const moved: Session[] = [];
        for (const s of future) {
          const plan = changed.sessions.find((p) => p.position === s.position)!;
          const next = { ...s, leaderId: plan.leaderId, coLeaderId: plan.coLeaderId, roomId: plan.roomId, revision: s.revision + 1 };
          if (next.leaderId === s.leaderId && next.coLeaderId === s.coLeaderId && next.roomId === s.roomId) continue;
          await sessionRepository.save(manager, next);
          await reholdSession(manager, next, site.timeZone);
          moved.push(next);
        }
        await this.outbox.addMany(manager, SessionRescheduled, moved.map(sessionPayload), context);
      }
      if (changed.endsOn === null || (current.endsOn !== null && changed.endsOn > current.endsOn)) {
        await materialise(manager, this.outbox, changed, { timeZone: site.timeZone, onClash: 'refuse', correlationId: requestId, log: this.log });
      }
      return (await trackRepository.find(manager, trackId))!;
    });
  }
}

/** Cancels sessions: releases all they hold (staff, room, patients' seats) and raises `session-cancelled` for each. */
export async function cancelSessions(
  manager: EntityManager,
  outbox: Outbox,
  sessions: readonly Session[],
  reason: string,
  context: { correlationId?: string },
): Promise<Session[]> {
  const live = sessions.filter((s) => s.status === 'scheduled');
  if (live.length === 0) return [];
  const cancelled = live.map((s) => ({ ...s, status: 'cancelled' as const, cancelReason: reason, revision: s.revision + 1 }));
  await manager.query(
    `UPDATE scheduling.sessions SET status = 'cancelled', cancel_reason = $2, booked_seats = 0, revision = revision + 1, updated_at = now() WHERE session_id = ANY($1::uuid[])`,
    [cancelled.map((s) => s.sessionId), reason],
  );
  const released = await releaseEverything(
    manager,
    cancelled.map((s) => s.sessionId),
    { outbox, ...(context.correlationId ? { correlationId: context.correlationId } : {}) },
  );
  // Who held each seat goes with the cancellation: attendance records their cancelled sessions whatever order the seats' events arrive in.
  const bookedPatients = (sessionId: string) =>
    released.filter((r) => r.sessionId === sessionId).map((r) => ({ patientId: r.patientId, enrolmentId: r.enrolmentId, episodeId: r.episodeId }));
  await outbox.addMany(
    manager,
    SessionCancelled,
    cancelled.map((s) => ({ ...sessionPayload(s), reason, bookedPatients: bookedPatients(s.sessionId) })),
    context,
  );
  return cancelled;
}
