// Telemetry first: instrumentations patch http, pg, kafkajs and redis as they load.
import './telemetry';
import 'reflect-metadata';
import { runService } from '@iop/platform';
import { ATTENDANCE_API } from './api-document';
import { AttendanceModule } from './attendance.module';

void runService(AttendanceModule, { ...ATTENDANCE_API, defaultPort: 3004 });
