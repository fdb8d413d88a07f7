import { Injectable } from '@nestjs/common';
import { SessionRescheduled } from '@iop/contracts';
import { Outbox } from '@iop/messaging';
import { DomainError, UnitOfWork, conflict, notFound } from '@iop/platform';
import type { EntityManager } from 'typeorm';
import type { CancelSessionBody, ChangeSessionBody, ClosureBody } from '../api/session.schemas';
import { holdSiteCalendar } from './materialise';
import { programOrNotFound } from './program.use-cases';
import { reholdSession } from './session-commitments';
import { localDateOf, sessionPayload, sessionRepository, todayIn, type Session } from './session-repository';
import { siteOrNotFound } from './site-guard';
import { cancelSessions } from './track.use-cases';
import { checkStaffing } from './track-rules';

export async function sessionOrNotFound(manager: EntityManager, sessionId: string, lock = false): Promise<Session> {
  const session = await sessionRepository.find(manager, sessionId, lock);
  if (!session) throw notFound('session.unknown', `there is no session ${sessionId}`);
  return session;
}

function mustBeAhead(session: Session, now = new Date()): void {
  if (session.status === 'cancelled') throw conflict('session.cancelled', `session ${session.sessionId} is cancelled (${session.cancelReason ?? ''})`);
  if (session.startsAt <= now)
    throw new DomainError('session.started', `session ${session.sessionId} started at ${session.startsAt.toISOString()}; only a session ahead can change`, 422);
}

/**
 * One occurrence changes without touching its series: a new start (it keeps its length), another room, a substitute
 * leader or co-leader, another capacity. Everything it holds moves with it (staff, room and booked patients): a clash
 * is a 409 naming the commitment in the way.
 */
@Injectable()
export class ChangeSession {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
  ) {}

  execute(sessionId: string, body: ChangeSessionBody) {
    return this.uow.run(async ({ manager, requestId }) => {
      const current = await sessionOrNotFound(manager, sessionId, true);
      mustBeAhead(current);
      const site = await siteOrNotFound(manager, current.siteId);
      const startsAt = body.startsAt ? new Date(body.startsAt) : current.startsAt;
      if (startsAt <= new Date()) throw new DomainError('session.start-in-past', `a session cannot move into the past (${body.startsAt ?? ''})`, 422);
      const next: Session = {
        ...current,
        startsAt,
        endsAt: new Date(startsAt.getTime() + (current.endsAt.getTime() - current.startsAt.getTime())),
        localDate: localDateOf(startsAt, site.timeZone),
        leaderId: body.leaderId ?? current.leaderId,
        coLeaderId: body.coLeaderId === undefined ? current.coLeaderId : body.coLeaderId,
        roomId: body.roomId ?? current.roomId,
        capacity: body.capacity ?? current.capacity,
      };
      if (next.coLeaderId === next.leaderId) throw new DomainError('session.same-leaders', 'the co-leader must be someone else than the leader', 422);
      if (next.capacity < current.bookedSeats) {
        throw new DomainError('session.capacity-below-bookings', `${current.bookedSeats} seats are booked; the capacity cannot go below that`, 422);
      }
      const closed = (await manager.query(`SELECT reason FROM scheduling.closures WHERE site_id = $1 AND closed_on = $2::date`, [
        next.siteId,
        next.localDate,
      ])) as Array<{
        reason: string;
      }>;
      if (closed[0]) throw new DomainError('session.site-closed', `the site is closed on ${next.localDate} (${closed[0].reason})`, 422);
      if (JSON.stringify(next) === JSON.stringify(current)) return { session: current, timeZone: site.timeZone };
      const program = await programOrNotFound(manager, current.programId);
      const staffChanged =
        next.leaderId !== current.leaderId || next.coLeaderId !== current.coLeaderId || next.roomId !== current.roomId || next.capacity !== current.capacity;
      if (staffChanged) {
        const delivery = current.delivery;
        await checkStaffing(manager, program, [{ ...next, delivery, label: `session ${sessionId}` }]);
      }
      const changed = { ...next, revision: current.revision + 1 };
      await sessionRepository.save(manager, changed);
      await reholdSession(manager, changed, site.timeZone);
      await this.outbox.add(manager, SessionRescheduled, sessionPayload(changed), { correlationId: requestId });
      return { session: changed, timeZone: site.timeZone };
    });
  }
}

/** One occurrence is cancelled, with its reason: everyone it held is free again and every seat in it released. */
@Injectable()
export class CancelSession {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
  ) {}

  execute(sessionId: string, body: CancelSessionBody) {
    return this.uow.run(async ({ manager, requestId }) => {
      const current = await sessionOrNotFound(manager, sessionId, true);
      mustBeAhead(current);
      const site = await siteOrNotFound(manager, current.siteId);
      const [cancelled] = await cancelSessions(manager, this.outbox, [current], body.reason, { correlationId: requestId });
      return { session: cancelled!, timeZone: site.timeZone };
    });
  }
}

/**
 * A site closes for a day (a holiday, a storm): every session of that local day is cancelled, releasing its staff,
 * room and patients' seats, and the horizon job will not put new ones on that day.
 */
@Injectable()
export class CloseSiteForADay {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
  ) {}

  execute(siteId: string, body: ClosureBody) {
    return this.uow.run(async ({ manager, requestId }) => {
      const site = await siteOrNotFound(manager, siteId);
      const today = todayIn(site.timeZone);
      if (body.date < today)
        throw new DomainError('closure.in-past', `a closure cannot be in the past (${body.date}; today is ${today} in ${site.timeZone})`, 422);
      await holdSiteCalendar(manager, siteId, 'exclusive');
      const [inserted] = (await manager.query(
        `INSERT INTO scheduling.closures (site_id, closed_on, reason) VALUES ($1, $2, $3) ON CONFLICT (site_id, closed_on) DO NOTHING RETURNING closed_on`,
        [siteId, body.date, body.reason],
      )) as unknown[];
      if (!inserted) throw conflict('closure.exists', `the site is already closed on ${body.date}`);
      const sessions = await sessionRepository.where(
        manager,
        `s.site_id = $1 AND s.local_date = $2::date AND s.status = 'scheduled'`,
        [siteId, body.date],
        true,
      );
      const cancelled = await cancelSessions(manager, this.outbox, sessions, `site closed: ${body.reason}`, { correlationId: requestId });
      return { siteId, date: body.date, reason: body.reason, cancelledSessions: cancelled.length };
    });
  }
}

/** A closure withdrawn: the day is open again for sessions not yet on the calendar; those it cancelled stay cancelled. */
@Injectable()
export class ReopenSiteDay {
  constructor(private readonly uow: UnitOfWork) {}

  execute(siteId: string, date: string) {
    return this.uow.run(async ({ manager }) => {
      await siteOrNotFound(manager, siteId);
      const [deleted] = (await manager.query(
        `WITH d AS (DELETE FROM scheduling.closures WHERE site_id = $1 AND closed_on = $2::date RETURNING 1) SELECT count(*)::int AS n FROM d`,
        [siteId, date],
      )) as Array<{ n: number }>;
      if (deleted!.n === 0) throw notFound('closure.unknown', `the site is not closed on ${date}`);
    });
  }
}
