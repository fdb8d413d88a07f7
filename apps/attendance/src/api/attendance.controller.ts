import { Controller, Get, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Access, Public } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody, ValidQuery, rawBodyOf } from '@iop/platform';
import { AttendanceQueries, chargesCsv } from '../application/attendance-queries';
import { RecordAttendance } from '../application/recording.use-cases';
import { TelehealthEvents, verifyTelehealthSignature } from '../application/telehealth';
import {
  ChargesQuery,
  ChargesView,
  CheckInBody,
  CheckOutBody,
  CorrectionBody,
  DayQuery,
  DaySessionsView,
  GroupAttendanceBody,
  GroupAttendanceView,
  KioskCheckInBody,
  KioskCodeView,
  OutreachView,
  PatientHoursQuery,
  PatientHoursView,
  RecordView,
  RosterView,
  SiteWeeksQuery,
  SiteWeeksView,
  TelehealthEventBody,
} from './attendance.schemas';
import { ANALYSTS, ATTENDANCE_STAFF, BILLING, CORRECTORS } from './roles';

const at = (value: string | undefined) => (value ? new Date(value) : undefined);

@ApiTags('attendance')
@ApiBearerAuth()
@Controller()
export class AttendanceController {
  constructor(
    private readonly record: RecordAttendance,
    private readonly queries: AttendanceQueries,
    private readonly telehealth: TelehealthEvents,
  ) {}

  @Get('sessions/:sessionId/roster')
  @Access({ roles: ATTENDANCE_STAFF })
  @ApiUuidParam('sessionId', 'The session (or appointment) id')
  @ApiOperation({ summary: 'Who is booked in a session, with their attendance record if any: ids and statuses only (audited: it lists patients)' })
  @Returns(RosterView, { status: 200, description: 'The session and its roster' })
  roster(@UuidParam('sessionId') sessionId: string) {
    return this.queries.roster(sessionId);
  }

  @Get('sites/:siteId/sessions')
  @Access({ roles: ATTENDANCE_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "A site's sessions and appointments on one local day (the site's zone), with how many are booked and recorded" })
  @Returns(DaySessionsView, { status: 200, description: 'The day, in start order' })
  sessionsOn(@UuidParam('siteId') siteId: string, @ValidQuery(DayQuery) query: DayQuery) {
    return this.queries.sessionsOn(siteId, query.date);
  }

  @Get('sessions/:sessionId/kiosk-code')
  @Access({ roles: ATTENDANCE_STAFF })
  @ApiUuidParam('sessionId', 'The session id')
  @ApiOperation({ summary: 'The 6-digit kiosk code for the room screen: each session has its own, valid from 30 minutes before it starts to its end' })
  @Returns(KioskCodeView, { status: 200, description: 'The code and when it works' })
  kioskCode(@UuidParam('sessionId') sessionId: string) {
    return this.queries.kioskCode(sessionId);
  }

  @Post('sessions/:sessionId/check-ins')
  @HttpCode(201)
  @Access({ roles: ATTENDANCE_STAFF })
  @ApiUuidParam('sessionId', 'The session id')
  @ApiOperation({ summary: 'Check a booked patient in (late minutes from the scheduled start); publishes attendance.attendance-recorded' })
  @ApiBodyFrom(CheckInBody)
  @Returns(RecordView, { status: 201, description: 'The record, revision 1' })
  checkIn(@UuidParam('sessionId') sessionId: string, @ValidBody(CheckInBody) body: CheckInBody) {
    return this.record.checkIn(sessionId, body.patientId, at(body.at));
  }

  @Post('sessions/:sessionId/check-outs')
  @HttpCode(200)
  @Access({ roles: ATTENDANCE_STAFF })
  @ApiUuidParam('sessionId', 'The session id')
  @ApiOperation({ summary: 'Check a patient out (early minutes to the scheduled end); completes the record and recounts the billable day' })
  @ApiBodyFrom(CheckOutBody)
  @Returns(RecordView, { status: 200, description: 'The completed record' })
  checkOut(@UuidParam('sessionId') sessionId: string, @ValidBody(CheckOutBody) body: CheckOutBody) {
    return this.record.checkOut(sessionId, body.patientId, at(body.at));
  }

  @Post('sessions/:sessionId/attendance')
  @HttpCode(200)
  @Access({ roles: ATTENDANCE_STAFF })
  @ApiUuidParam('sessionId', 'The session id')
  @ApiOperation({ summary: 'The whole group at once: all present (or all absent), then the exceptions; patients already recorded are left as they are' })
  @ApiBodyFrom(GroupAttendanceBody)
  @Returns(GroupAttendanceView, { status: 200, description: 'The records written and the patients left unchanged' })
  group(@UuidParam('sessionId') sessionId: string, @ValidBody(GroupAttendanceBody) body: GroupAttendanceBody) {
    return this.record.group(sessionId, body.allPresent, body.exceptions);
  }

  @Post('kiosk/check-in')
  @HttpCode(201)
  @Access({ roles: ATTENDANCE_STAFF, site: { from: 'body', name: 'siteId' } })
  @ApiOperation({ summary: "The room kiosk: check in with the session's code from the room screen, only while the session is open" })
  @ApiBodyFrom(KioskCheckInBody)
  @Returns(RecordView, { status: 201, description: 'The record, revision 1' })
  kiosk(@ValidBody(KioskCheckInBody) body: KioskCheckInBody) {
    return this.record.kiosk(body.siteId, body.sessionCode, body.patientId);
  }

  @Post('attendance/:recordId/corrections')
  @HttpCode(200)
  @Access({ roles: CORRECTORS })
  @ApiUuidParam('recordId', 'The attendance record id')
  @ApiOperation({ summary: 'Correct a record with a reason (audited): revision + 1, every earlier version kept; publishes attendance.attendance-corrected' })
  @ApiBodyFrom(CorrectionBody)
  @Returns(RecordView, { status: 200, description: 'The record as corrected' })
  correct(@UuidParam('recordId') recordId: string, @ValidBody(CorrectionBody) body: CorrectionBody) {
    return this.record.correct(recordId, body);
  }

  @Post('telehealth/events')
  @HttpCode(200)
  @Public()
  @ApiHeader({ name: 'x-iop-signature', required: true, description: 'hex HMAC-SHA256 of `${x-iop-timestamp}.${raw body}` under TELEHEALTH_WEBHOOK_SECRET' })
  @ApiHeader({ name: 'x-iop-timestamp', required: true, description: 'Unix seconds; refused outside 5 minutes of now' })
  @ApiOperation({
    summary:
      "The video platform's webhook: a patient joined or left a telehealth session. Signed (no bearer token); a replayed event id is refused with 409; intervals merge into attended minutes",
  })
  @ApiBodyFrom(TelehealthEventBody)
  @Returns(RecordView, { status: 200, description: "The seat's record after the event" })
  telehealthEvent(
    @Req() req: unknown,
    @Headers('x-iop-signature') signature: string | undefined,
    @Headers('x-iop-timestamp') timestamp: string | undefined,
    // The body's shape is checked first (the schema is public; a 400 tells nothing secret), then the signature over its exact bytes.
    @ValidBody(TelehealthEventBody) body: TelehealthEventBody,
  ) {
    verifyTelehealthSignature({ signature, timestamp }, rawBodyOf(req));
    return this.telehealth.receive(body);
  }

  @Get('patients/:patientId/attendance')
  @Access({ roles: ATTENDANCE_STAFF, site: { from: 'query', name: 'siteId' } })
  @ApiUuidParam('patientId', 'The patient id')
  @ApiOperation({ summary: "A patient's attended minutes per session, local day and ISO week (site's zone) against the plan's weekly minimum (audited)" })
  @Returns(PatientHoursView, { status: 200, description: 'Sessions, days and weeks' })
  hours(@UuidParam('patientId') patientId: string, @ValidQuery(PatientHoursQuery) query: PatientHoursQuery) {
    return this.queries.patientHours(patientId, query.siteId, query.from, query.to);
  }

  @Get('sites/:siteId/charges')
  @Access({ roles: BILLING, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({
    summary: "The site's charges between two local dates: per-diem days (H0015/S9480, 0906/0905) and discrete lines, as JSON or CSV (format=csv)",
  })
  @Returns(ChargesView, { status: 200, description: 'The charges; format=csv answers text/csv with a header row' })
  async charges(
    @UuidParam('siteId') siteId: string,
    @ValidQuery(ChargesQuery) query: z.infer<typeof ChargesQuery>,
    @Res({ passthrough: true }) res: { setHeader(name: string, value: string): void },
  ) {
    const charges = await this.queries.charges(siteId, query.from, query.to);
    if (query.format === 'csv') {
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', `attachment; filename="charges-${siteId}-${query.from}-${query.to}.csv"`);
      return chargesCsv(charges);
    }
    return { siteId, from: query.from, to: query.to, charges };
  }

  @Get('sites/:siteId/site-weeks')
  @Access({ roles: ANALYSTS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({
    summary:
      "The site's de-identified figures per ISO week (attendance and no-show rates, hours per patient), as analytics.site-week publishes them: counts from 1 to 10 and the rates from them suppressed",
  })
  @Returns(SiteWeeksView, { status: 200, description: 'The weeks whose Monday falls between from and to that have records' })
  siteWeeks(@UuidParam('siteId') siteId: string, @ValidQuery(SiteWeeksQuery) query: SiteWeeksQuery) {
    return this.queries.siteWeeks(siteId, query.from, query.to);
  }

  @Get('sites/:siteId/outreach')
  @Access({ roles: ATTENDANCE_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "The site's outreach work queue: patients with two consecutive no-shows (audited: it lists patients)" })
  @Returns(OutreachView, { status: 200, description: 'Open outreach, newest first' })
  outreach(@UuidParam('siteId') siteId: string) {
    return this.queries.outreach(siteId);
  }
}
