// Telemetry first: instrumentations patch http, pg, kafkajs and redis as they load.
import './telemetry';
import 'reflect-metadata';
import { runService } from '@iop/platform';
import { AttendanceModule } from './attendance.module';

void runService(AttendanceModule, {
  title: 'Attendance service',
  description: "Check-in and check-out, absences, weekly hours and the analysts' attendance stream.",
  defaultPort: 3004,
});
