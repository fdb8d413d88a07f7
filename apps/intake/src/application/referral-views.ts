import type { StoredReferral } from '../infrastructure/referral.repository';

export interface ReferralSummary {
  readonly referralId: string;
  readonly patientId: string;
  readonly siteId: string;
  readonly source: string;
  readonly urgency: string;
  readonly stage: string;
  readonly presentingConcerns: readonly string[];
  readonly receivedAt: string;
  readonly lastChangedAt: string;
  readonly assessmentAppointmentAt?: string;
  readonly closure?: { readonly reason: unknown; readonly closedAt: string; readonly closedAtStage: string };
  /** A readmission: the episode the patient was discharged from, and why aftercare referred them back. */
  readonly readmission?: { readonly priorEpisodeId: string; readonly reason: string };
  /** A transfer from another site of the network: the episode it continues. */
  readonly transferOf?: string;
}

export function referralSummary(stored: StoredReferral): ReferralSummary {
  const r = stored.referral;
  return {
    referralId: r.id,
    patientId: stored.patientId,
    siteId: r.siteId,
    source: r.source,
    urgency: r.urgency,
    stage: r.stage,
    presentingConcerns: stored.presentingConcerns,
    receivedAt: r.receivedAt.toISOString(),
    lastChangedAt: r.lastChangedAt.toISOString(),
    ...(r.assessmentAppointmentAt ? { assessmentAppointmentAt: r.assessmentAppointmentAt.toISOString() } : {}),
    ...(r.closure ? { closure: { reason: r.closure.reason, closedAt: r.closure.closedAt.toISOString(), closedAtStage: r.closure.closedAtStage } } : {}),
    ...(stored.continues?.kind === 'readmission' ? { readmission: { priorEpisodeId: stored.continues.priorEpisodeId, reason: stored.continues.reason } } : {}),
    ...(stored.continues?.kind === 'transfer' ? { transferOf: stored.continues.priorEpisodeId } : {}),
  };
}
