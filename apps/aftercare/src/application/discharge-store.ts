import type { EntityManager } from 'typeorm';
import { scopeSetting, type SiteScope } from '@iop/persistence';
import type { DischargeType, GoalCounts, ResolvedDestination, StepDownLevel, StepUpDestination } from '../domain/discharge';
import { episodeNotFound, reasonUnknown } from './discharge-errors';

/** Aftercare's episode, from intake's admission. */
export interface Episode {
  readonly episodeId: string;
  readonly patientId: string;
  readonly siteId: string;
  readonly levelOfCare: string;
  readonly admittedOn: string;
  readonly status: 'active' | 'discharged';
  readonly dischargedOn: string | null;
}

const EPISODE_COLUMNS = `episode_id AS "episodeId", patient_id AS "patientId", site_id AS "siteId", level_of_care AS "levelOfCare",
  admitted_on::text AS "admittedOn", status, discharged_on::text AS "dischargedOn"`;

export async function findEpisode(manager: EntityManager, episodeId: string, lock = false): Promise<Episode | undefined> {
  const rows = (await manager.query(`SELECT ${EPISODE_COLUMNS} FROM aftercare.episodes WHERE episode_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
    episodeId,
  ])) as Episode[];
  return rows[0];
}

export async function requireEpisode(manager: EntityManager, episodeId: string, lock = false): Promise<Episode> {
  const episode = await findEpisode(manager, episodeId, lock);
  if (!episode) throw episodeNotFound(episodeId);
  return episode;
}

/** The discharge row as stored (the values as signed; amendments are separate rows). */
export interface DischargeRow {
  discharge_id: string;
  episode_id: string;
  patient_id: string;
  site_id: string;
  status: 'draft' | 'signed';
  type: DischargeType;
  reason_code: string;
  discharged_on: string;
  step_down_program_id: string | null;
  step_down_level: StepDownLevel | null;
  step_up_destination: StepUpDestination | null;
  transfer_to_site_id: string | null;
  goals_total: number | null;
  goals_met: number | null;
  goals_partly: number | null;
  summary_text: string | null;
  admitted_on: string;
  sessions_attended: number;
  attended_minutes: number;
  first_outcome: unknown;
  last_outcome: unknown;
  proposed_by: 'clinician' | 'lost-to-contact-sweep';
  created_by: string;
  created_at: Date;
  updated_at: Date;
  signed_by: string | null;
  signed_at: Date | null;
}

export const DISCHARGE_COLUMNS = `discharge_id, episode_id, patient_id, site_id, status, type, reason_code, discharged_on::text AS discharged_on,
  step_down_program_id, step_down_level, step_up_destination, transfer_to_site_id, goals_total, goals_met, goals_partly, summary_text,
  admitted_on::text AS admitted_on, sessions_attended, attended_minutes, first_outcome, last_outcome, proposed_by, created_by, created_at,
  updated_at, signed_by, signed_at`;

export async function findDischarge(manager: EntityManager, dischargeId: string, lock = false): Promise<DischargeRow | undefined> {
  const rows = (await manager.query(`SELECT ${DISCHARGE_COLUMNS} FROM aftercare.discharges WHERE discharge_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
    dischargeId,
  ])) as DischargeRow[];
  return rows[0];
}

export interface AmendmentRow {
  amendment_id: string;
  amendment: number;
  type: DischargeType;
  reason_code: string;
  discharged_on: string;
  step_down_program_id: string | null;
  step_down_level: StepDownLevel | null;
  step_up_destination: StepUpDestination | null;
  transfer_to_site_id: string | null;
  reason: string;
  amended_by: string;
  amended_at: Date;
}

export async function amendmentsOf(manager: EntityManager, dischargeId: string): Promise<AmendmentRow[]> {
  return (await manager.query(
    `SELECT amendment_id, amendment, type, reason_code, discharged_on::text AS discharged_on, step_down_program_id, step_down_level,
            step_up_destination, transfer_to_site_id, reason, amended_by, amended_at
       FROM aftercare.discharge_amendments WHERE discharge_id = $1 ORDER BY amendment`,
    [dischargeId],
  )) as AmendmentRow[];
}

/** The reason codes a type allows. */
export async function reasonsFor(manager: EntityManager, type: DischargeType): Promise<string[]> {
  const rows = (await manager.query(`SELECT code FROM aftercare.discharge_reasons WHERE type = $1 AND active ORDER BY code`, [type])) as { code: string }[];
  return rows.map((r) => r.code);
}

export async function requireReason(manager: EntityManager, type: DischargeType, code: string): Promise<void> {
  const allowed = await reasonsFor(manager, type);
  if (!allowed.includes(code)) throw reasonUnknown(type, code, allowed);
}

/**
 * The network's directory, whatever the caller's sites: a transfer names another site and a step-down may name another
 * site's program, which the caller's scope cannot see. Sites and program levels are not PHI; only a site's existence
 * and a program's level are read. The scope is widened for these two reads by id and put back, inside the caller's
 * transaction: a second connection from the pool, taken while this one holds its locks, would let a burst of
 * requests exhaust the pool waiting on each other.
 */
export async function networkFacts(
  manager: EntityManager,
  scope: SiteScope,
  ids: { siteId: string | null; programId: string | null },
): Promise<{ siteKnown: boolean; program: { programId: string; levelOfCare: StepDownLevel } | null }> {
  if (!ids.siteId && !ids.programId) return { siteKnown: false, program: null };
  await manager.query(`SELECT set_config('app.site_ids', '*', true)`);
  try {
    const site = ids.siteId ? ((await manager.query(`SELECT 1 FROM aftercare.site_directory WHERE site_id = $1`, [ids.siteId])) as unknown[]) : [];
    const program = ids.programId
      ? ((await manager.query(`SELECT program_id AS "programId", level_of_care AS "levelOfCare" FROM aftercare.programs WHERE program_id = $1`, [
          ids.programId,
        ])) as Array<{ programId: string; levelOfCare: StepDownLevel }>)
      : [];
    return { siteKnown: site.length > 0, program: program[0] ?? null };
  } finally {
    await manager.query(`SELECT set_config('app.site_ids', $1, true)`, [scopeSetting(scope)]);
  }
}

/**
 * The episode's attendance: sessions attended (attended, late, left early) and their minutes up to `until`. Records
 * that carry the episode count by it; attendance records with no episode count by patient and site within the
 * episode's dates.
 */
export async function attendanceTotals(
  manager: EntityManager,
  episode: Pick<Episode, 'episodeId' | 'patientId' | 'siteId' | 'admittedOn'>,
  until: string,
): Promise<{ sessionsAttended: number; attendedMinutes: number; lastAttendedOn: string | null }> {
  const rows = (await manager.query(
    `SELECT count(*)::int AS sessions, coalesce(sum(attended_minutes), 0)::int AS minutes, max(service_date)::text AS last
       FROM aftercare.attendance_records
      WHERE status IN ('attended', 'late', 'left-early') AND service_date <= $5::date
        AND (episode_id = $1 OR (episode_id IS NULL AND patient_id = $2 AND site_id = $3 AND service_date >= $4::date))`,
    [episode.episodeId, episode.patientId, episode.siteId, episode.admittedOn, until],
  )) as Array<{ sessions: number; minutes: number; last: string | null }>;
  const row = rows[0]!;
  return { sessionsAttended: row.sessions, attendedMinutes: row.minutes, lastAttendedOn: row.last };
}

/** The fields a draft holds, as the use cases write them. */
export interface DraftFields {
  readonly type: DischargeType;
  readonly reasonCode: string;
  readonly dischargedOn: string;
  readonly destination: ResolvedDestination;
  readonly goals: GoalCounts | null;
  readonly summaryText: string | null;
}

export const destinationColumns = (d: ResolvedDestination) => [
  d.stepDown?.programId ?? null,
  d.stepDown?.levelOfCare ?? null,
  d.stepUp?.destination ?? null,
  d.transferToSiteId,
];
