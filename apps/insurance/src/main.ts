// Telemetry first: instrumentations patch http, pg, kafkajs and redis as they load.
import './telemetry';
import 'reflect-metadata';
import { runService } from '@iop/platform';
import { InsuranceModule } from './insurance.module';

void runService(InsuranceModule, {
  title: 'Insurance service',
  description: 'Payers, coverage, X12 270/271 eligibility, benefits, cost estimates and prior authorisations.',
  defaultPort: 3002,
});
