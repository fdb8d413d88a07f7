import { Module } from '@nestjs/common';
import { PlatformModule } from '@iop/platform';
import { AppointmentsController } from './api/appointments.controller';
import { EnrolmentsController } from './api/enrolments.controller';
import { PlansController } from './api/plans.controller';
import { PatientScheduleController } from './api/patient-schedule.controller';
import { SitesController } from './api/sites.controller';
import { PatientAdmittedHandler, PlaceReleasedHandler } from './application/admissions';
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

const EVENT_HANDLERS = [PatientAdmittedHandler, PlaceReleasedHandler];

@Module({
  imports: [
    PlatformModule.forService({
      service: 'scheduling',
      siteDirectory: false,
      entities: [SiteEntity],
      migrations: [Sites1763800001000, Week1763800011000, PatientCare1763800013000],
      appendOnlyTables: ['treatment_plan_versions'],
      handlerProviders: EVENT_HANDLERS,
    }),
  ],
  controllers: [SitesController, EnrolmentsController, AppointmentsController, PlansController, PatientScheduleController],
  providers: [RegisterSite, UpdateSite, EnrolmentQueries, Appointments, TreatmentPlans, Placement, PatientSchedule, ReminderSweep, ...EVENT_HANDLERS],
})
export class SchedulingModule {}
