import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { DomainError, UnitOfWork, conflict, notFound } from '@iop/platform';
import type { PhoneAnswerBody } from '../api/verification.schemas';
import { mayDiscloseForPayment } from './consent-read-model';
import type { EligibilityOutcome } from './eligibility-outcome';
import { payerDirectory } from './payer-directory';
import { phoneTaskRepository, verificationRepository, type Verification } from './verification-repository';
import { VerifyCoverage } from './verify-coverage';

/**
 * A coordinator records what the payer said on the phone. The form completes the verification the electronic
 * path left open, and answers intake's request if there was one, so nothing is lost between the two paths.
 */
@Injectable()
export class CompletePhoneVerification {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
    private readonly verify: VerifyCoverage,
  ) {}

  execute(siteId: string, taskId: string, answer: PhoneAnswerBody): Promise<Verification> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const task = await phoneTaskRepository.find(manager, siteId, taskId);
      if (!task) throw notFound('phone-task.unknown', `there is no phone verification task ${taskId} at site ${siteId}`);
      if (task.status !== 'open') throw conflict('phone-task.completed', 'this phone verification was already completed');
      const current = await verificationRepository.find(manager, siteId, task.verificationId, true);
      if (!current) throw notFound('verification.unknown', `the task's verification ${task.verificationId} is not visible`);
      // The call to the payer is a disclosure too: recording it needs a consent in force now, not when the task opened.
      const payer = await payerDirectory.require(manager, task.payerId);
      const consent = await mayDiscloseForPayment(manager, { siteId, patientId: task.patientId, payerId: payer.payerId, at: new Date() }, payer.name, {
        lock: true,
      });
      if (!consent.allowed) {
        throw new DomainError(
          'consent.missing',
          `the patient's consent no longer allows telling ${payer.name} about them (revoked or expired since this task opened): ` +
            `do not call the payer; ${consent.missing}`,
          422,
        );
      }
      const messages = [`verified by phone with ${answer.representative} (call reference ${answer.callReference})`, ...(answer.notes ? [answer.notes] : [])];
      const outcome: EligibilityOutcome = answer.coverageActive
        ? { kind: 'verified', authorizationRequired: answer.authorizationRequired, carveOut: answer.carveOutEntity !== undefined, messages }
        : { kind: 'rejected', reason: answer.rejectionReason ?? 'coverage-inactive', messages };
      const done: Verification = {
        ...current,
        status: outcome.kind === 'verified' ? 'verified' : 'rejected',
        method: 'phone',
        reason: outcome.kind === 'rejected' ? outcome.reason : null,
        outcome,
        benefits: answer,
      };
      await phoneTaskRepository.complete(manager, taskId, answer, principal.subject);
      await this.verify.finish(manager, done, { followUpPending: false });
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `verification:${done.verificationId}`, patientId: done.patientId, siteId, reason: 'phone verification recorded' },
      );
      return done;
    });
  }
}
