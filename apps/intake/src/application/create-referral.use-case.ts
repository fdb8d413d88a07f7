import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { SERVICE_NAME, SiteDirectory, UnitOfWork } from '@iop/platform';
import {
  compareCallers,
  findRepeatCallers,
  normalisePhone,
  receiveReferral,
  suggestedUrgency,
  type CallerDetails,
  type RepeatCallerCandidate,
} from '../domain';
import type { CreateReferralBody } from '../api/referral.schemas';
import { patientRepository } from '../infrastructure/patient.repository';
import { referralRepository } from '../infrastructure/referral.repository';
import { auditPatient } from './audit';
import { patientNotFound, refuse } from './intake-errors';
import { publishReferralEvent } from './referral-event.publisher';

export interface ReferralCreated {
  readonly referralId: string;
  readonly patientId: string;
  readonly siteId: string;
  readonly stage: 'new';
  readonly urgency: string;
  readonly repeatCaller: {
    /** True when this referral was linked to a patient already on file instead of creating a new one. */
    readonly linked: boolean;
    readonly match?: RepeatCallerCandidate;
    /** People who may be this caller but were not linked: confirm with the caller, then link by patientId. */
    readonly possibleMatches: readonly RepeatCallerCandidate[];
  };
}

/**
 * A referral from any source. A caller who is very likely someone on file (same birth date and phone, names
 * alike allowing for misspellings) is linked to that patient, never duplicated; weaker matches are returned
 * for the coordinator to confirm.
 */
@Injectable()
export class CreateReferral {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  execute(body: CreateReferralBody): Promise<ReferralCreated> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      await this.sites.require(manager, body.siteId, this.service);
      const caller: CallerDetails = {
        givenName: body.caller.givenName,
        familyName: body.caller.familyName,
        ...(body.caller.dateOfBirth ? { dateOfBirth: body.caller.dateOfBirth } : {}),
        ...(body.caller.phone ? { phone: body.caller.phone } : {}),
      };

      let linkedTo: RepeatCallerCandidate | undefined;
      let possibleMatches: readonly RepeatCallerCandidate[] = [];
      if (body.patientId) {
        const known = await patientRepository.find(manager, body.patientId);
        if (!known || known.siteId !== body.siteId) throw patientNotFound(body.patientId);
        linkedTo = { knownCallerId: known.patientId, ...compareCallers(caller, known) };
      } else {
        await serialiseLikelyRepeats(manager, body.siteId, caller);
        const candidates = findRepeatCallers(caller, await patientRepository.candidates(manager, body.siteId, caller));
        const best = candidates[0];
        if (best?.verdict === 'likely-repeat') linkedTo = best;
        possibleMatches = candidates.filter((c) => c !== linkedTo);
      }

      const referralId = crypto.randomUUID();
      const patientId = linkedTo?.knownCallerId ?? crypto.randomUUID();
      const received = receiveReferral({
        id: referralId,
        siteId: body.siteId,
        source: body.source,
        ...(body.sourceDetail ? { sourceDetail: body.sourceDetail } : {}),
        urgency: body.urgency ?? suggestedUrgency(body.source),
        receivedAt: body.receivedAt ? new Date(body.receivedAt) : new Date(),
      });
      if (!received.ok) throw refuse(received.error);

      if (!linkedTo) await patientRepository.insert(manager, { patientId, siteId: body.siteId, ...caller });
      await referralRepository.insert(
        manager,
        {
          referral: received.value.referral,
          patientId,
          presentingConcerns: body.presentingConcerns,
          ...(body.concernNotes ? { concernNotes: body.concernNotes } : {}),
          ...(linkedTo ? { repeatCaller: linkedTo } : {}),
        },
        principal.subject,
      );
      await publishReferralEvent(
        this.outbox,
        manager,
        received.value.event,
        patientId,
        { correlationId: referralId },
        { repeatCaller: linkedTo !== undefined },
      );
      const actor = { principal, requestId };
      await auditPatient(this.audit, manager, actor, 'create', `referral:${referralId}`, { patientId, siteId: body.siteId });
      // Showing a possible match shows that person's details to the coordinator: a read of their record.
      for (const match of possibleMatches) {
        await auditPatient(
          this.audit,
          manager,
          actor,
          'read',
          `patient:${match.knownCallerId}`,
          { patientId: match.knownCallerId, siteId: body.siteId },
          'repeat-caller check',
        );
      }
      return {
        referralId,
        patientId,
        siteId: body.siteId,
        stage: 'new',
        urgency: received.value.referral.urgency,
        repeatCaller: { linked: linkedTo !== undefined, ...(linkedTo ? { match: linkedTo } : {}), possibleMatches },
      };
    });
  }
}

/**
 * Two referrals of the same caller at the same moment must not both miss each other and create two patients
 * (docs/adr/0011, "Matching under concurrency"). A likely repeat, the only verdict that links, needs the same
 * date of birth and the same normalised phone, so referrals that could link to one another share the key
 * (site, date of birth, phone): a transaction-scoped advisory lock on it makes them match one at a time, each
 * seeing the patient the one before created (READ COMMITTED: every statement after the lock sees its commit).
 * The key is hashed here, so no date of birth or phone reaches Postgres' lock table or a statement's parameters.
 */
export async function serialiseLikelyRepeats(manager: EntityManager, siteId: string, caller: CallerDetails): Promise<void> {
  const phone = caller.phone === undefined ? undefined : normalisePhone(caller.phone);
  if (!caller.dateOfBirth || !phone) return; // without both, nothing can be linked automatically
  const key = createHash('sha256').update(`intake.repeat-caller\0${siteId}\0${caller.dateOfBirth}\0${phone}`).digest().readBigInt64BE(0);
  await manager.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [key.toString()]);
}
