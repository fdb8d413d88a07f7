// Telemetry first: instrumentations patch http, pg, kafkajs and redis as they load.
import './telemetry';
import 'reflect-metadata';
import { runService } from '@iop/platform';
import { SCHEDULING_API } from './api-document';
import { SchedulingModule } from './scheduling.module';

void runService(SchedulingModule, { ...SCHEDULING_API, defaultPort: 3003 });
