import type { EntityManager } from 'typeorm';
import { PatientAdmitted } from '@iop/contracts';
import type { Outbox } from '@iop/messaging';
import { DomainError, type SiteDirectory } from '@iop/platform';
import { canAdmitOneMore, transitionReferral, waitlistPosition } from '../domain';
import type { StoredAssessment } from '../infrastructure/assessment.repository';
import { episodeRepository, followUpTaskRepository, waitlistRepository, type Episode } from '../infrastructure/admission.repository';
import { referralRepository, type StoredReferral } from '../infrastructure/referral.repository';
import { refuse } from './intake-errors';
import { publishReferralEvent } from './referral-event.publisher';
import { lockSite, offerUnheldPlacesFirst } from './waitlist-offers';

export type PlaceOutcome =
  | { readonly kind: 'admitted'; readonly episode: Episode }
  | { readonly kind: 'waitlisted'; readonly entryId: string; readonly position: number; readonly of: number; readonly message: string };

export interface PlaceRequest {
  readonly stored: StoredReferral;
  readonly assessment: StoredAssessment;
  readonly payment: 'insurance' | 'self-pay';
  readonly plannedStart: string;
  readonly admittedBy: string;
  readonly at: Date;
}

/**
 * Takes a place at the site or, when there is none, puts the patient on the site's waitlist. The per-site
 * capacity row is locked first, so admissions to one site run one at a time: of two coordinators taking the
 * last place at the same moment, the second counts the first's episode and is turned away. A free place that
 * someone on the waitlist was never offered goes to them first (offerUnheldPlacesFirst).
 */
export async function admitIntoPlace(manager: EntityManager, outbox: Outbox, sites: SiteDirectory, request: PlaceRequest): Promise<PlaceOutcome> {
  const { stored, assessment } = request;
  const siteId = stored.referral.siteId;
  const admit = transitionReferral(stored.referral, { type: 'admit', at: request.at });
  if (!admit.ok) throw refuse(admit.error);

  await lockSite(manager, siteId);
  const waiting = await waitlistRepository.openFor(manager, stored.referral.id);
  if (waiting?.offer?.status !== 'pending') await offerUnheldPlacesFirst(manager, sites, siteId, stored.referral.id, request.at);
  const site = await sites.find(manager, siteId);
  if (!site) throw new DomainError('site.unknown', `site ${siteId} is not in intake's site directory`, 404);
  // Places held for waitlisted people with a pending offer count as taken, except the one held for this patient.
  const [{ taken }] = (await manager.query(
    `SELECT (SELECT count(*) FROM episodes WHERE site_id = $1 AND status = 'active')
          + (SELECT count(*) FROM waitlist_entries WHERE site_id = $1 AND removed_at IS NULL AND offer_status = 'pending' AND referral_id <> $2) AS taken`,
    [siteId, stored.referral.id],
  )) as [{ taken: string }];
  const room = canAdmitOneMore({ capacity: site.capacity, activeAdmissions: Number(taken) });

  if (!room.ok) {
    const entryId = waiting?.entryId ?? crypto.randomUUID();
    if (!waiting) {
      await waitlistRepository.add(manager, {
        entryId,
        referralId: stored.referral.id,
        patientId: stored.patientId,
        siteId,
        urgency: stored.referral.urgency,
        referralSource: stored.referral.source,
        addedAt: request.at,
      });
    }
    const position = waitlistPosition(await waitlistRepository.open(manager, siteId), stored.patientId);
    const where = position.ok ? { position: position.value.position, of: position.value.of } : { position: 0, of: 0 };
    return { kind: 'waitlisted', entryId, ...where, message: `${room.error.message} The patient is number ${where.position} of ${where.of} on the waitlist.` };
  }

  const decision = assessment.decision;
  const episode: Episode = {
    episodeId: crypto.randomUUID(),
    referralId: stored.referral.id,
    patientId: stored.patientId,
    siteId,
    programType: assessment.recommendation.programType,
    levelOfCare: decision.level,
    plannedWeeklyHours: decision.plannedWeeklyHours ?? assessment.recommendation.plannedWeeklyHours?.hours ?? 9,
    plannedStart: request.plannedStart,
    payment: request.payment,
    status: 'active',
    admittedAt: request.at,
  };
  await episodeRepository.insert(manager, episode, request.admittedBy);
  await referralRepository.saveLifecycle(manager, admit.value.referral);
  if (waiting) {
    await waitlistRepository.remove(manager, waiting.entryId, 'admitted');
    await followUpTaskRepository.completeOpen(manager, stored.referral.id, 'offer-place', request.admittedBy);
  }
  await publishReferralEvent(outbox, manager, admit.value.event, stored.patientId, { correlationId: stored.referral.id });
  await outbox.add(
    manager,
    PatientAdmitted,
    {
      episodeId: episode.episodeId,
      patientId: episode.patientId,
      referralId: episode.referralId,
      siteId,
      programType: assessment.recommendation.programType,
      levelOfCare: '2.1',
      plannedWeeklyHours: episode.plannedWeeklyHours,
      plannedStart: episode.plannedStart,
      // Aftercare computes readmission rates from this: the episode this admission follows after a discharge.
      ...(stored.continues?.kind === 'readmission' ? { readmissionOf: stored.continues.priorEpisodeId } : {}),
      occurredAt: request.at.toISOString(),
    },
    { correlationId: stored.referral.id },
  );
  return { kind: 'admitted', episode };
}
