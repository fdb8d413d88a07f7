import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { ServiceDate } from '@iop/contracts';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, DomainError, Returns, ReturnsNothing, UnitOfWork, UuidParam, ValidBody, ValidQuery } from '@iop/platform';
import { Param } from '@nestjs/common';
import { sessionRepository, sessionView } from '../application/session-repository';
import { CancelSession, ChangeSession, CloseSiteForADay, ReopenSiteDay, sessionOrNotFound } from '../application/session.use-cases';
import { siteOrNotFound } from '../application/site-guard';
import { SCHEDULE_READERS, SITE_ADMINS } from './roles';
import { CancelSessionBody, ChangeSessionBody, ClosureBody, ClosureList, ClosureView, ListSessionsQuery, SessionPage, SessionView } from './session.schemas';

const encodeCursor = (startsAt: Date, sessionId: string) => Buffer.from(JSON.stringify([startsAt.toISOString(), sessionId])).toString('base64url');

function decodeCursor(cursor: string): { startsAt: string; sessionId: string } {
  try {
    const [startsAt, sessionId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof startsAt === 'string' && !Number.isNaN(Date.parse(startsAt)) && z.uuid().safeParse(sessionId).success)
      return { startsAt, sessionId: sessionId as string };
  } catch {
    // falls through to the refusal
  }
  throw new DomainError('sessions.bad-cursor', 'cursor must be the nextCursor of an earlier page', 400);
}

const DateParam = ServiceDate;

@ApiTags('sessions and closures')
@ApiBearerAuth()
@Controller()
export class SessionsController {
  constructor(
    private readonly changeSession: ChangeSession,
    private readonly cancelSession: CancelSession,
    private readonly closeDay: CloseSiteForADay,
    private readonly reopenDay: ReopenSiteDay,
    private readonly uow: UnitOfWork,
  ) {}

  @Get('sites/:siteId/sessions')
  @Access({ roles: SCHEDULE_READERS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({
    summary:
      "The site's group sessions between two local dates, in start order, a page at a time (pass nextCursor as cursor); instants in UTC with the site's local times next to them",
  })
  @Returns(SessionPage, { status: 200, description: 'One page of sessions' })
  list(@UuidParam('siteId') siteId: string, @ValidQuery(ListSessionsQuery) query: ListSessionsQuery) {
    if (query.to < query.from) throw new DomainError('sessions.bad-range', `to (${query.to}) is before from (${query.from})`, 400);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    return this.uow.run(async ({ manager }) => {
      const site = await siteOrNotFound(manager, siteId);
      const from = DateTime.fromISO(query.from, { zone: site.timeZone }).startOf('day').toJSDate();
      const to = DateTime.fromISO(query.to, { zone: site.timeZone }).plus({ days: 1 }).startOf('day').toJSDate();
      const rows = await sessionRepository.page(manager, siteId, from, to, after, query.limit + 1);
      const items = rows.slice(0, query.limit);
      const last = items[items.length - 1];
      return {
        items: items.map((s) => sessionView(s, site.timeZone)),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last.startsAt, last.sessionId) : null,
      };
    });
  }

  @Get('sessions/:sessionId')
  @Access({ roles: SCHEDULE_READERS })
  @ApiUuidParam('sessionId', 'The session id')
  @ApiOperation({ summary: 'One group session, with its booked seats (no patients named)' })
  @Returns(SessionView, { status: 200, description: 'The session' })
  get(@UuidParam('sessionId') sessionId: string) {
    return this.uow.run(async ({ manager }) => {
      const session = await sessionOrNotFound(manager, sessionId);
      const site = await siteOrNotFound(manager, session.siteId);
      return sessionView(session, site.timeZone);
    });
  }

  @Patch('sessions/:sessionId')
  @Access({ roles: SITE_ADMINS })
  @ApiUuidParam('sessionId', 'The session id')
  @ApiOperation({ summary: 'Move one session (new start, room), give it a substitute leader or another capacity, without touching its series' })
  @ApiBodyFrom(ChangeSessionBody)
  @Returns(SessionView, { status: 200, description: 'The session as changed' })
  async change(@UuidParam('sessionId') sessionId: string, @ValidBody(ChangeSessionBody) body: ChangeSessionBody) {
    const { session, timeZone } = await this.changeSession.execute(sessionId, body);
    return sessionView(session, timeZone);
  }

  @Post('sessions/:sessionId/cancellation')
  @HttpCode(200)
  @Access({ roles: SITE_ADMINS })
  @ApiUuidParam('sessionId', 'The session id')
  @ApiOperation({ summary: 'Cancel one session, with a reason: its staff, room and every seat are released' })
  @ApiBodyFrom(CancelSessionBody)
  @Returns(SessionView, { status: 200, description: 'The session, cancelled' })
  async cancel(@UuidParam('sessionId') sessionId: string, @ValidBody(CancelSessionBody) body: CancelSessionBody) {
    const { session, timeZone } = await this.cancelSession.execute(sessionId, body);
    return sessionView(session, timeZone);
  }

  @Post('sites/:siteId/closures')
  @HttpCode(201)
  @Access({ roles: SITE_ADMINS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "Close the site for a local day (holiday, weather): that day's sessions are cancelled and no new ones are put on it" })
  @ApiBodyFrom(ClosureBody)
  @Returns(ClosureView, { status: 201, description: 'The closure, and how many sessions it cancelled' })
  close(@UuidParam('siteId') siteId: string, @ValidBody(ClosureBody) body: ClosureBody) {
    return this.closeDay.execute(siteId, body);
  }

  @Get('sites/:siteId/closures')
  @Access({ roles: SCHEDULE_READERS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "The site's closed days from today on" })
  @Returns(ClosureList, { status: 200, description: 'The closures by date' })
  closures(@UuidParam('siteId') siteId: string) {
    return this.uow.run(async ({ manager }) => {
      const site = await siteOrNotFound(manager, siteId);
      const today = DateTime.now().setZone(site.timeZone).toISODate();
      return (await manager.query(
        `SELECT site_id AS "siteId", closed_on::text AS date, reason FROM scheduling.closures WHERE site_id = $1 AND closed_on >= $2::date ORDER BY closed_on`,
        [siteId, today],
      )) as unknown[];
    });
  }

  @Delete('sites/:siteId/closures/:date')
  @HttpCode(204)
  @Access({ roles: SITE_ADMINS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiParam({ name: 'date', description: 'The closed local date, YYYY-MM-DD', schema: { type: 'string', format: 'date' } })
  @ApiOperation({ summary: 'Withdraw a closure: the day takes new sessions again (the sessions it cancelled stay cancelled)' })
  @ReturnsNothing('The closure is withdrawn')
  async reopen(@UuidParam('siteId') siteId: string, @Param('date', { transform: (value: unknown) => DateParam.parse(value) }) date: string): Promise<void> {
    await this.reopenDay.execute(siteId, date);
  }
}
