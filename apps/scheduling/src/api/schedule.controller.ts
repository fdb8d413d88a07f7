import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiUuidParam, Returns, UuidParam, ValidQuery } from '@iop/platform';
import { ClinicianSchedule } from '../application/clinician-schedule.query';
import { SCHEDULE_READERS } from './roles';
import { IcsFeed, ScheduleQuery, ScheduleView } from './schedule.schemas';

@ApiTags('clinicians and rooms')
@ApiBearerAuth()
@Controller('clinicians/:clinicianId')
export class ScheduleController {
  constructor(private readonly schedule: ClinicianSchedule) {}

  @Get('schedule')
  @Access({ roles: SCHEDULE_READERS })
  @ApiUuidParam('clinicianId', 'The clinician id')
  @ApiOperation({ summary: "A clinician's group sessions (leading or co-leading) and appointments between two local dates, in the site's zone" })
  @Returns(ScheduleView, { status: 200, description: 'The schedule in start order' })
  get(@UuidParam('clinicianId') clinicianId: string, @ValidQuery(ScheduleQuery) query: ScheduleQuery) {
    return this.schedule.between(clinicianId, query.from, query.to);
  }

  @Get('schedule.ics')
  @Header('content-type', 'text/calendar; charset=utf-8')
  @Access({ roles: SCHEDULE_READERS })
  @ApiUuidParam('clinicianId', 'The clinician id')
  @ApiOperation({
    summary:
      "The clinician's schedule as an iCalendar feed (text/calendar; UID = session or appointment id, so updates replace events). Needs the usual bearer token: a calendar app that cannot send one needs a proxy that adds it",
  })
  @Returns(IcsFeed, { status: 200, description: 'iCalendar text; event summaries name only the kind of event and the site' })
  ics(@UuidParam('clinicianId') clinicianId: string, @ValidQuery(ScheduleQuery) query: ScheduleQuery) {
    return this.schedule.ics(clinicianId, query.from, query.to);
  }
}
