import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { DomainError, notFound } from '@iop/platform';
import type { Goal, PlanContent } from '../domain/treatment-plan';
import { siteRepository } from './site-repository';
import type { Site } from '../domain/site';

export type EnrolmentStatus = 'awaiting-placement' | 'placed' | 'ended';

export interface Enrolment {
  readonly enrolmentId: string;
  readonly siteId: string;
  readonly patientId: string;
  readonly episodeId: string;
  readonly referralId: string;
  readonly programType: 'substance-use' | 'mental-health' | 'co-occurring';
  readonly levelOfCare: string;
  readonly plannedWeeklyMinutes: number;
  readonly plannedStart: string;
  readonly status: EnrolmentStatus;
  readonly programId: string | null;
  readonly trackId: string | null;
  readonly placedFrom: string | null;
  readonly endedAt: Date | null;
  readonly endReason: string | null;
  readonly placementNote: string | null;
  readonly revision: number;
  readonly createdAt: Date;
}

const ENROLMENT_COLUMNS = `enrolment_id AS "enrolmentId", site_id AS "siteId", patient_id AS "patientId", episode_id AS "episodeId",
  referral_id AS "referralId", program_type AS "programType", level_of_care AS "levelOfCare", planned_weekly_minutes AS "plannedWeeklyMinutes",
  to_char(planned_start, 'YYYY-MM-DD') AS "plannedStart", status, program_id AS "programId", track_id AS "trackId",
  to_char(placed_from, 'YYYY-MM-DD') AS "placedFrom", ended_at AS "endedAt", end_reason AS "endReason", placement_note AS "placementNote",
  revision, created_at AS "createdAt"`;

export const enrolmentStore = {
  columns: ENROLMENT_COLUMNS,

  async find(manager: EntityManager, enrolmentId: string, lock = false): Promise<Enrolment | null> {
    const rows = (await manager.query(`SELECT ${ENROLMENT_COLUMNS} FROM scheduling.enrolments WHERE enrolment_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      enrolmentId,
    ])) as Enrolment[];
    return rows[0] ?? null;
  },

  /** The enrolment as the caller's sites see it, or 404 (the same answer for one that exists at a site the caller cannot see). */
  async require(manager: EntityManager, enrolmentId: string, lock = false): Promise<Enrolment> {
    const e = await enrolmentStore.find(manager, enrolmentId, lock);
    if (!e) throw notFound('enrolment.unknown', `there is no enrolment ${enrolmentId}`);
    return e;
  },

  async insert(manager: EntityManager, e: Omit<Enrolment, 'endedAt' | 'endReason' | 'placementNote' | 'revision' | 'createdAt'>): Promise<void> {
    await manager.query(
      `INSERT INTO scheduling.enrolments (enrolment_id, site_id, patient_id, episode_id, referral_id, program_type, level_of_care,
         planned_weekly_minutes, planned_start, status, program_id, track_id, placed_from)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        e.enrolmentId,
        e.siteId,
        e.patientId,
        e.episodeId,
        e.referralId,
        e.programType,
        e.levelOfCare,
        e.plannedWeeklyMinutes,
        e.plannedStart,
        e.status,
        e.programId,
        e.trackId,
        e.placedFrom,
      ],
    );
  },

  /** The open enrolment of a patient at a site, if any. */
  async openAt(manager: EntityManager, siteId: string, patientId: string): Promise<Enrolment | null> {
    const rows = (await manager.query(
      `SELECT ${ENROLMENT_COLUMNS} FROM scheduling.enrolments WHERE site_id = $1 AND patient_id = $2 AND status <> 'ended' ORDER BY created_at DESC LIMIT 1`,
      [siteId, patientId],
    )) as Enrolment[];
    return rows[0] ?? null;
  },
};

export interface Plan extends PlanContent {
  readonly planId: string;
  readonly enrolmentId: string;
  readonly siteId: string;
  readonly patientId: string;
  readonly episodeId: string;
  readonly version: number;
  readonly updatedBy: string;
  readonly updatedAt: Date;
}

const PLAN_COLUMNS = `plan_id AS "planId", enrolment_id AS "enrolmentId", site_id AS "siteId", patient_id AS "patientId", episode_id AS "episodeId",
  version, weekly_group_minutes AS "weeklyGroupMinutes", individual_per_week AS "individualPerWeek", family_per_month AS "familyPerMonth",
  psychiatric_per_month AS "psychiatricPerMonth", goals, to_char(effective_from, 'YYYY-MM-DD') AS "effectiveFrom",
  to_char(next_review_on, 'YYYY-MM-DD') AS "nextReviewOn", updated_by AS "updatedBy", updated_at AS "updatedAt"`;

export const planStore = {
  async forEnrolment(manager: EntityManager, enrolmentId: string, lock = false): Promise<Plan | null> {
    const rows = (await manager.query(`SELECT ${PLAN_COLUMNS} FROM scheduling.treatment_plans WHERE enrolment_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      enrolmentId,
    ])) as Plan[];
    return rows[0] ?? null;
  },

  /** Writes a plan's new version: the current row and an append-only copy in treatment_plan_versions. */
  async write(manager: EntityManager, plan: Plan, reason: string): Promise<void> {
    await manager.query(
      `INSERT INTO scheduling.treatment_plans (plan_id, site_id, patient_id, episode_id, enrolment_id, version, weekly_group_minutes, individual_per_week,
         family_per_month, psychiatric_per_month, goals, effective_from, next_review_on, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, now())
       ON CONFLICT (plan_id) DO UPDATE SET version = EXCLUDED.version, weekly_group_minutes = EXCLUDED.weekly_group_minutes,
         individual_per_week = EXCLUDED.individual_per_week, family_per_month = EXCLUDED.family_per_month,
         psychiatric_per_month = EXCLUDED.psychiatric_per_month, goals = EXCLUDED.goals, effective_from = EXCLUDED.effective_from,
         next_review_on = EXCLUDED.next_review_on, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [
        plan.planId,
        plan.siteId,
        plan.patientId,
        plan.episodeId,
        plan.enrolmentId,
        plan.version,
        plan.weeklyGroupMinutes,
        plan.individualPerWeek,
        plan.familyPerMonth,
        plan.psychiatricPerMonth,
        JSON.stringify(plan.goals),
        plan.effectiveFrom,
        plan.nextReviewOn,
        plan.updatedBy,
      ],
    );
    await manager.query(
      `INSERT INTO scheduling.treatment_plan_versions (plan_id, version, site_id, plan, reason, changed_by) VALUES ($1, $2, $3, $4::jsonb, $5, $6)`,
      [plan.planId, plan.version, plan.siteId, JSON.stringify(planSnapshot(plan)), reason, plan.updatedBy],
    );
  },

  async versions(manager: EntityManager, planId: string) {
    return (await manager.query(
      `SELECT version, plan, reason, changed_by AS "changedBy", changed_at AS "changedAt" FROM scheduling.treatment_plan_versions WHERE plan_id = $1 ORDER BY version DESC`,
      [planId],
    )) as Array<{ version: number; plan: PlanContent; reason: string; changedBy: string; changedAt: Date }>;
  },
};

export function planSnapshot(p: PlanContent): PlanContent {
  return {
    weeklyGroupMinutes: p.weeklyGroupMinutes,
    individualPerWeek: p.individualPerWeek,
    familyPerMonth: p.familyPerMonth,
    psychiatricPerMonth: p.psychiatricPerMonth,
    goals: p.goals as Goal[],
    effectiveFrom: p.effectiveFrom,
    nextReviewOn: p.nextReviewOn,
  };
}

/** The site as the caller's scope sees it (the enrolment's own site is always visible when the enrolment is). */
export async function requireSite(manager: EntityManager, siteId: string): Promise<Site> {
  const site = await siteRepository.find(manager, siteId);
  if (!site) throw notFound('site.unknown', `there is no site ${siteId}`);
  return site;
}

/** Today's local date at the site. */
export function todayAt(site: Pick<Site, 'timeZone'>, now = new Date()): string {
  return DateTime.fromJSDate(now).setZone(site.timeZone).toISODate()!;
}

export function invalid(code: string, message: string): DomainError {
  return new DomainError(code, message, 422);
}

/** The rows of an UPDATE or DELETE … RETURNING: TypeORM answers those with `[rows, count]`. */
export function returned<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}
