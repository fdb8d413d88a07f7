import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { SiteDirectory, UnitOfWork } from '@iop/platform';
import { hasWaitlistPriority, orderWaitlist, waitlistPosition } from '../domain';
import { followUpTaskRepository, waitlistRepository, type StoredWaitlistEntry } from '../infrastructure/admission.repository';
import { referralRepository } from '../infrastructure/referral.repository';
import { auditPatient, auditPatients } from './audit';
import { referralNotFound, refuse } from './intake-errors';
import { Clock } from './clock';
import { lockSite, passPlaceOn } from './waitlist-offers';

@Injectable()
export class DeclineOffer {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
    private readonly clock: Clock,
  ) {}

  /** The patient turned the place down: they keep their spot (and are offered the next place), and this place goes to the next person. */
  execute(entryId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const at = this.clock.now();
      const found = await waitlistRepository.find(manager, entryId);
      if (!found) throw refuse({ code: 'waitlist.unknown', message: `there is no open waitlist entry ${entryId} at the sites you can see` });
      // The site lock guards every waitlist change at the site; read the entry again once it is held.
      await lockSite(manager, found.siteId);
      const entry = await waitlistRepository.find(manager, entryId);
      if (!entry) throw refuse({ code: 'waitlist.unknown', message: `waitlist entry ${entryId} has just been closed` });
      if (entry.offer?.status !== 'pending') throw refuse({ code: 'waitlist.no-pending-offer', message: 'This patient has no place on offer to decline.' });
      await waitlistRepository.decline(manager, entryId, at);
      await followUpTaskRepository.completeOpen(manager, entry.referralId, 'offer-place', principal.subject);
      const offeredTo = await passPlaceOn(manager, this.sites, entry.siteId, entry.offer.placeFreedAt, at);
      await auditPatient(this.audit, manager, { principal, requestId }, 'update', `waitlist:${entryId}`, entry, 'offer declined');
      return { entryId, offer: 'declined' as const, offeredTo };
    });
  }
}

@Injectable()
export class WaitlistQueries {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  /** The site's waitlist in the order places are offered; ids and codes, no names, but still who waits for treatment: audited per patient. */
  list(siteId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const ordered = orderWaitlist(await waitlistRepository.open(manager, siteId)) as StoredWaitlistEntry[];
      await auditPatients(this.audit, manager, { principal, requestId }, 'list', 'waitlist', ordered);
      return ordered.map((e, i) => ({
        position: i + 1,
        entryId: e.entryId,
        referralId: e.referralId,
        patientId: e.patientId,
        urgency: e.urgency,
        referralSource: e.referralSource,
        hasPriority: hasWaitlistPriority(e),
        addedAt: e.addedAt.toISOString(),
        offer: e.offer
          ? { status: e.offer.status, offeredAt: e.offer.offeredAt.toISOString(), ...(e.offerExpiresAt ? { expiresAt: e.offerExpiresAt.toISOString() } : {}) }
          : null,
      }));
    });
  }

  /** "Where am I on the list?" for the patient of this referral. */
  position(referralId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const stored = await referralRepository.find(manager, referralId);
      if (!stored) throw referralNotFound(referralId);
      const entry = await waitlistRepository.openFor(manager, referralId);
      const position = waitlistPosition(await waitlistRepository.open(manager, stored.referral.siteId), stored.patientId);
      if (!entry || !position.ok) throw refuse({ code: 'waitlist.not-on-list', message: 'This patient is not on the waitlist for this site.' });
      await auditPatient(this.audit, manager, { principal, requestId }, 'read', `waitlist:${entry.entryId}`, {
        patientId: stored.patientId,
        siteId: stored.referral.siteId,
      });
      return { referralId, siteId: stored.referral.siteId, ...position.value, offer: entry.offer?.status ?? null };
    });
  }
}
