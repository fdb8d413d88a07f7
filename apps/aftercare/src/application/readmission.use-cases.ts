import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ReadmissionReferred, type READMISSION_REASONS } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { UnitOfWork } from '@iop/platform';
import { referralExists } from './follow-up-errors';
import { loadFollowUp } from './follow-up.use-cases';

export type ReadmissionReason = (typeof READMISSION_REASONS)[number];

/** A follow-up that found relapse or high risk refers the patient back to intake, linked to the episode they left. */
@Injectable()
export class ReadmissionReferrals {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  refer(followUpId: string, reason: ReadmissionReason) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const f = await loadFollowUp(manager, followUpId, true);
      const [existing] = (await manager.query(`SELECT readmission_referral_id FROM aftercare.readmission_referrals WHERE follow_up_id = $1`, [
        followUpId,
      ])) as Array<{
        readmission_referral_id: string;
      }>;
      if (existing) throw referralExists(followUpId, existing.readmission_referral_id);
      const readmissionReferralId = randomUUID();
      const referredAt = new Date();
      await manager.query(
        `INSERT INTO aftercare.readmission_referrals (readmission_referral_id, follow_up_id, episode_id, patient_id, site_id, reason, referred_by, referred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [readmissionReferralId, followUpId, f.episode_id, f.patient_id, f.site_id, reason, principal.subject, referredAt],
      );
      await this.outbox.add(
        manager,
        ReadmissionReferred,
        {
          readmissionReferralId,
          patientId: f.patient_id,
          priorEpisodeId: f.episode_id,
          siteId: f.site_id,
          followUpId,
          reason,
          occurredAt: referredAt.toISOString(),
        },
        { correlationId: requestId },
      );
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'create', resource: `readmission-referral:${readmissionReferralId}`, patientId: f.patient_id, siteId: f.site_id },
      );
      return {
        readmissionReferralId,
        followUpId,
        priorEpisodeId: f.episode_id,
        patientId: f.patient_id,
        siteId: f.site_id,
        reason,
        referredAt: referredAt.toISOString(),
      };
    });
  }
}
