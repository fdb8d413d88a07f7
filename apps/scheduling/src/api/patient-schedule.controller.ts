import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiUuidParam, Returns, UuidParam, ValidQuery } from '@iop/platform';
import { PatientSchedule } from '../application/patient-schedule';
import { CARE_STAFF } from './roles';
import {
  ICalendarText,
  PatientFeedQuery,
  PatientScheduleQuery,
  PatientScheduleView,
  type PatientFeedFilter,
  type PatientScheduleFilter,
} from './patient-schedule.schemas';

@ApiTags('patient schedule')
@ApiBearerAuth()
@Controller('patients/:patientId')
export class PatientScheduleController {
  constructor(private readonly schedule: PatientSchedule) {}

  @Get('schedule')
  @Access({ roles: CARE_STAFF, site: { from: 'query', name: 'siteId' } })
  @ApiUuidParam('patientId', 'The patient id')
  @ApiOperation({ summary: "The patient's group sessions and appointments at a site between two local dates, in the site's zone (audited read)" })
  @Returns(PatientScheduleView, { status: 200, description: 'The schedule' })
  week(@UuidParam('patientId') patientId: string, @ValidQuery(PatientScheduleQuery) query: PatientScheduleFilter) {
    return this.schedule.week(patientId, query);
  }

  @Get('schedule.ics')
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  @Access({ roles: CARE_STAFF, site: { from: 'query', name: 'siteId' } })
  @ApiUuidParam('patientId', 'The patient id')
  @ApiProduces('text/calendar', 'application/json')
  @ApiOperation({
    summary:
      'An iCalendar feed of the patient’s sessions and appointments at the site, for a phone calendar; events say only "Group session at <site>" / "Appointment at <site>"',
  })
  @Returns(ICalendarText, { status: 200, description: 'text/calendar' })
  feed(@UuidParam('patientId') patientId: string, @ValidQuery(PatientFeedQuery) query: PatientFeedFilter) {
    return this.schedule.feed(patientId, query.siteId);
  }
}
