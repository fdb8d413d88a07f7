import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { OutreachNeeded, WeeklyHoursAtRisk } from '@iop/contracts';
import type { Outbox } from '@iop/messaging';
import { isoWeekOf } from '../domain/calendar';
import { dischargedOn } from './discharges';

/**
 * Two consecutive no-shows (the patient's two latest recorded sessions at the site) put the patient on the site's
 * outreach queue and raise `attendance.outreach-needed` — once per streak: a third no-show in a row raises nothing new.
 * Cancelled sessions (by the clinic or the patient) are not sessions the patient missed: they neither count as a
 * no-show nor break a streak.
 */
export async function watchAbsences(
  manager: EntityManager,
  outbox: Outbox,
  who: { siteId: string; patientId: string; episodeId: string | null },
  correlationId: string,
): Promise<void> {
  // A discharged episode needs no outreach: a late-recorded no-show from before the discharge raises nothing.
  if ((await dischargedOn(manager, who.episodeId)) !== null) return;
  const latest = (await manager.query(
    `SELECT r.session_id, r.status FROM attendance.attendance_records r JOIN attendance.sessions s USING (session_id)
      WHERE r.site_id = $1 AND r.patient_id = $2 AND r.status NOT IN ('cancelled-by-clinic', 'cancelled-by-patient')
      ORDER BY s.starts_at DESC LIMIT 3`,
    [who.siteId, who.patientId],
  )) as { session_id: string; status: string }[];
  const [last, before, earlier] = latest;
  if (!last || !before || last.status !== 'no-show' || before.status !== 'no-show') return;
  if (earlier?.status === 'no-show') return;
  const outreachId = randomUUID();
  const inserted = (await manager.query(
    `INSERT INTO attendance.outreach (outreach_id, site_id, patient_id, episode_id, last_session_id, missed_session_ids)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (patient_id, last_session_id) DO NOTHING RETURNING outreach_id`,
    [outreachId, who.siteId, who.patientId, who.episodeId, last.session_id, [before.session_id, last.session_id]],
  )) as unknown[];
  if (inserted.length === 0) return;
  await outbox.add(
    manager,
    OutreachNeeded,
    {
      outreachId,
      patientId: who.patientId,
      episodeId: who.episodeId,
      siteId: who.siteId,
      missedSessionIds: [before.session_id, last.session_id],
      occurredAt: new Date().toISOString(),
    },
    { correlationId },
  );
}

/**
 * Mid-week: when what the patient attended this ISO week plus every session still ahead of them that week (booked,
 * not recorded) cannot reach the plan's weekly minimum, raise `attendance.weekly-hours-at-risk` once for the
 * patient-week, suggesting a make-up: another track's session that week, after this one, with a free seat.
 */
export async function watchWeek(
  manager: EntityManager,
  outbox: Outbox,
  who: { siteId: string; patientId: string; episodeId: string | null; serviceDate: string; after: Date },
  correlationId: string,
): Promise<void> {
  if ((await dischargedOn(manager, who.episodeId)) !== null) return;
  const { isoWeek, weekStart } = isoWeekOf(who.serviceDate);
  const plan = (
    (await manager.query(
      `SELECT coalesce(e.weekly_minimum_minutes, p.min_weekly_minutes) AS minimum, e.track_id
         FROM attendance.enrolments e LEFT JOIN attendance.programs p ON p.program_id = e.program_id
        WHERE e.patient_id = $1 AND e.site_id = $2 AND e.status <> 'ended' ORDER BY e.updated_at DESC LIMIT 1`,
      [who.patientId, who.siteId],
    )) as { minimum: number | null; track_id: string | null }[]
  )[0];
  if (!plan?.minimum) return;
  const [totals] = (await manager.query(
    `SELECT
       (SELECT coalesce(sum(r.attended_minutes), 0)::int FROM attendance.attendance_records r
         WHERE r.patient_id = $1 AND r.site_id = $2 AND r.service_date BETWEEN $3::date AND $3::date + 6) AS attended,
       (SELECT coalesce(sum(extract(epoch FROM (s.ends_at - s.starts_at)) / 60), 0)::int
          FROM attendance.seats st JOIN attendance.sessions s USING (session_id)
         WHERE st.patient_id = $1 AND st.site_id = $2 AND st.state = 'booked' AND s.status = 'scheduled'
           AND s.local_date BETWEEN $3::date AND $3::date + 6
           AND NOT EXISTS (SELECT 1 FROM attendance.attendance_records r WHERE r.session_id = s.session_id AND r.patient_id = $1)) AS remaining`,
    [who.patientId, who.siteId, weekStart],
  )) as { attended: number; remaining: number }[];
  if (!totals || totals.attended + totals.remaining >= plan.minimum) return;
  const inserted = (await manager.query(
    `INSERT INTO attendance.weekly_risks (site_id, patient_id, week_start) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING week_start`,
    [who.siteId, who.patientId, weekStart],
  )) as unknown[];
  if (inserted.length === 0) return;
  const suggestion = (
    (await manager.query(
      `SELECT s.session_id FROM attendance.sessions s
        WHERE s.site_id = $1 AND s.source = 'group-session' AND s.status = 'scheduled' AND s.starts_at > $2
          AND s.local_date BETWEEN $3::date AND $3::date + 6 AND s.track_id IS DISTINCT FROM $4
          AND NOT EXISTS (SELECT 1 FROM attendance.seats st WHERE st.session_id = s.session_id AND st.patient_id = $5 AND st.state = 'booked')
          AND (SELECT count(*) FROM attendance.seats st WHERE st.session_id = s.session_id AND st.state = 'booked') < s.capacity
        ORDER BY s.starts_at LIMIT 1`,
      [who.siteId, who.after, weekStart, plan.track_id, who.patientId],
    )) as { session_id: string }[]
  )[0];
  await outbox.add(
    manager,
    WeeklyHoursAtRisk,
    {
      patientId: who.patientId,
      episodeId: who.episodeId,
      siteId: who.siteId,
      isoWeek,
      weekStart,
      weeklyMinimumMinutes: plan.minimum,
      attendedMinutes: totals.attended,
      remainingScheduledMinutes: totals.remaining,
      suggestedSessionId: suggestion?.session_id ?? null,
      occurredAt: new Date().toISOString(),
    },
    { correlationId },
  );
}
