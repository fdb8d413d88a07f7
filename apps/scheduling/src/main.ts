// Telemetry first: instrumentations patch http, pg, kafkajs and redis as they load.
import './telemetry';
import 'reflect-metadata';
import { runService } from '@iop/platform';
import { SchedulingModule } from './scheduling.module';

void runService(SchedulingModule, {
  title: 'Scheduling service',
  description: 'Sites, programs and tracks, sessions, enrolment, clinicians and rooms.',
  defaultPort: 3003,
});
