import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { CoverageVerificationRequested } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { SERVICE_NAME, SiteDirectory, UnitOfWork } from '@iop/platform';
import { LEVEL_OF_CARE_LABELS, decideDisclosure, transitionReferral } from '../domain';
import type { RequestAdmissionBody } from '../api/admission.schemas';
import { admissionRequestRepository } from '../infrastructure/admission.repository';
import { assessmentRepository } from '../infrastructure/assessment.repository';
import { consentRepository, toDomainConsent } from '../infrastructure/consent.repository';
import { referralRepository } from '../infrastructure/referral.repository';
import { admitIntoPlace, type PlaceOutcome } from './admission-place';
import { cancelOpenCoverageRequest } from './cancel-admission.use-case';
import { auditPatient } from './audit';
import { intakeConfig } from './intake-config';
import { referralNotFound, refuse } from './intake-errors';
import { Clock } from './clock';

export type AdmissionAnswer =
  | { readonly status: 'awaiting-coverage'; readonly requestId: string; readonly answerBy: string; readonly consentId: string }
  | ({ readonly status: 'admitted' | 'waitlisted'; readonly requestId: string } & PlaceOutcome);

/**
 * The admission saga's first step. Needs an assessment deciding IOP (by the rule table or a clinician's
 * override); then either self-pay, admitted at once if there is a place, or a consent letting the site disclose
 * to the payer for payment, and a coverage request to insurance that the answer handlers carry on from.
 */
@Injectable()
export class RequestAdmission {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly clock: Clock,
  ) {}

  execute(referralId: string, body: RequestAdmissionBody): Promise<AdmissionAnswer> {
    return this.uow.run(async ({ manager, principal, requestId: httpRequestId }) => {
      const now = this.clock.now();
      const stored = await referralRepository.find(manager, referralId, true);
      if (!stored) throw referralNotFound(referralId);
      const ready = transitionReferral(stored.referral, { type: 'admit', at: now });
      if (!ready.ok) throw refuse(ready.error);
      const assessment = await assessmentRepository.forReferral(manager, referralId);
      if (!assessment) throw refuse({ code: 'assessment.not-recorded', message: 'Record the assessment before admitting.' });
      if (assessment.decision.level !== '2.1') {
        throw refuse({
          code: 'admission.not-iop',
          message: `The assessment decided ${LEVEL_OF_CARE_LABELS[assessment.decision.level]}, not IOP (2.1). Refer the patient to that level, or a clinician may override with a reason.`,
        });
      }
      const site = await this.sites.require(manager, stored.referral.siteId, this.service);
      // "Today" is the site's today: an evening admission in California is already tomorrow in UTC.
      const today = DateTime.fromJSDate(now, { zone: site.timeZone }).toISODate();
      if (today && body.plannedStart < today) {
        throw refuse({
          code: 'admission.start-in-past',
          message: `The planned start ${body.plannedStart} is before today at the site (${today}, ${site.timeZone}).`,
        });
      }
      // The self-pay route a timeout task recommends supersedes the request insurance never answered; a request
      // still within its deadline must be withdrawn explicitly, so nobody drops a verification by accident.
      const requestId = crypto.randomUUID();
      const open = await admissionRequestRepository.openFor(manager, referralId, true);
      if (open && open.status === 'timed-out' && body.payment === 'self-pay') {
        await cancelOpenCoverageRequest(manager, this.outbox, referralId, 'superseded-by-self-pay', now, principal.subject, { supersededBy: requestId });
      } else if (open) {
        throw refuse({
          code: 'admission.awaiting-coverage',
          message:
            `This admission is already waiting for insurance's answer (request ${open.requestId}${open.status === 'timed-out' ? ', past its deadline: see the follow-up tasks; a self-pay request replaces it' : ''}). ` +
            `To ask again or differently, first withdraw it: POST /referrals/${referralId}/admission/cancellation.`,
        });
      }
      const actor = { principal, requestId: httpRequestId };
      const patient = { patientId: stored.patientId, siteId: stored.referral.siteId };

      if (body.payment === 'insurance') {
        const payerId = body.payerId!;
        const consents = (await consentRepository.forPatient(manager, stored.patientId)).map(toDomainConsent);
        const decision = decideDisclosure(consents, {
          patientId: stored.patientId,
          discloser: { programId: stored.referral.siteId, networkId: intakeConfig.networkId() },
          recipient: { recipientId: payerId, name: `payer ${payerId}`, classes: ['health-plans'] },
          recordKind: 'billing-and-claims',
          purpose: { kind: 'payment' },
          at: now,
        });
        if (!decision.allowed) {
          throw refuse({ code: 'admission.no-payer-consent', message: `Coverage cannot be verified with ${payerId}: ${decision.reason}` });
        }
        const answerBy = new Date(now.getTime() + intakeConfig.coverageAnswerTimeoutMs());
        await admissionRequestRepository.insert(
          manager,
          {
            requestId,
            referralId,
            patientId: stored.patientId,
            siteId: stored.referral.siteId,
            payment: 'insurance',
            payerId,
            plannedStart: body.plannedStart,
            status: 'awaiting-coverage',
            answerBy,
          },
          principal.subject,
        );
        await this.outbox.add(
          manager,
          CoverageVerificationRequested,
          {
            requestId,
            patientId: stored.patientId,
            referralId,
            siteId: stored.referral.siteId,
            programType: assessment.recommendation.programType,
            serviceDate: body.plannedStart,
            consentId: decision.consentId,
            answerBy: answerBy.toISOString(),
            occurredAt: now.toISOString(),
          },
          { correlationId: referralId },
        );
        await auditPatient(
          this.audit,
          manager,
          actor,
          'disclose',
          `coverage-request:${requestId}`,
          patient,
          `to payer ${payerId} for payment under consent ${decision.consentId}`,
        );
        return { status: 'awaiting-coverage', requestId, answerBy: answerBy.toISOString(), consentId: decision.consentId };
      }

      await admissionRequestRepository.insert(
        manager,
        {
          requestId,
          referralId,
          patientId: stored.patientId,
          siteId: stored.referral.siteId,
          payment: 'self-pay',
          payerId: null,
          plannedStart: body.plannedStart,
          status: 'self-pay',
          answerBy: null,
        },
        principal.subject,
      );
      const outcome = await admitIntoPlace(manager, this.outbox, this.sites, {
        stored,
        assessment,
        payment: 'self-pay',
        plannedStart: body.plannedStart,
        admittedBy: principal.subject,
        at: now,
      });
      await admissionRequestRepository.settle(manager, requestId, outcome.kind, {
        payment: 'self-pay',
        ...(outcome.kind === 'admitted' ? { episodeId: outcome.episode.episodeId } : { position: outcome.position }),
      });
      await auditPatient(
        this.audit,
        manager,
        actor,
        outcome.kind === 'admitted' ? 'create' : 'update',
        outcome.kind === 'admitted' ? `episode:${outcome.episode.episodeId}` : `waitlist:${outcome.entryId}`,
        patient,
      );
      return { status: outcome.kind, requestId, ...outcome };
    });
  }
}
