// Telemetry first: instrumentations patch http, pg, kafkajs and redis as they load.
import './telemetry';
import 'reflect-metadata';
import { runService } from '@iop/platform';
import { INTAKE_API } from './api-document';
import { IntakeModule } from './intake.module';

void runService(IntakeModule, { ...INTAKE_API, defaultPort: 3001 });
