import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { UnitOfWork } from '@iop/platform';
import {
  ASAM_DIMENSIONS,
  acceptRecommendation,
  overrideLevelOfCare,
  recommendLevelOfCare,
  scoreGad7,
  scorePhq9,
  transitionReferral,
  validateAsamRatings,
  type AsamRatingsInput,
  type LevelOfCareDecision,
} from '../domain';
import type { OverrideLevelBody, RecordAssessmentBody } from '../api/assessment.schemas';
import { assessmentRepository, type StoredAssessment, type StoredDecision } from '../infrastructure/assessment.repository';
import { referralRepository } from '../infrastructure/referral.repository';
import { auditPatient } from './audit';
import { referralNotFound, refuse } from './intake-errors';
import { publishReferralEvent } from './referral-event.publisher';
import { raiseSafetyConcern } from './safety-concern';

function storedDecision(decision: LevelOfCareDecision): StoredDecision {
  const { override } = decision;
  return {
    level: decision.level,
    ...(decision.plannedWeeklyHours === undefined ? {} : { plannedWeeklyHours: decision.plannedWeeklyHours }),
    decidedBy: decision.decidedBy,
    ...(override
      ? {
          override: {
            clinicianId: override.clinicianId,
            at: override.at.toISOString(),
            level: override.level,
            ...(override.weeklyHours === undefined ? {} : { weeklyHours: override.weeklyHours }),
            reason: override.reason,
          },
        }
      : {}),
  };
}

/** PHQ-9 item 9 scored 1, 2 or 3 (several days / more than half / nearly every day). A simplification: check with the clinical lead. */
const PHQ9_ITEM9_RISK = { 1: 'low', 2: 'moderate', 3: 'high' } as const;

@Injectable()
export class RecordAssessment {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  execute(referralId: string, body: RecordAssessmentBody): Promise<StoredAssessment> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const stored = await referralRepository.find(manager, referralId, true);
      if (!stored) throw referralNotFound(referralId);
      const at = body.at ? new Date(body.at) : new Date();

      const input: AsamRatingsInput = Object.fromEntries(
        ASAM_DIMENSIONS.flatMap((d) => {
          const entry = body.dimensions[String(d) as keyof typeof body.dimensions];
          return entry ? [[d, { rating: entry.rating, ...(entry.notes ? { notes: entry.notes } : {}) }]] : [];
        }),
      );
      const profile = validateAsamRatings(input);
      const phq9 = scorePhq9(body.phq9);
      const gad7 = scoreGad7(body.gad7);
      const problems = [
        ...(profile.ok ? [] : profile.error.issues.map((i) => i.message)),
        ...(phq9.ok ? [] : [phq9.error.message]),
        ...(gad7.ok ? [] : [gad7.error.message]),
      ];
      if (!profile.ok || !phq9.ok || !gad7.ok) {
        throw refuse(
          { code: 'assessment.invalid', message: `The assessment cannot be recorded: ${problems.length} problem${problems.length === 1 ? '' : 's'}.` },
          problems,
        );
      }
      const recommendation = recommendLevelOfCare({
        profile: profile.value,
        presentingConcerns: body.presentingConcerns ?? stored.presentingConcerns,
        population: body.population,
      });
      if (!recommendation.ok) throw refuse(recommendation.error);
      const assessed = transitionReferral(stored.referral, { type: 'record-assessment', at });
      if (!assessed.ok) throw refuse(assessed.error);

      const assessment: StoredAssessment = {
        assessmentId: crypto.randomUUID(),
        referralId,
        patientId: stored.patientId,
        siteId: stored.referral.siteId,
        ratings: profile.value,
        phq9: phq9.value,
        gad7: gad7.value,
        recommendation: recommendation.value,
        decision: storedDecision(acceptRecommendation(recommendation.value)),
        assessedBy: principal.subject,
        assessedAt: at,
      };
      await assessmentRepository.insert(manager, assessment);
      await referralRepository.saveLifecycle(manager, assessed.value.referral);
      const item9 = body.phq9[8];
      if (phq9.value.safetyFollowUpRequired && (item9 === 1 || item9 === 2 || item9 === 3)) {
        await raiseSafetyConcern(manager, this.outbox, { referralId, siteId: assessment.siteId, riskLevel: PHQ9_ITEM9_RISK[item9], origin: 'phq-9', at });
      }
      await publishReferralEvent(this.outbox, manager, assessed.value.event, stored.patientId, { correlationId: referralId });
      await auditPatient(this.audit, manager, { principal, requestId }, 'create', `assessment:${assessment.assessmentId}`, {
        patientId: stored.patientId,
        siteId: assessment.siteId,
      });
      return assessment;
    });
  }
}

/** The clinician's judgement over the rule table's, with the reason written down and audited as an override. */
@Injectable()
export class OverrideLevelOfCare {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  execute(referralId: string, body: OverrideLevelBody): Promise<StoredAssessment> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const stored = await referralRepository.find(manager, referralId, true);
      if (!stored) throw referralNotFound(referralId);
      if (stored.referral.stage === 'admitted' || stored.referral.stage === 'closed') {
        throw refuse({
          code: `referral.${stored.referral.stage}`,
          message: `This referral is ${stored.referral.stage}; the level of care can no longer be changed here.`,
        });
      }
      const assessment = await assessmentRepository.forReferral(manager, referralId, true);
      if (!assessment) throw refuse({ code: 'assessment.not-recorded', message: 'Record the assessment before overriding its recommendation.' });
      const decided = overrideLevelOfCare(assessment.recommendation, {
        clinicianId: principal.subject,
        at: new Date(),
        level: body.level,
        ...(body.weeklyHours === undefined ? {} : { weeklyHours: body.weeklyHours }),
        reason: body.reason,
      });
      if (!decided.ok) throw refuse(decided.error);
      const decision = storedDecision(decided.value);
      await assessmentRepository.saveDecision(manager, assessment.assessmentId, decision);
      await auditPatient(
        this.audit,
        manager,
        { principal, requestId },
        'override',
        `assessment:${assessment.assessmentId}`,
        { patientId: assessment.patientId, siteId: assessment.siteId },
        `level ${assessment.recommendation.level} → ${decision.level}: ${body.reason.trim()}`,
      );
      return { ...assessment, decision };
    });
  }
}
