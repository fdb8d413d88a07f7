import type { EntityManager } from 'typeorm';
import { DischargeAmended, PatientDischarged } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';

/**
 * Aftercare's discharge closes the episode's rosters after the discharge date (the site's calendar): its seats in
 * later sessions leave the rosters (a seat scheduling books or re-sends for such a session arrives released), a
 * check-in for one is refused (`attendance.patient-discharged`, see seats.ts), the episode's enrolments end (so the
 * weekly-hours watch stops), and its open outreach is closed. Sessions up to and including the discharge date are
 * left as they are: their attendance may still be recorded or corrected. Idempotent per discharge; amendments apply in
 * order, and a new date moves the line both ways (seats released after the old date are not booked back by a later
 * one: scheduling re-books them if a coordinator wants them).
 */

/** The date after which the episode has nothing to attend, if it was discharged. */
export async function dischargedOn(manager: EntityManager, episodeId: string | null): Promise<string | null> {
  if (!episodeId) return null;
  const rows = (await manager.query(
    `SELECT to_char(discharged_on, 'YYYY-MM-DD') AS "dischargedOn" FROM attendance.discharges WHERE episode_id = $1 ORDER BY discharged_on LIMIT 1`,
    [episodeId],
  )) as Array<{ dischargedOn: string }>;
  return rows[0]?.dischargedOn ?? null;
}

async function closeRosters(manager: EntityManager, d: { episodeId: string; patientId: string; siteId: string; dischargedOn: string }): Promise<void> {
  await manager.query(
    `UPDATE attendance.seats st SET state = 'released', updated_at = now()
       FROM attendance.sessions s
      WHERE s.session_id = st.session_id AND st.site_id = $1 AND st.patient_id = $2 AND st.state = 'booked' AND s.local_date > $4::date
        AND (st.episode_id = $3 OR (st.episode_id IS NULL AND st.enrolment_id IN (SELECT enrolment_id FROM attendance.enrolments WHERE episode_id = $3)))`,
    [d.siteId, d.patientId, d.episodeId, d.dischargedOn],
  );
}

export const dischargeHandlers: readonly EventHandler[] = [
  onEvent(PatientDischarged, async (d, _meta, manager) => {
    const recorded = (await manager.query(
      `INSERT INTO attendance.discharges (discharge_id, episode_id, patient_id, site_id, discharged_on) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (discharge_id) DO NOTHING RETURNING discharge_id`,
      [d.dischargeId, d.episodeId, d.patientId, d.siteId, d.dischargedOn],
    )) as unknown[];
    if (recorded.length === 0) return;
    await closeRosters(manager, d);
    await manager.query(`UPDATE attendance.enrolments SET status = 'ended', updated_at = now() WHERE episode_id = $1`, [d.episodeId]);
    await manager.query(`UPDATE attendance.outreach SET status = 'done' WHERE episode_id = $1 AND status = 'open'`, [d.episodeId]);
  }),
  onEvent(DischargeAmended, async (a, _meta, manager) => {
    const updated = (await manager.query(
      `UPDATE attendance.discharges SET discharged_on = $2, amendment = $3 WHERE discharge_id = $1 AND amendment < $3 RETURNING discharge_id`,
      [a.dischargeId, a.dischargedOn, a.amendment],
    )) as unknown[];
    if (updated.length > 0) await closeRosters(manager, a);
  }),
];
