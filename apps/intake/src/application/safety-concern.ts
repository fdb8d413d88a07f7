import type { EntityManager } from 'typeorm';
import { SafetyConcernRaised } from '@iop/contracts';
import type { Outbox } from '@iop/messaging';

export type SafetyOrigin = 'pre-screen' | 'phq-9';

/**
 * Raises `intake.safety-concern-raised` in the same transaction as the screen that found it, so it leaves as
 * soon as the screen is saved. It blocks nothing: intake carries on, and a clinician at the site follows up.
 */
export async function raiseSafetyConcern(
  manager: EntityManager,
  outbox: Outbox,
  concern: { referralId: string; siteId: string; riskLevel: 'low' | 'moderate' | 'high'; origin: SafetyOrigin; at: Date },
): Promise<string> {
  const concernId = crypto.randomUUID();
  await manager.query(`INSERT INTO safety_concerns (concern_id, referral_id, site_id, risk_level, origin, raised_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
    concernId,
    concern.referralId,
    concern.siteId,
    concern.riskLevel,
    concern.origin,
    concern.at,
  ]);
  await outbox.add(
    manager,
    SafetyConcernRaised,
    { concernId, referralId: concern.referralId, siteId: concern.siteId, riskLevel: concern.riskLevel, occurredAt: concern.at.toISOString() },
    { correlationId: concern.referralId },
  );
  return concernId;
}
