import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CoverageRequestCancelled, type PayloadOf } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { UnitOfWork } from '@iop/platform';
import type { CancelAdmissionBody } from '../api/admission.schemas';
import { admissionRequestRepository, followUpTaskRepository, type AdmissionRequest } from '../infrastructure/admission.repository';
import { referralRepository } from '../infrastructure/referral.repository';
import { auditPatient } from './audit';
import { Clock } from './clock';
import { referralNotFound, refuse } from './intake-errors';

type CancelReason = PayloadOf<typeof CoverageRequestCancelled>['reason'];

/**
 * Stops waiting for insurance's answer to the referral's open coverage request (awaiting or past its deadline):
 * the request is settled as cancelled or superseded, its follow-up tasks are closed, and insurance is told. From
 * then on an answer to it is ignored (ApplyCoverageAnswer only applies answers to open requests), so a late
 * "verified" can neither admit the patient twice nor replace the admission that superseded it. Call with the
 * referral's row locked (the order every admission path takes: referral, then request, then site).
 */
export async function cancelOpenCoverageRequest(
  manager: EntityManager,
  outbox: Outbox,
  referralId: string,
  reason: CancelReason,
  at: Date,
  by: string,
  detail: Record<string, unknown> = {},
): Promise<AdmissionRequest | null> {
  const open = await admissionRequestRepository.openFor(manager, referralId, true);
  if (!open) return null;
  await admissionRequestRepository.settle(manager, open.requestId, reason === 'superseded-by-self-pay' ? 'superseded' : 'cancelled', {
    reason,
    previousStatus: open.status,
    at: at.toISOString(),
    by,
    ...detail,
  });
  await followUpTaskRepository.completeOpen(manager, referralId, 'coverage-timeout', by);
  await followUpTaskRepository.completeOpen(manager, referralId, 'coverage-verification-failed', by);
  await outbox.add(
    manager,
    CoverageRequestCancelled,
    { requestId: open.requestId, patientId: open.patientId, referralId, siteId: open.siteId, reason, occurredAt: at.toISOString() },
    { correlationId: referralId },
  );
  return open;
}

@Injectable()
export class CancelAdmissionRequest {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** A coordinator withdraws the admission request waiting for insurance (e.g. the patient will pay themselves, or changed payer). */
  execute(referralId: string, body: CancelAdmissionBody) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const at = this.clock.now();
      const stored = await referralRepository.find(manager, referralId, true);
      if (!stored) throw referralNotFound(referralId);
      const cancelled = await cancelOpenCoverageRequest(manager, this.outbox, referralId, 'cancelled-by-coordinator', at, principal.subject, {
        coordinatorReason: body.reason,
      });
      if (!cancelled) {
        throw refuse({ code: 'admission.nothing-to-cancel', message: 'This referral has no admission request waiting for insurance to cancel.' });
      }
      await auditPatient(
        this.audit,
        manager,
        { principal, requestId },
        'update',
        `coverage-request:${cancelled.requestId}`,
        { patientId: stored.patientId, siteId: stored.referral.siteId },
        `cancelled: ${body.reason}`,
      );
      return { requestId: cancelled.requestId, referralId, status: 'cancelled' as const, previousStatus: cancelled.status, cancelledAt: at.toISOString() };
    });
  }
}
