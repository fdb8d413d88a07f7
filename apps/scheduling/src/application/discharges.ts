import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { DischargeAmended, PatientDischarged, PatientEnrolled, TreatmentPlanUpdated, type PayloadOf } from '@iop/contracts';
import { Outbox, type EventHandler, type EventMeta } from '@iop/messaging';
import { LOGGER } from '@iop/platform';
import { draftPlan } from '../domain/treatment-plan';
import { endEnrolment, planEvent, releaseFrom } from './admissions';
import { enrolmentStore, planStore, todayAt, type Enrolment, type Plan } from './enrolment-store';
import { siteRepository } from './site-repository';

interface ProgramRow {
  program_id: string;
  site_id: string;
  kind: Enrolment['programType'];
  level_of_care: string;
  min_weekly_minutes: number;
  max_weekly_minutes: number | null;
}

/** The first instant after the site-local discharge date: the episode's seats and appointments from then on are released. */
function dayAfter(dischargedOn: string, timeZone: string): Date {
  return DateTime.fromISO(dischargedOn, { zone: timeZone }).plus({ days: 1 }).startOf('day').toJSDate();
}

const laterOf = (a: string, b: string) => (a > b ? a : b);

async function zoneOf(manager: EntityManager, siteId: string): Promise<string> {
  return (await siteRepository.find(manager, siteId))?.timeZone ?? 'UTC';
}

/** The episode's enrolments (at every site it was transferred through), locked. */
async function enrolmentsOf(manager: EntityManager, episodeId: string, openOnly: boolean): Promise<Enrolment[]> {
  const rows = (await manager.query(
    `SELECT enrolment_id AS id FROM scheduling.enrolments WHERE episode_id = $1 ${openOnly ? `AND status <> 'ended'` : ''} ORDER BY created_at FOR UPDATE`,
    [episodeId],
  )) as Array<{ id: string }>;
  const found: Enrolment[] = [];
  for (const row of rows) found.push(await enrolmentStore.require(manager, row.id, true));
  return found;
}

/**
 * `aftercare.patient-discharged`: the episode ends the day after `dischargedOn` (the site's calendar). Its open
 * enrolment ends (`episode-ended`), every seat in a session from that day on and every appointment not yet started is
 * released, with scheduling's usual events (seats-released, appointment-cancelled, enrolment-changed). A step-down to a
 * program of the network enrols the patient there, awaiting placement like an admission, under a new episode id
 * (`continuesEpisodeId` names the discharged one), so that the discharged episode's rosters and counts stay closed.
 *
 * Applied once per discharge (scheduling.discharges), on top of the inbox: the same discharge under another event id
 * changes nothing. A discharge of an episode scheduling has no enrolment for (never admitted here, or parked) is
 * recorded, and a parked admission is marked released. A step-down naming a program scheduling does not know is kept
 * as `program-unknown` for someone to look at; the end of the episode still applies.
 */
@Injectable()
export class PatientDischargedHandler implements EventHandler<typeof PatientDischarged> {
  readonly definition = PatientDischarged;

  constructor(
    private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async handle(d: PayloadOf<typeof PatientDischarged>, meta: EventMeta, manager: EntityManager): Promise<void> {
    const recorded = (await manager.query(
      `INSERT INTO scheduling.discharges (discharge_id, episode_id, site_id, patient_id, discharged_on, step_down, step_down_program_id)
       VALUES ($1, $2, $3, $4, $5, 'none', $6) ON CONFLICT (discharge_id) DO NOTHING RETURNING discharge_id`,
      [d.dischargeId, d.episodeId, d.siteId, d.patientId, d.dischargedOn, d.stepDown?.programId ?? null],
    )) as unknown[];
    if (recorded.length === 0) return;
    await manager.query(`UPDATE scheduling.parked_admissions SET state = 'released' WHERE episode_id = $1`, [d.episodeId]);
    const correlationId = meta.correlationId ?? meta.id;
    const at = dayAfter(d.dischargedOn, await zoneOf(manager, d.siteId));
    const open = await enrolmentsOf(manager, d.episodeId, true);
    const program = d.type === 'step-down' && d.stepDown?.programId ? await this.program(manager, d, open[0]) : null;
    const continuedBy = program ? crypto.randomUUID() : undefined;
    for (const enrolment of open) {
      await endEnrolment(manager, this.outbox, enrolment, { reason: 'episode-ended', at, ...(continuedBy ? { continuedBy } : {}) }, correlationId);
    }
    if (open.length === 0)
      this.log.warn({ episodeId: d.episodeId, dischargeId: d.dischargeId }, 'discharge of an episode with no open enrolment in scheduling');
    if (program && continuedBy && open[0]) await this.stepDown(manager, d, open[0], program, continuedBy, { correlationId, causationId: meta.id });
  }

  /** The program a step-down names, or null (and the discharge marked for someone to look at) when it cannot be enrolled in. */
  private async program(manager: EntityManager, d: PayloadOf<typeof PatientDischarged>, from: Enrolment | undefined): Promise<ProgramRow | null> {
    const [program] = (await manager.query(
      `SELECT program_id, site_id, kind, level_of_care, min_weekly_minutes, max_weekly_minutes FROM scheduling.programs WHERE program_id = $1`,
      [d.stepDown!.programId],
    )) as ProgramRow[];
    const problem = !program ? 'program-unknown' : !from ? 'no-enrolment' : null;
    if (problem) {
      await manager.query(`UPDATE scheduling.discharges SET step_down = $2 WHERE discharge_id = $1`, [d.dischargeId, problem]);
      this.log.warn({ dischargeId: d.dischargeId, programId: d.stepDown!.programId, problem }, 'step-down not enrolled: kept in scheduling.discharges');
      return null;
    }
    return program!;
  }

  private async stepDown(
    manager: EntityManager,
    d: PayloadOf<typeof PatientDischarged>,
    from: Enrolment,
    program: ProgramRow,
    enrolmentId: string,
    ctx: { correlationId: string; causationId: string },
  ): Promise<void> {
    const site = await siteRepository.find(manager, program.site_id);
    const plannedStart = laterOf(DateTime.fromISO(d.dischargedOn).plus({ days: 1 }).toISODate()!, site ? todayAt(site) : d.dischargedOn);
    // A program's minimum is its weekly hours; an outpatient program may have none, and then its maximum is the plan's start.
    const weeklyMinutes = program.min_weekly_minutes > 0 ? program.min_weekly_minutes : (program.max_weekly_minutes ?? 0);
    const enrolment = {
      enrolmentId,
      siteId: program.site_id,
      patientId: d.patientId,
      episodeId: crypto.randomUUID(),
      referralId: from.referralId,
      programType: program.kind,
      levelOfCare: program.level_of_care,
      plannedWeeklyMinutes: weeklyMinutes,
      plannedStart,
      status: 'awaiting-placement' as const,
      programId: program.program_id,
      trackId: null,
      placedFrom: null,
    };
    await enrolmentStore.insert(manager, enrolment);
    const plan: Plan = {
      ...draftPlan({ programType: program.kind, levelOfCare: program.level_of_care, plannedWeeklyHours: weeklyMinutes / 60, plannedStart }),
      planId: crypto.randomUUID(),
      enrolmentId,
      siteId: enrolment.siteId,
      patientId: enrolment.patientId,
      episodeId: enrolment.episodeId,
      version: 1,
      updatedBy: 'aftercare-discharge',
      updatedAt: new Date(),
    };
    await planStore.write(manager, plan, `first draft at the step-down from episode ${d.episodeId}`);
    await manager.query(`UPDATE scheduling.discharges SET step_down = 'enrolled', step_down_enrolment_id = $2 WHERE discharge_id = $1`, [
      d.dischargeId,
      enrolmentId,
    ]);
    const occurredAt = new Date().toISOString();
    await this.outbox.add(
      manager,
      PatientEnrolled,
      {
        enrolmentId,
        patientId: enrolment.patientId,
        episodeId: enrolment.episodeId,
        siteId: enrolment.siteId,
        plannedStart,
        status: 'awaiting-placement',
        continuesEpisodeId: d.episodeId,
        occurredAt,
      },
      ctx,
    );
    await this.outbox.add(manager, TreatmentPlanUpdated, planEvent(plan, occurredAt), ctx);
  }
}

/**
 * `aftercare.discharge-amended`: amendments apply in order (a stale or repeated one changes nothing). An earlier
 * discharge date releases the episode's seats and appointments from the day after the new date (those still ahead);
 * a later date books nothing back: the seats released at the discharge stay released, and a coordinator who wants the
 * patient in those sessions books them again. A changed type or reason changes nothing here (a step-down enrolment
 * made at the discharge stays, to be ended by a coordinator if it no longer applies).
 */
@Injectable()
export class DischargeAmendedHandler implements EventHandler<typeof DischargeAmended> {
  readonly definition = DischargeAmended;

  constructor(
    private readonly outbox: Outbox,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async handle(a: PayloadOf<typeof DischargeAmended>, meta: EventMeta, manager: EntityManager): Promise<void> {
    const [applied] = (await manager.query(
      `SELECT to_char(discharged_on, 'YYYY-MM-DD') AS "dischargedOn", amendment FROM scheduling.discharges WHERE discharge_id = $1 FOR UPDATE`,
      [a.dischargeId],
    )) as Array<{ dischargedOn: string; amendment: number }>;
    if (!applied) {
      // The discharge comes first on the same topic and key: an amendment without it names a discharge scheduling never had.
      this.log.warn({ dischargeId: a.dischargeId, episodeId: a.episodeId }, 'amendment of a discharge scheduling never received; ignored');
      return;
    }
    if (a.amendment <= applied.amendment) return;
    await manager.query(`UPDATE scheduling.discharges SET discharged_on = $2, amendment = $3 WHERE discharge_id = $1`, [
      a.dischargeId,
      a.dischargedOn,
      a.amendment,
    ]);
    if (a.dischargedOn >= applied.dischargedOn) return;
    const at = dayAfter(a.dischargedOn, await zoneOf(manager, a.siteId));
    for (const enrolment of await enrolmentsOf(manager, a.episodeId, false)) {
      await releaseFrom(manager, this.outbox, enrolment, at, 'episode of care ended (discharge date amended)', meta.correlationId ?? meta.id);
    }
  }
}
