import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER, PlatformModule } from '@iop/platform';
import { CoveragesController } from './api/coverages.controller';
import { EstimatesController } from './api/estimates.controller';
import { PayersController } from './api/payers.controller';
import { VerificationsController } from './api/verifications.controller';
import { AuthorizationSweep, authorizationUsageHandlers } from './application/authorization-watch';
import { CLEARINGHOUSE } from './application/clearinghouse.port';
import { CompletePhoneVerification } from './application/complete-phone-verification.use-case';
import { consentReadModelHandlers } from './application/consent-read-model';
import { CoverageRequestWorker, coverageRequestHandlers } from './application/coverage-request.saga';
import { EstimateCost } from './application/estimate-cost.use-case';
import { episodeEndHandlers } from './application/episode-end';
import { MonthlyReverification, episodeHandlers } from './application/monthly-reverification';
import { patientSiteReadModelHandlers } from './application/patient-site-read-model';
import { RecordCoverage } from './application/record-coverage.use-case';
import { UpdatePayer } from './application/update-payer.use-case';
import { VerifyCoverage } from './application/verify-coverage';
import { HttpClearinghouse, clearinghouseOptionsFromEnv } from './infrastructure/http-clearinghouse';
import { Insurance1763800004000 } from './infrastructure/migrations/1763800004000-insurance';
import { AuthorizationWarnings1763800005000 } from './infrastructure/migrations/1763800005000-authorization-warnings';
import { SagaConsentWait1763800006000 } from './infrastructure/migrations/1763800006000-saga-consent-wait';
import { PatientSites1763800007000 } from './infrastructure/migrations/1763800007000-patient-sites';
import { ConsentDisclosers1763800008000 } from './infrastructure/migrations/1763800008000-consent-disclosers';
import { VerificationAttempts1763800009000 } from './infrastructure/migrations/1763800009000-verification-attempts';
import { EpisodeEnd1763800010000 } from './infrastructure/migrations/1763800010000-episode-end';
import { Discharges1763800011000 } from './infrastructure/migrations/1763800011000-discharges';
import { X12WarningsAndRejectionTasks1763800012000 } from './infrastructure/migrations/1763800012000-x12-warnings-and-rejection-tasks';

@Module({
  imports: [
    PlatformModule.forService({
      service: 'insurance',
      siteDirectory: true,
      migrations: [
        Insurance1763800004000,
        AuthorizationWarnings1763800005000,
        SagaConsentWait1763800006000,
        PatientSites1763800007000,
        ConsentDisclosers1763800008000,
        VerificationAttempts1763800009000,
        EpisodeEnd1763800010000,
        Discharges1763800011000,
        X12WarningsAndRejectionTasks1763800012000,
      ],
      // What was sent to and received from payers is evidence: the service may add to it, never rewrite it.
      appendOnlyTables: ['eligibility_exchanges'],
      handlers: [
        ...consentReadModelHandlers,
        ...patientSiteReadModelHandlers,
        ...coverageRequestHandlers,
        ...episodeHandlers,
        ...episodeEndHandlers,
        ...authorizationUsageHandlers,
      ],
    }),
  ],
  controllers: [PayersController, CoveragesController, VerificationsController, EstimatesController],
  providers: [
    UpdatePayer,
    RecordCoverage,
    VerifyCoverage,
    CompletePhoneVerification,
    EstimateCost,
    CoverageRequestWorker,
    MonthlyReverification,
    AuthorizationSweep,
    { provide: CLEARINGHOUSE, useFactory: (log: Logger) => new HttpClearinghouse(clearinghouseOptionsFromEnv(log)), inject: [LOGGER] },
  ],
})
export class InsuranceModule {}
