import type { EntityManager } from 'typeorm';
import { PlaceReleased, ReferralClosed } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';
import { AUTHORIZATION_REVIEW } from './authorization-watch';
import { MONTHLY_REVERIFICATION } from './monthly-reverification';

/** Why insurance stopped an episode's work. Aftercare's discharge will add 'discharged' through `endEpisode`. */
export type EpisodeEndReason = 'place-released' | 'referral-closed';

export interface EpisodeEnd {
  readonly siteId: string;
  readonly patientId: string;
  /** The episode that ended, or every episode of the referral that closed. */
  readonly episode: { readonly episodeId: string } | { readonly referralId: string };
  readonly endedAt: string;
  readonly reason: EpisodeEndReason;
}

/**
 * "The patient's episode ended": the one path by which insurance stops the work it does for a patient in treatment.
 * The episode stops counting for monthly re-verification; scheduled re-verifications not yet sent are withdrawn and
 * authorisation warnings stop (see `treatmentEnded`) once the patient has no episode left at the site. A saga
 * request from intake is left alone: intake is owed its answer. Idempotent: the first end wins.
 */
export async function endEpisode(manager: EntityManager, end: EpisodeEnd): Promise<void> {
  const [column, id] = 'episodeId' in end.episode ? ['episode_id', end.episode.episodeId] : ['referral_id', end.episode.referralId];
  await manager.query(`UPDATE insurance.episodes SET ended_at = $3, end_reason = $4 WHERE ${column} = $1 AND site_id = $2 AND ended_at IS NULL`, [
    id,
    end.siteId,
    end.endedAt,
    end.reason,
  ]);
  await manager.query(
    `UPDATE insurance.verifications SET status = 'failed', reason = 'episode-ended', completed_at = now()
      WHERE site_id = $1 AND patient_id = $2 AND status = 'queued' AND requested_by IN ($3, $4)
        AND NOT EXISTS (SELECT 1 FROM insurance.episodes e WHERE e.site_id = $1 AND e.patient_id = $2 AND e.ended_at IS NULL)`,
    [end.siteId, end.patientId, MONTHLY_REVERIFICATION, AUTHORIZATION_REVIEW],
  );
}

/** Whether the patient's treatment at the site has ended: an episode ended and none is still open. */
export async function treatmentEnded(manager: EntityManager, siteId: string, patientId: string): Promise<boolean> {
  const rows = (await manager.query(
    `SELECT bool_or(ended_at IS NOT NULL) AS ended, bool_or(ended_at IS NULL) AS open FROM insurance.episodes WHERE site_id = $1 AND patient_id = $2`,
    [siteId, patientId],
  )) as Array<{ ended: boolean | null; open: boolean | null }>;
  return rows[0]?.ended === true && rows[0]?.open !== true;
}

export const episodeEndHandlers: readonly EventHandler[] = [
  onEvent(PlaceReleased, async (r, _meta, manager) => {
    await endEpisode(manager, {
      siteId: r.siteId,
      patientId: r.patientId,
      episode: { episodeId: r.episodeId },
      endedAt: r.releasedAt,
      reason: 'place-released',
    });
  }),
  onEvent(ReferralClosed, async (c, _meta, manager) => {
    await endEpisode(manager, {
      siteId: c.siteId,
      patientId: c.patientId,
      episode: { referralId: c.referralId },
      endedAt: c.occurredAt,
      reason: 'referral-closed',
    });
  }),
];
