import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DischargeAmended, PatientAdmitted, PatientDischarged, type PayloadOf } from '@iop/contracts';
import { PermanentEventError, onEvent, type EventHandler, type EventMeta } from '@iop/messaging';
import { followUpOffsets, localDateOf, planFollowUp, planFollowUps } from '../domain/follow-up-schedule';
import { monthOf, publishSiteMonth } from './measure-site-months';
import { returned } from './follow-up-sql';

/*
 * What aftercare does when a discharge is signed (it consumes its own aftercare.patient-discharged, so the follow-ups
 * are planned the same way whether the discharge was signed here or replayed): keep the discharge, plan the follow-ups
 * at +7, +30 and +90 days (FOLLOW_UP_DAYS) in the site's zone, and watch for the patient's next admission. Every step
 * is an insert that a redelivery (or the same discharge published twice) leaves as it was.
 */

/** The offsets in force; read at each discharge so a test or an operator can change them without a new build. */
const offsets = () => followUpOffsets(process.env['FOLLOW_UP_DAYS']);

async function siteZone(manager: EntityManager, siteId: string): Promise<string | null> {
  const rows = (await manager.query(`SELECT time_zone FROM aftercare.site_directory WHERE site_id = $1`, [siteId])) as Array<{ time_zone: string }>;
  return rows[0]?.time_zone ?? null;
}

const context = (meta: EventMeta) => ({ correlationId: meta.id, causationId: meta.id });

async function onDischarged(p: PayloadOf<typeof PatientDischarged>, meta: EventMeta, manager: EntityManager): Promise<void> {
  const zone = await siteZone(manager, p.siteId);
  // Due dates without the site's zone would be wrong by hours; the dead letter is replayed once scheduling's site event is in.
  if (!zone) throw new PermanentEventError(`site ${p.siteId} of discharge ${p.dischargeId} is not in aftercare's site directory yet`);
  const inserted = (await manager.query(
    `INSERT INTO aftercare.follow_up_discharges (episode_id, discharge_id, patient_id, site_id, discharge_type, admitted_on, discharged_on, time_zone)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (episode_id) DO NOTHING RETURNING episode_id`,
    [p.episodeId, p.dischargeId, p.patientId, p.siteId, p.type, p.admittedOn, p.dischargedOn, zone],
  )) as unknown[];
  if (inserted.length === 0) return;
  for (const f of planFollowUps(p.dischargedOn, zone, offsets())) {
    await manager.query(
      `INSERT INTO aftercare.follow_ups (follow_up_id, episode_id, patient_id, site_id, day_offset, due_on, due_at, overdue_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (episode_id, day_offset) DO NOTHING`,
      [randomUUID(), p.episodeId, p.patientId, p.siteId, f.dayOffset, f.dueOn, f.dueAt, f.overdueAt],
    );
  }
  // An admission heard of before this discharge (they come on different topics) may already be its readmission.
  const [admission] = (await manager.query(
    `SELECT episode_id, admitted_on::text AS admitted_on FROM aftercare.readmission_admissions
      WHERE episode_id <> $1 AND (readmission_of = $1 OR (readmission_of IS NULL AND patient_id = $2 AND admitted_on >= $3::date))
      ORDER BY admitted_on, episode_id LIMIT 1`,
    [p.episodeId, p.patientId, p.dischargedOn],
  )) as Array<{ episode_id: string; admitted_on: string }>;
  if (admission) {
    await manager.query(`UPDATE aftercare.follow_up_discharges SET readmission_episode_id = $2, readmitted_on = $3 WHERE episode_id = $1`, [
      p.episodeId,
      admission.episode_id,
      admission.admitted_on,
    ]);
  }
  await publishSiteMonth(manager, p.siteId, monthOf(p.dischargedOn), context(meta));
}

interface DischargeRow {
  site_id: string;
  discharged_on: string;
  time_zone: string;
  amendment: number;
}

/** A later amendment wins; a new discharge date re-plans the follow-ups still open (done and unreachable ones stay). */
async function onAmended(p: PayloadOf<typeof DischargeAmended>, meta: EventMeta, manager: EntityManager): Promise<void> {
  const [before] = (await manager.query(
    `SELECT site_id, discharged_on::text AS discharged_on, time_zone, amendment FROM aftercare.follow_up_discharges WHERE episode_id = $1 FOR UPDATE`,
    [p.episodeId],
  )) as DischargeRow[];
  // Same topic and key as the discharge, so the discharge came first unless it was dead-lettered: then this waits for its replay.
  if (!before) throw new PermanentEventError(`amendment ${p.amendment} of discharge ${p.dischargeId}: the discharge itself is not known to follow-ups`);
  if (before.amendment >= p.amendment) return;
  await manager.query(
    `UPDATE aftercare.follow_up_discharges SET discharge_type = $2, discharged_on = $3, amendment = $4, updated_at = now() WHERE episode_id = $1`,
    [p.episodeId, p.type, p.dischargedOn, p.amendment],
  );
  if (before.discharged_on !== p.dischargedOn) {
    const pending = (await manager.query(`SELECT follow_up_id, day_offset FROM aftercare.follow_ups WHERE episode_id = $1 AND state IN ('due', 'overdue')`, [
      p.episodeId,
    ])) as Array<{ follow_up_id: string; day_offset: number }>;
    for (const f of pending) {
      const planned = planFollowUp(p.dischargedOn, before.time_zone, f.day_offset);
      // Back to `due` with its announcements forgotten: the sweep announces (and, if need be, misses) the new date.
      await manager.query(
        `UPDATE aftercare.follow_ups SET due_on = $2, due_at = $3, overdue_at = $4, state = 'due', due_published_at = NULL, missed_published_at = NULL,
           updated_at = now() WHERE follow_up_id = $1`,
        [f.follow_up_id, planned.dueOn, planned.dueAt, planned.overdueAt],
      );
    }
  }
  const months = new Set([monthOf(before.discharged_on), monthOf(p.dischargedOn)]);
  for (const month of months) await publishSiteMonth(manager, before.site_id, month, context(meta));
}

/**
 * intake.patient-admitted: a new admission of a patient after a discharge is a readmission of that discharge. Intake
 * may name the prior episode (`readmissionOf`, an optional field of the event); otherwise the patient's latest
 * discharge on or before the admission date is the one. The admission date is the site-local day the event occurred.
 */
async function onAdmitted(p: PayloadOf<typeof PatientAdmitted>, meta: EventMeta, manager: EntityManager): Promise<void> {
  // Read only if present: intake adds the optional field, older events do not carry it.
  const readmissionOf = (p as { readmissionOf?: string | null }).readmissionOf ?? null;
  const zone = (await siteZone(manager, p.siteId)) ?? 'UTC';
  const admittedOn = localDateOf(p.occurredAt, zone);
  const inserted = (await manager.query(
    `INSERT INTO aftercare.readmission_admissions (episode_id, patient_id, site_id, admitted_on, readmission_of)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (episode_id) DO NOTHING RETURNING episode_id`,
    [p.episodeId, p.patientId, p.siteId, admittedOn, readmissionOf],
  )) as unknown[];
  if (inserted.length === 0) return;
  const [prior] = (await manager.query(
    `SELECT episode_id, site_id, discharged_on::text AS discharged_on FROM aftercare.follow_up_discharges
      WHERE episode_id <> $1 AND ((episode_id = $4::uuid) OR ($4::uuid IS NULL AND patient_id = $2 AND discharged_on <= $3::date))
      ORDER BY discharged_on DESC, created_at DESC LIMIT 1`,
    [p.episodeId, p.patientId, admittedOn, readmissionOf],
  )) as Array<{ episode_id: string; site_id: string; discharged_on: string }>;
  if (!prior) return;
  // The first admission after the discharge is its readmission; a later one changes nothing.
  const updated = returned(
    await manager.query(
      `UPDATE aftercare.follow_up_discharges SET readmission_episode_id = $2, readmitted_on = $3, updated_at = now()
        WHERE episode_id = $1 AND (readmitted_on IS NULL OR readmitted_on > $3::date) RETURNING episode_id`,
      [prior.episode_id, p.episodeId, admittedOn],
    ),
  );
  if (updated.length > 0) await publishSiteMonth(manager, prior.site_id, monthOf(prior.discharged_on), context(meta));
}

export const followUpPlanningHandlers: readonly EventHandler[] = [
  onEvent(PatientDischarged, onDischarged),
  onEvent(DischargeAmended, onAmended),
  onEvent(PatientAdmitted, onAdmitted),
];
