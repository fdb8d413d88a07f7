// Telemetry first: instrumentations patch http, pg, kafkajs and redis as they load.
import './telemetry';
import 'reflect-metadata';
import { runService } from '@iop/platform';
import { AFTERCARE_API } from './api-document';
import { AftercareModule } from './aftercare.module';

void runService(AftercareModule, { ...AFTERCARE_API, defaultPort: 3005 });
