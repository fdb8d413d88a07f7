import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { UnitOfWork } from '@iop/platform';
import { PRE_SCREEN_ROUTING_LABELS, evaluatePreScreen, transitionReferral, type PreScreenAnswers, type PreScreenOutcome, type Referral } from '../domain';
import { referralRepository } from '../infrastructure/referral.repository';
import { auditPatient } from './audit';
import { referralNotFound, refuse } from './intake-errors';
import { publishReferralEvent } from './referral-event.publisher';
import { raiseSafetyConcern } from './safety-concern';

export interface PreScreenRecorded extends PreScreenOutcome {
  readonly preScreenId: string;
  readonly referralId: string;
  readonly stage: string;
  readonly routingLabel: string;
  /** Set when the safety screen was positive: the urgent event has been raised. */
  readonly safetyConcernId: string | null;
}

@Injectable()
export class RecordPreScreen {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  execute(referralId: string, answers: PreScreenAnswers, at: Date): Promise<PreScreenRecorded> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const stored = await referralRepository.find(manager, referralId, true);
      if (!stored) throw referralNotFound(referralId);
      const evaluated = evaluatePreScreen(answers);
      if (!evaluated.ok)
        throw refuse(
          evaluated.error,
          evaluated.error.unanswered.map((q) => `Unanswered: ${q.questionId}.`),
        );
      const outcome = evaluated.value;

      // A pre-screen happens on a call, so a referral still "new" has been contacted by then: record both.
      const changes = [];
      let referral: Referral = stored.referral;
      if (referral.stage === 'new') {
        const contacted = transitionReferral(referral, { type: 'record-contact', at });
        if (!contacted.ok) throw refuse(contacted.error);
        changes.push(contacted.value);
        referral = contacted.value.referral;
      }
      const screened = transitionReferral(referral, { type: 'record-pre-screen', at });
      if (!screened.ok) throw refuse(screened.error);
      changes.push(screened.value);
      referral = screened.value.referral;

      const preScreenId = crypto.randomUUID();
      await manager.query(
        `INSERT INTO pre_screens (pre_screen_id, referral_id, site_id, answers, outcome, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [preScreenId, referralId, referral.siteId, JSON.stringify(answers), JSON.stringify(outcome), principal.subject, at],
      );
      await referralRepository.saveLifecycle(manager, referral);
      const safety = outcome.safety;
      const safetyConcernId =
        safety.urgentFollowUpRequired && safety.riskLevel !== 'none'
          ? await raiseSafetyConcern(manager, this.outbox, { referralId, siteId: referral.siteId, riskLevel: safety.riskLevel, origin: 'pre-screen', at })
          : null;
      for (const change of changes) {
        await publishReferralEvent(this.outbox, manager, change.event, stored.patientId, { correlationId: referralId }, { routing: outcome.routing });
      }
      await auditPatient(this.audit, manager, { principal, requestId }, 'create', `pre-screen:${preScreenId}`, {
        patientId: stored.patientId,
        siteId: referral.siteId,
      });
      return { preScreenId, referralId, stage: referral.stage, routingLabel: PRE_SCREEN_ROUTING_LABELS[outcome.routing], safetyConcernId, ...outcome };
    });
  }
}
