import { Module } from '@nestjs/common';
import { PlatformModule } from '@iop/platform';
import { ProgramsController } from './api/programs.controller';
import { ScheduleController } from './api/schedule.controller';
import { SessionsController } from './api/sessions.controller';
import { ClinicianSchedule } from './application/clinician-schedule.query';
import { SitesController } from './api/sites.controller';
import { TracksController } from './api/tracks.controller';
import { SessionHorizon } from './application/session-horizon.job';
import { CancelSession, ChangeSession, CloseSiteForADay, ReopenSiteDay } from './application/session.use-cases';
import { ChangeTrack, DefineTrack } from './application/track.use-cases';
import { StaffController } from './api/staff.controller';
import { ChangeProgram, DefineProgram } from './application/program.use-cases';
import { AddClinician, AddRoom, ChangeClinician, ChangeRoom } from './application/staff.use-cases';
import { AppointmentsController } from './api/appointments.controller';
import { EnrolmentsController } from './api/enrolments.controller';
import { PlansController } from './api/plans.controller';
import { PatientFeedController, PatientScheduleController } from './api/patient-schedule.controller';
import { PatientAdmittedHandler } from './application/admissions';
import { DischargeAmendedHandler, PatientDischargedHandler } from './application/discharges';
import { Appointments } from './application/appointments';
import { EnrolmentQueries } from './application/enrolment-queries';
import { TreatmentPlans } from './application/treatment-plans';
import { Placement } from './application/placement';
import { PatientSchedule } from './application/patient-schedule';
import { ReminderSweep } from './application/reminders';
import { RegisterSite } from './application/register-site.use-case';
import { UpdateSite } from './application/update-site.use-case';
import { SiteEntity } from './infrastructure/site.entity';
import { Sites1763800001000 } from './infrastructure/migrations/1763800001000-sites';
import { Week1763800011000 } from './infrastructure/migrations/1763800011000-week';
import { PatientCare1763800013000 } from './infrastructure/migrations/1763800013000-patient-care';
import { Discharges1763800014000 } from './infrastructure/migrations/1763800014000-discharges';

const EVENT_HANDLERS = [PatientAdmittedHandler, PatientDischargedHandler, DischargeAmendedHandler];

@Module({
  imports: [
    PlatformModule.forService({
      service: 'scheduling',
      siteDirectory: false,
      entities: [SiteEntity],
      migrations: [Sites1763800001000, Week1763800011000, PatientCare1763800013000, Discharges1763800014000],
      appendOnlyTables: ['treatment_plan_versions'],
      handlerProviders: EVENT_HANDLERS,
    }),
  ],
  controllers: [
    SitesController,
    StaffController,
    ProgramsController,
    TracksController,
    SessionsController,
    ScheduleController,
    EnrolmentsController,
    AppointmentsController,
    PlansController,
    PatientScheduleController,
    PatientFeedController,
  ],
  providers: [
    RegisterSite,
    UpdateSite,
    AddClinician,
    ChangeClinician,
    AddRoom,
    ChangeRoom,
    DefineProgram,
    ChangeProgram,
    DefineTrack,
    ChangeTrack,
    ChangeSession,
    CancelSession,
    CloseSiteForADay,
    ReopenSiteDay,
    SessionHorizon,
    ClinicianSchedule,
    EnrolmentQueries,
    Appointments,
    TreatmentPlans,
    Placement,
    PatientSchedule,
    ReminderSweep,
    ...EVENT_HANDLERS,
  ],
})
export class SchedulingModule {}
