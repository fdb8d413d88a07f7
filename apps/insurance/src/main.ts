// Telemetry first: instrumentations patch http, pg, kafkajs and redis as they load.
import './telemetry';
import 'reflect-metadata';
import { runService } from '@iop/platform';
import { INSURANCE_API } from './api-document';
import { InsuranceModule } from './insurance.module';

void runService(InsuranceModule, { ...INSURANCE_API, defaultPort: 3002 });
