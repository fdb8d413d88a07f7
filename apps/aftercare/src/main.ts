// Telemetry first: instrumentations patch http, pg, kafkajs and redis as they load.
import './telemetry';
import 'reflect-metadata';
import { runService } from '@iop/platform';
import { AftercareModule } from './aftercare.module';

void runService(AftercareModule, {
  title: 'Aftercare service',
  description: 'Discharge, step-down, aftercare plans, follow-ups and outcomes.',
  defaultPort: 3005,
});
