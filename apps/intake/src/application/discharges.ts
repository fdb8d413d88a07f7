import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { AuditTrail } from '@iop/auth';
import { PatientDischarged, ReadmissionReferred, type PayloadOf } from '@iop/contracts';
import { Outbox, PermanentEventError, type EventMeta } from '@iop/messaging';
import { LOGGER, SiteDirectory } from '@iop/platform';
import { findRepeatCallers, receiveReferral, suggestedUrgency, type CallerDetails, type RepeatCallerCandidate, type Urgency } from '../domain';
import { episodeRepository, followUpTaskRepository, type Episode } from '../infrastructure/admission.repository';
import { patientRepository } from '../infrastructure/patient.repository';
import { referralRepository, type Continuation } from '../infrastructure/referral.repository';
import { auditPatient } from './audit';
import { Clock } from './clock';
import { serialiseLikelyRepeats } from './create-referral.use-case';
import { systemPrincipal } from './intake-config';
import { publishReferralEvent } from './referral-event.publisher';
import { lockSite, offerNewRoom } from './waitlist-offers';

const DISCHARGE = systemPrincipal('aftercare-discharge');
const READMISSION = systemPrincipal('aftercare-readmission');

/** What a follow-up found, as the urgency of the referral back: high risk is a same-day call. */
const READMISSION_URGENCY: Readonly<Record<PayloadOf<typeof ReadmissionReferred>['reason'], Urgency>> = {
  'high-risk': 'urgent',
  relapse: 'expedited',
  'patient-request': 'routine',
};

/**
 * Aftercare's events in intake. A discharge ends the episode and frees its place, which is offered to the head of the
 * site's waitlist (the only way an episode ends: there is no manual release); a discharge of type `transfer` refers
 * the patient to the site that continues their treatment. A readmission referral becomes a referral at the site,
 * marked as a readmission of the prior episode, so that its admission says so (`intake.patient-admitted`
 * `readmissionOf`).
 *
 * Each runs in the consumer's transaction with its inbox row, so a redelivered event is dropped; beyond that each is
 * idempotent by itself (an ended episode frees nothing again, a transfer or readmission finds the referral it made),
 * so the same discharge sent twice under different event ids frees one place and makes one referral.
 *
 * Intake created every episode these events name, so an unknown episode, or one of another patient or site, is not a
 * race to wait out: the event is wrong, and it is dead-lettered (PermanentEventError) to be looked at and replayed,
 * never dropped — a readmission referral dropped is a patient at risk nobody calls.
 */
@Injectable()
export class DischargeReactions {
  constructor(
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async discharged(manager: EntityManager, d: PayloadOf<typeof PatientDischarged>, meta: EventMeta): Promise<void> {
    const episode = await this.knownEpisode(manager, d.episodeId, { patientId: d.patientId, siteId: d.siteId }, `discharge ${d.dischargeId}`);
    // The site lock orders this with admissions and offers at the site; read the episode again once it is held.
    await lockSite(manager, episode.siteId);
    const current = await episodeRepository.find(manager, episode.episodeId, true);
    if (current?.status === 'active') {
      const at = this.clock.now();
      await episodeRepository.discharge(manager, episode.episodeId, { at, dischargeId: d.dischargeId, dischargedOn: d.dischargedOn, type: d.type });
      // Over capacity (the site's capacity was lowered), the place freed is not one the site still has.
      const offered = await offerNewRoom(manager, this.sites, episode.siteId, 1, at);
      await auditPatient(this.audit, manager, { principal: DISCHARGE, requestId: meta.id }, 'update', `episode:${episode.episodeId}`, episode, 'discharged');
      this.log.info({ episodeId: episode.episodeId, dischargeId: d.dischargeId, offeredTo: offered[0]?.entryId ?? null }, 'episode discharged; place freed');
    } else {
      this.log.info({ episodeId: episode.episodeId, dischargeId: d.dischargeId }, 'discharge of an episode already ended; its place was freed then');
    }
    if (d.type === 'transfer') await this.transfer(manager, d, episode, meta);
  }

  async readmissionReferred(manager: EntityManager, r: PayloadOf<typeof ReadmissionReferred>, meta: EventMeta): Promise<void> {
    const made = await referralRepository.continuing(manager, { readmissionReferralId: r.readmissionReferralId });
    if (made) {
      this.log.info({ readmissionReferralId: r.readmissionReferralId, referralId: made.referral.id }, 'readmission referral already recorded');
      return;
    }
    const prior = await this.knownEpisode(manager, r.priorEpisodeId, { patientId: r.patientId }, `readmission referral ${r.readmissionReferralId}`);
    await this.refer(manager, meta, READMISSION, prior, {
      siteId: r.siteId,
      source: 'aftercare',
      urgency: READMISSION_URGENCY[r.reason],
      continues: { kind: 'readmission', priorEpisodeId: prior.episodeId, readmissionReferralId: r.readmissionReferralId, reason: r.reason },
      task: {
        kind: 'readmission-referral',
        detail: `Aftercare referred this patient back (${r.reason}) after their discharge from episode ${prior.episodeId}: contact them${r.reason === 'high-risk' ? ' today' : ''} and restart intake.`,
      },
    });
  }

  /** A discharge to another site of the network: a referral there, once, continuing the episode. */
  private async transfer(manager: EntityManager, d: PayloadOf<typeof PatientDischarged>, episode: Episode, meta: EventMeta): Promise<void> {
    if (!d.transferToSiteId || d.transferToSiteId === episode.siteId) {
      this.log.warn({ dischargeId: d.dischargeId, episodeId: episode.episodeId }, 'transfer discharge names no other site: no referral made');
      return;
    }
    if (await referralRepository.continuing(manager, { transferOf: episode.episodeId })) return;
    await this.refer(manager, meta, DISCHARGE, episode, {
      siteId: d.transferToSiteId,
      source: 'transfer',
      urgency: suggestedUrgency('transfer'),
      continues: { kind: 'transfer', priorEpisodeId: episode.episodeId },
      task: {
        kind: 'transfer-referral',
        detail: `This patient was discharged from another site of the network to this one (episode ${episode.episodeId}) on ${d.dischargedOn}: contact them and continue intake without a gap in care.`,
      },
    });
  }

  /**
   * A new referral at `siteId` for the patient of `prior`, in the lifecycle's first stage, with the prior referral's
   * presenting concerns, published as `intake.referral-received` like any other, and a coordinator's task to call.
   */
  private async refer(
    manager: EntityManager,
    meta: EventMeta,
    principal: ReturnType<typeof systemPrincipal>,
    prior: Episode,
    to: {
      siteId: string;
      source: 'transfer' | 'aftercare';
      urgency: Urgency;
      continues: Continuation;
      task: { kind: 'transfer-referral' | 'readmission-referral'; detail: string };
    },
  ): Promise<void> {
    if (!(await this.sites.find(manager, to.siteId))) {
      throw new PermanentEventError(`${to.continues.kind} of episode ${prior.episodeId} names site ${to.siteId}, which intake's site directory does not have`);
    }
    const priorReferral = await referralRepository.find(manager, prior.referralId);
    const patient = await this.patientAt(manager, meta, principal, prior.patientId, to.siteId);
    const referralId = crypto.randomUUID();
    const received = receiveReferral({ id: referralId, siteId: to.siteId, source: to.source, urgency: to.urgency, receivedAt: this.clock.now() });
    if (!received.ok) throw new PermanentEventError(received.error.message);
    await referralRepository.insert(
      manager,
      {
        referral: received.value.referral,
        patientId: patient.patientId,
        presentingConcerns: priorReferral?.presentingConcerns ?? [],
        ...(patient.repeatCaller ? { repeatCaller: patient.repeatCaller } : {}),
        continues: to.continues,
      },
      principal.subject,
    );
    await publishReferralEvent(
      this.outbox,
      manager,
      received.value.event,
      patient.patientId,
      { correlationId: referralId, causationId: meta.id },
      { repeatCaller: patient.repeatCaller !== undefined, priorEpisodeId: prior.episodeId },
    );
    await followUpTaskRepository.add(manager, { siteId: to.siteId, referralId, patientId: patient.patientId, ...to.task });
    await auditPatient(
      this.audit,
      manager,
      { principal, requestId: meta.id },
      'create',
      `referral:${referralId}`,
      { patientId: patient.patientId, siteId: to.siteId },
      to.continues.kind,
    );
  }

  /**
   * The patient's record at the site: their own when it is the prior episode's site; otherwise that site's record of
   * the same person (a likely repeat caller, as a coordinator's referral would link), or a copy of their contact
   * details made for the site that continues their care (audited as a read at one site and a create at the other).
   */
  private async patientAt(
    manager: EntityManager,
    meta: EventMeta,
    principal: ReturnType<typeof systemPrincipal>,
    patientId: string,
    siteId: string,
  ): Promise<{ patientId: string; repeatCaller?: RepeatCallerCandidate }> {
    const patient = await patientRepository.find(manager, patientId);
    if (!patient) throw new PermanentEventError(`patient ${patientId} of a discharged episode is not in intake`);
    if (patient.siteId === siteId) return { patientId };
    const caller: CallerDetails = {
      givenName: patient.givenName,
      familyName: patient.familyName,
      ...(patient.dateOfBirth ? { dateOfBirth: patient.dateOfBirth } : {}),
      ...(patient.phone ? { phone: patient.phone } : {}),
    };
    await serialiseLikelyRepeats(manager, siteId, caller);
    const actor = { principal, requestId: meta.id };
    await auditPatient(this.audit, manager, actor, 'read', `patient:${patientId}`, patient, `continued at site ${siteId}`);
    const best = findRepeatCallers(caller, await patientRepository.candidates(manager, siteId, caller))[0];
    if (best?.verdict === 'likely-repeat') return { patientId: best.knownCallerId, repeatCaller: best };
    const copy = crypto.randomUUID();
    await patientRepository.insert(manager, { patientId: copy, siteId, ...caller });
    await auditPatient(this.audit, manager, actor, 'create', `patient:${copy}`, { patientId: copy, siteId }, `continues patient ${patientId} of another site`);
    return { patientId: copy };
  }

  private async knownEpisode(manager: EntityManager, episodeId: string, of: { patientId: string; siteId?: string }, what: string): Promise<Episode> {
    const episode = await episodeRepository.find(manager, episodeId);
    if (!episode) throw new PermanentEventError(`${what} names episode ${episodeId}, which intake never admitted`);
    if (episode.patientId !== of.patientId || (of.siteId !== undefined && episode.siteId !== of.siteId)) {
      throw new PermanentEventError(`${what} names episode ${episodeId} with a patient or site that is not the episode's`);
    }
    return episode;
  }
}
