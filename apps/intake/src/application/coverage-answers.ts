import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { AuditTrail } from '@iop/auth';
import { CoverageRejected, CoverageVerificationFailed, CoverageVerified, type PayloadOf } from '@iop/contracts';
import { Outbox } from '@iop/messaging';
import { LOGGER, SiteDirectory } from '@iop/platform';
import { transitionReferral } from '../domain';
import { admissionRequestRepository, followUpTaskRepository, type AdmissionRequest } from '../infrastructure/admission.repository';
import { assessmentRepository } from '../infrastructure/assessment.repository';
import { referralRepository } from '../infrastructure/referral.repository';
import { admitIntoPlace } from './admission-place';
import { auditPatient } from './audit';
import { systemPrincipal } from './intake-config';

const SAGA = systemPrincipal('admission-saga');

const REJECTION_ADVICE: Readonly<Record<PayloadOf<typeof CoverageRejected>['reason'], string>> = {
  'coverage-inactive': 'the plan is not active',
  'service-not-covered': 'the plan does not cover IOP',
  'member-not-found': 'the payer cannot find the member: check the insurance details',
  'out-of-network-not-covered': 'the site is out of network and the plan has no out-of-network benefit',
  other: 'the payer refused coverage',
};

/**
 * Insurance's answers move a waiting admission on. Each answer is applied once (the consumer's inbox) and only to
 * a request still waiting, so a late or repeated answer changes nothing. An answer after the deadline is still
 * used: the follow-up task it replaced is closed.
 */
@Injectable()
export class ApplyCoverageAnswer {
  constructor(
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async verified(manager: EntityManager, answer: PayloadOf<typeof CoverageVerified>): Promise<void> {
    const request = await this.waiting(manager, answer.requestId);
    if (!request) return;
    const stored = await referralRepository.find(manager, request.referralId, true);
    const assessment = await assessmentRepository.forReferral(manager, request.referralId);
    const at = new Date();
    if (!stored || !assessment) return;
    const admissible = transitionReferral(stored.referral, { type: 'admit', at });
    if (!admissible.ok) {
      // Closed or admitted some other way while insurance was answering: nothing left to do with the answer.
      await admissionRequestRepository.settle(manager, request.requestId, 'cancelled', {
        answer: 'verified',
        verificationId: answer.verificationId,
        reason: admissible.error.code,
      });
      return;
    }
    const outcome = await admitIntoPlace(manager, this.outbox, this.sites, {
      stored,
      assessment,
      payment: 'insurance',
      plannedStart: request.plannedStart,
      admittedBy: SAGA.subject,
      at,
    });
    await followUpTaskRepository.completeOpen(manager, request.referralId, 'coverage-timeout', SAGA.subject);
    if (outcome.kind === 'admitted') {
      await admissionRequestRepository.settle(manager, request.requestId, 'admitted', {
        answer: 'verified',
        verificationId: answer.verificationId,
        episodeId: outcome.episode.episodeId,
      });
      await auditPatient(this.audit, manager, { principal: SAGA }, 'create', `episode:${outcome.episode.episodeId}`, request);
    } else {
      await admissionRequestRepository.settle(manager, request.requestId, 'waitlisted', {
        answer: 'verified',
        verificationId: answer.verificationId,
        position: outcome.position,
      });
      await this.task(
        manager,
        request,
        'site-full',
        `Coverage verified, but the site is full: the patient is number ${outcome.position} of ${outcome.of} on the waitlist. Tell them, and when a place frees up admit them.`,
      );
    }
  }

  async rejected(manager: EntityManager, answer: PayloadOf<typeof CoverageRejected>): Promise<void> {
    const request = await this.waiting(manager, answer.requestId);
    if (!request) return;
    await admissionRequestRepository.settle(manager, request.requestId, 'coverage-rejected', {
      answer: 'rejected',
      reason: answer.reason,
      verificationId: answer.verificationId,
    });
    await followUpTaskRepository.completeOpen(manager, request.referralId, 'coverage-timeout', SAGA.subject);
    await this.task(
      manager,
      request,
      'coverage-rejected',
      `The payer rejected coverage: ${REJECTION_ADVICE[answer.reason]}. Offer self-pay, check other coverage, or refer elsewhere.`,
    );
  }

  async failed(manager: EntityManager, answer: PayloadOf<typeof CoverageVerificationFailed>): Promise<void> {
    const request = await this.waiting(manager, answer.requestId);
    if (!request) return;
    if (answer.followUpPending) {
      // Insurance is verifying by phone and will answer again; the request keeps waiting, and its deadline stands.
      await this.task(
        manager,
        request,
        'coverage-verification-failed',
        `Electronic verification failed (${answer.reason}); insurance is verifying by phone and will answer.`,
      );
      return;
    }
    await admissionRequestRepository.settle(manager, request.requestId, 'verification-failed', {
      answer: 'failed',
      reason: answer.reason,
      verificationId: answer.verificationId,
    });
    await followUpTaskRepository.completeOpen(manager, request.referralId, 'coverage-timeout', SAGA.subject);
    await this.task(
      manager,
      request,
      'coverage-verification-failed',
      `Coverage could not be verified (${answer.reason}). Resolve it with insurance, or offer self-pay, then request the admission again.`,
    );
  }

  /**
   * The request, locked, if it still waits for an answer. A cancelled or superseded request (a coordinator withdrew
   * it, or admitted the patient self-pay after its deadline) is settled: its answer changes nothing. Locks the
   * referral before the request, the order the admission and cancellation requests take, so the two never deadlock.
   */
  private async waiting(manager: EntityManager, requestId: string): Promise<AdmissionRequest | null> {
    const known = await admissionRequestRepository.find(manager, requestId);
    if (!known) {
      this.log.warn({ requestId }, 'coverage answer for a request intake does not know; ignored');
      return null;
    }
    await referralRepository.find(manager, known.referralId, true);
    const request = await admissionRequestRepository.find(manager, requestId, true);
    if (request?.status !== 'awaiting-coverage' && request?.status !== 'timed-out') {
      this.log.info({ requestId, status: request?.status }, 'coverage answer for a request already settled, cancelled or superseded; ignored');
      return null;
    }
    return request;
  }

  private async task(
    manager: EntityManager,
    request: AdmissionRequest,
    kind: 'site-full' | 'coverage-rejected' | 'coverage-verification-failed',
    detail: string,
  ): Promise<void> {
    await followUpTaskRepository.add(manager, { siteId: request.siteId, referralId: request.referralId, patientId: request.patientId, kind, detail });
  }
}
