import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { SiteDirectory, UnitOfWork } from '@iop/platform';
import { transitionReferral, type ReferralCommand } from '../domain';
import { followUpTaskRepository, waitlistRepository } from '../infrastructure/admission.repository';
import { referralRepository } from '../infrastructure/referral.repository';
import { auditPatient } from './audit';
import { referralNotFound, refuse } from './intake-errors';
import { publishReferralEvent } from './referral-event.publisher';
import { cancelOpenCoverageRequest } from './cancel-admission.use-case';
import { lockSite, passPlaceOn } from './waitlist-offers';
import { referralSummary, type ReferralSummary } from './referral-views';

/** Steps that need nothing but the referral itself: first contact, booking (or moving) the assessment, closing. */
export type SimpleReferralStep = Extract<ReferralCommand, { type: 'record-contact' | 'book-assessment' | 'close' }>;

@Injectable()
export class AdvanceReferral {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
  ) {}

  execute(referralId: string, step: SimpleReferralStep): Promise<ReferralSummary> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const stored = await referralRepository.find(manager, referralId, true);
      if (!stored) throw referralNotFound(referralId);
      const change = transitionReferral(stored.referral, step);
      if (!change.ok) throw refuse(change.error);
      await referralRepository.saveLifecycle(manager, change.value.referral);
      if (change.value.referral.stage === 'closed') {
        await this.leaveWaitlist(manager, referralId, step.at, principal.subject);
        // Insurance need not go on verifying coverage for a referral that is closed; its answer would be ignored.
        await cancelOpenCoverageRequest(manager, this.outbox, referralId, 'referral-closed', step.at, principal.subject);
      }
      await publishReferralEvent(this.outbox, manager, change.value.event, stored.patientId, { correlationId: referralId });
      await auditPatient(
        this.audit,
        manager,
        { principal, requestId },
        'update',
        `referral:${referralId}`,
        { patientId: stored.patientId, siteId: stored.referral.siteId },
        step.type,
      );
      return referralSummary({ ...stored, referral: change.value.referral });
    });
  }

  /** A closed referral leaves the waitlist; a place it was being offered goes to the next person. */
  private async leaveWaitlist(manager: EntityManager, referralId: string, at: Date, by: string): Promise<void> {
    const entry = await waitlistRepository.openFor(manager, referralId);
    if (!entry) return;
    await lockSite(manager, entry.siteId);
    // Read again under the site's lock: the offer may have lapsed and been passed on meanwhile.
    const current = await waitlistRepository.find(manager, entry.entryId);
    if (!current) return;
    await waitlistRepository.remove(manager, current.entryId, 'referral closed');
    if (current.offer?.status === 'pending') {
      await followUpTaskRepository.completeOpen(manager, referralId, 'offer-place', by);
      await passPlaceOn(manager, this.sites, current.siteId, current.offer.placeFreedAt, at);
    }
  }
}
