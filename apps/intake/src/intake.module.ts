import { Module } from '@nestjs/common';
import { PlatformModule } from '@iop/platform';
import { AdmissionsController } from './api/admissions.controller';
import { AssessmentController } from './api/assessment.controller';
import { ConsentsController } from './api/consents.controller';
import { PreScreenController } from './api/pre-screen.controller';
import { ReferralsController } from './api/referrals.controller';
import { WaitlistController } from './api/waitlist.controller';
import { AdvanceReferral } from './application/advance-referral.use-case';
import { CancelAdmissionRequest } from './application/cancel-admission.use-case';
import { Clock } from './application/clock';
import { OverrideLevelOfCare, RecordAssessment } from './application/assessment.use-cases';
import { ConsentQueries, RecordConsent, RevokeConsent } from './application/consents.use-cases';
import { ApplyCoverageAnswer } from './application/coverage-answers';
import { CreateReferral } from './application/create-referral.use-case';
import { FollowUpTasks } from './application/follow-up-tasks';
import { PipelineQuery } from './application/pipeline.query';
import { RecordPreScreen } from './application/record-pre-screen.use-case';
import { CorrectPatient } from './application/correct-patient.use-case';
import { ReferralQueries } from './application/referral-queries';
import { RequestAdmission } from './application/request-admission.use-case';
import { DeclineOffer, WaitlistQueries } from './application/waitlist.use-cases';
import { CoverageRejectedHandler, CoverageVerificationFailedHandler, CoverageVerifiedHandler } from './infrastructure/coverage-answer.handlers';
import { DischargeReactions } from './application/discharges';
import { PatientDischargedHandler, ReadmissionReferredHandler } from './infrastructure/discharge.handlers';
import { CoverageTimeoutSweep } from './infrastructure/coverage-timeout.sweep';
import { Intake1763800002000 } from './infrastructure/migrations/1763800002000-intake';
import { SagaAndWaitlist1763800003000 } from './infrastructure/migrations/1763800003000-saga-and-waitlist';
import { ReadPath1764600000000 } from './infrastructure/migrations/1764600000000-read-path';
import { DischargeAndReadmission1764600001000 } from './infrastructure/migrations/1764600001000-discharge-and-readmission';
import { ProgressByReferral1764700000000 } from './infrastructure/migrations/1764700000000-progress-by-referral';
import { SiteUpdatedHandler } from './infrastructure/site-capacity.handler';
import { WaitlistOfferExpiry } from './infrastructure/waitlist-offer-expiry.sweep';

// SiteUpdatedHandler replaces the platform's directory handler for that event (and calls it): see the class.
const EVENT_HANDLERS = [
  CoverageVerifiedHandler,
  CoverageRejectedHandler,
  CoverageVerificationFailedHandler,
  SiteUpdatedHandler,
  PatientDischargedHandler,
  ReadmissionReferredHandler,
];

@Module({
  imports: [
    PlatformModule.forService({
      service: 'intake',
      siteDirectory: true,
      migrations: [
        Intake1763800002000,
        SagaAndWaitlist1763800003000,
        ReadPath1764600000000,
        DischargeAndReadmission1764600001000,
        ProgressByReferral1764700000000,
      ],
      handlerProviders: EVENT_HANDLERS,
    }),
  ],
  controllers: [ReferralsController, PreScreenController, ConsentsController, AssessmentController, AdmissionsController, WaitlistController],
  providers: [
    CreateReferral,
    AdvanceReferral,
    ReferralQueries,
    CorrectPatient,
    RecordPreScreen,
    RecordConsent,
    RevokeConsent,
    ConsentQueries,
    RecordAssessment,
    OverrideLevelOfCare,
    RequestAdmission,
    CancelAdmissionRequest,
    Clock,
    WaitlistOfferExpiry,
    ApplyCoverageAnswer,
    FollowUpTasks,
    CoverageTimeoutSweep,
    WaitlistQueries,
    DischargeReactions,
    DeclineOffer,
    PipelineQuery,
    ...EVENT_HANDLERS,
  ],
})
export class IntakeModule {}
