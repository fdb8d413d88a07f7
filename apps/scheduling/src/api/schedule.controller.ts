import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Access, Public } from '@iop/auth';
import { ApiUuidParam, Returns, UuidParam, ValidQuery } from '@iop/platform';
import { ClinicianSchedule } from '../application/clinician-schedule.query';
import { SCHEDULE_READERS, SITE_ADMINS } from './roles';
import { FeedLinkView, IcsFeed, ScheduleQuery, ScheduleView } from './schedule.schemas';

const FeedToken = z
  .string()
  .max(400)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be the token of a calendar feed link');

@ApiTags('clinicians and rooms')
@Controller()
export class ScheduleController {
  constructor(private readonly schedule: ClinicianSchedule) {}

  @Get('clinicians/:clinicianId/schedule')
  @ApiBearerAuth()
  @Access({ roles: SCHEDULE_READERS })
  @ApiUuidParam('clinicianId', 'The clinician id')
  @ApiOperation({ summary: "A clinician's group sessions (leading or co-leading) and appointments between two local dates, in the site's zone" })
  @Returns(ScheduleView, { status: 200, description: 'The schedule in start order' })
  get(@UuidParam('clinicianId') clinicianId: string, @ValidQuery(ScheduleQuery) query: ScheduleQuery) {
    return this.schedule.between(clinicianId, query.from, query.to);
  }

  @Get('clinicians/:clinicianId/schedule.ics')
  @ApiBearerAuth()
  @Header('content-type', 'text/calendar; charset=utf-8')
  @Access({ roles: SCHEDULE_READERS })
  @ApiUuidParam('clinicianId', 'The clinician id')
  @ApiOperation({
    summary:
      "The clinician's schedule as an iCalendar feed (text/calendar; UID = session or appointment id, so updates replace events), with the usual bearer token. A calendar app that cannot send one subscribes to a signed feed link instead (POST /clinicians/{clinicianId}/feed-link)",
  })
  @Returns(IcsFeed, { status: 200, description: 'iCalendar text; event summaries name only the kind of event and the site' })
  ics(@UuidParam('clinicianId') clinicianId: string, @ValidQuery(ScheduleQuery) query: ScheduleQuery) {
    return this.schedule.ics(clinicianId, query.from, query.to);
  }

  @Post('clinicians/:clinicianId/feed-link')
  @HttpCode(201)
  @ApiBearerAuth()
  @Access({ roles: ['clinician', ...SITE_ADMINS] })
  @ApiUuidParam('clinicianId', 'The clinician id')
  @ApiOperation({ summary: "A signed link to the clinician's calendar feed for a calendar app (their own, or any of the site's for a site admin); it expires" })
  @Returns(FeedLinkView, { status: 201, description: 'The feed path to subscribe to, on this service' })
  feedLink(@UuidParam('clinicianId') clinicianId: string) {
    return this.schedule.feedLink(clinicianId);
  }

  @Get('calendar-feeds/:token/schedule.ics')
  @Public()
  @Header('content-type', 'text/calendar; charset=utf-8')
  @ApiParam({ name: 'token', description: 'The signed token of a feed link', schema: { type: 'string' } })
  @ApiOperation({
    summary: "A clinician's calendar feed through its signed link (no bearer token: the link is the credential; the next 12 weeks and the last one)",
  })
  @Returns(IcsFeed, { status: 200, description: 'iCalendar text' })
  byLink(@Param('token', { transform: (value: unknown) => FeedToken.parse(value) }) token: string) {
    return this.schedule.icsByLink(token);
  }
}
