import type { EntityManager } from 'typeorm';
import { DischargeAmended, PatientDischarged, ReferralClosed } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';
import { AUTHORIZATION_REVIEW } from './authorization-watch';
import { MONTHLY_REVERIFICATION } from './monthly-reverification';

/** Why insurance stopped an episode's work (rows ended before discharges existed may say `place-released`). */
export type EpisodeEndReason = 'discharged' | 'referral-closed';

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

/**
 * Whether a billable day falls after the discharge of the episode it belongs to (or, for a day attendance could not tie
 * to an episode, after the patient's latest discharge at the site when no episode of theirs is still open): such a day
 * uses no authorised unit. Days up to the discharge date still count, however late attendance reports them.
 */
export async function afterDischarge(
  manager: EntityManager,
  day: { siteId: string; patientId: string; episodeId: string | null; serviceDate: string },
): Promise<boolean> {
  const rows = (
    day.episodeId
      ? await manager.query(`SELECT 1 FROM insurance.discharges WHERE episode_id = $1 AND discharged_on < $2::date`, [day.episodeId, day.serviceDate])
      : await manager.query(
          `SELECT 1 FROM insurance.discharges d WHERE d.site_id = $1 AND d.patient_id = $2 AND d.discharged_on < $3::date
             AND NOT EXISTS (SELECT 1 FROM insurance.episodes e WHERE e.site_id = $1 AND e.patient_id = $2 AND e.ended_at IS NULL)`,
          [day.siteId, day.patientId, day.serviceDate],
        )
  ) as unknown[];
  return rows.length > 0;
}

/** An admission that arrives after its episode's discharge (the two come on different topics) starts ended. */
export async function applyEarlierDischarge(manager: EntityManager, episodeId: string): Promise<void> {
  const [d] = (await manager.query(
    `SELECT site_id AS "siteId", patient_id AS "patientId", signed_at AS "signedAt" FROM insurance.discharges WHERE episode_id = $1 LIMIT 1`,
    [episodeId],
  )) as Array<{ siteId: string; patientId: string; signedAt: Date }>;
  if (d)
    await endEpisode(manager, { siteId: d.siteId, patientId: d.patientId, episode: { episodeId }, endedAt: d.signedAt.toISOString(), reason: 'discharged' });
}

export const episodeEndHandlers: readonly EventHandler[] = [
  /**
   * Aftercare's discharge: the episode's re-verification and authorisation work stop (endEpisode), and billable days
   * after `dischargedOn` use no units. Once per discharge; the episode end is idempotent besides.
   */
  onEvent(PatientDischarged, async (d, _meta, manager) => {
    await manager.query(
      `INSERT INTO insurance.discharges (discharge_id, episode_id, site_id, patient_id, discharged_on, signed_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (discharge_id) DO NOTHING`,
      [d.dischargeId, d.episodeId, d.siteId, d.patientId, d.dischargedOn, d.signedAt],
    );
    await endEpisode(manager, { siteId: d.siteId, patientId: d.patientId, episode: { episodeId: d.episodeId }, endedAt: d.signedAt, reason: 'discharged' });
  }),
  /** A new discharge date moves the line after which days use no units (amendments apply in order). */
  onEvent(DischargeAmended, async (a, _meta, manager) => {
    await manager.query(`UPDATE insurance.discharges SET discharged_on = $2, amendment = $3 WHERE discharge_id = $1 AND amendment < $3`, [
      a.dischargeId,
      a.dischargedOn,
      a.amendment,
    ]);
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
