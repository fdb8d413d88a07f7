// Telemetry first: instrumentations patch http, pg, kafkajs and redis as they load.
import './telemetry';
import 'reflect-metadata';
import { runService } from '@iop/platform';
import { IntakeModule } from './intake.module';

void runService(IntakeModule, {
  title: 'Intake service',
  description: 'Referrals, pre-screen, consent, assessment, admission and waitlist.',
  defaultPort: 3001,
});
