import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Access, Public } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody, ValidQuery } from '@iop/platform';
import { PatientSchedule } from '../application/patient-schedule';
import { CARE_STAFF } from './roles';
import {
  ICalendarText,
  PatientFeedLinkBody,
  PatientFeedLinkView,
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

  @Post('feed-link')
  @HttpCode(201)
  @Access({ roles: CARE_STAFF, site: { from: 'body', name: 'siteId' } })
  @ApiUuidParam('patientId', 'The patient id')
  @ApiBodyFrom(PatientFeedLinkBody)
  @ApiOperation({
    summary:
      "A signed link to the patient's calendar feed at the site, for the patient's phone calendar (no bearer token needed); it expires, and stops when the enrolment at the site ends (audited)",
  })
  @Returns(PatientFeedLinkView, { status: 201, description: 'The feed path to subscribe to, on this service' })
  feedLink(@UuidParam('patientId') patientId: string, @ValidBody(PatientFeedLinkBody) body: PatientFeedLinkBody) {
    return this.schedule.feedLink(patientId, body.siteId);
  }
}

const FeedToken = z
  .string()
  .max(600)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be the token of a calendar feed link');

@ApiTags('patient schedule')
@Controller('patient-feeds')
export class PatientFeedController {
  constructor(private readonly schedule: PatientSchedule) {}

  @Get(':token/schedule.ics')
  @Public()
  @Header('Content-Type', 'text/calendar; charset=utf-8')
  @ApiParam({ name: 'token', description: 'The signed token of a patient feed link', schema: { type: 'string' } })
  @ApiProduces('text/calendar', 'application/json')
  @ApiOperation({
    summary:
      "A patient's calendar feed at one site through its signed link (no bearer token: the link is the credential; 401 for a tampered link, 403 once expired or the enrolment has ended; audited)",
  })
  @Returns(ICalendarText, { status: 200, description: 'text/calendar' })
  byLink(@Param('token', { transform: (value: unknown) => FeedToken.parse(value) }) token: string) {
    return this.schedule.feedByLink(token);
  }
}
