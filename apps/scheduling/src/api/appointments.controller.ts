import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody } from '@iop/platform';
import { Appointments } from '../application/appointments';
import { AppointmentView, BookAppointmentBody, CancelAppointmentBody, RescheduleAppointmentBody } from './appointment.schemas';
import { CARE_STAFF } from './roles';

@ApiTags('appointments')
@ApiBearerAuth()
@Controller()
export class AppointmentsController {
  constructor(private readonly appointments: Appointments) {}

  @Post('sites/:siteId/appointments')
  @HttpCode(201)
  @Access({ roles: CARE_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: 'Book an individual appointment; 409 names the clinician, room or patient commitment in the way' })
  @ApiBodyFrom(BookAppointmentBody)
  @Returns(AppointmentView, { status: 201, description: 'The appointment as booked' })
  book(@UuidParam('siteId') siteId: string, @ValidBody(BookAppointmentBody) body: BookAppointmentBody) {
    return this.appointments.book(siteId, body);
  }

  @Get('appointments/:appointmentId')
  @Access({ roles: CARE_STAFF })
  @ApiUuidParam('appointmentId', 'The appointment id')
  @ApiOperation({ summary: 'One appointment (audited read)' })
  @Returns(AppointmentView, { status: 200, description: 'The appointment' })
  get(@UuidParam('appointmentId') appointmentId: string) {
    return this.appointments.get(appointmentId);
  }

  @Post('appointments/:appointmentId/reschedule')
  @HttpCode(200)
  @Access({ roles: CARE_STAFF })
  @ApiUuidParam('appointmentId', 'The appointment id')
  @ApiOperation({ summary: 'Move an appointment to another time (and optionally clinician, room or telehealth)' })
  @ApiBodyFrom(RescheduleAppointmentBody)
  @Returns(AppointmentView, { status: 200, description: 'The appointment as moved' })
  reschedule(@UuidParam('appointmentId') appointmentId: string, @ValidBody(RescheduleAppointmentBody) body: RescheduleAppointmentBody) {
    return this.appointments.reschedule(appointmentId, body);
  }

  @Post('appointments/:appointmentId/cancellation')
  @HttpCode(200)
  @Access({ roles: CARE_STAFF })
  @ApiUuidParam('appointmentId', 'The appointment id')
  @ApiOperation({ summary: 'Cancel an appointment with a reason; its time is freed for the clinician, room and patient' })
  @ApiBodyFrom(CancelAppointmentBody)
  @Returns(AppointmentView, { status: 200, description: 'The appointment as cancelled' })
  cancel(@UuidParam('appointmentId') appointmentId: string, @ValidBody(CancelAppointmentBody) body: CancelAppointmentBody) {
    return this.appointments.cancel(appointmentId, body);
  }
}
