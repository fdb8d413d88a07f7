import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SiteScope } from '@iop/persistence';
import { DischargeAmended, PatientDischarged } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { SiteDirectory, UnitOfWork } from '@iop/platform';
import {
  checkDischargeDate,
  checkGoals,
  isRefusal,
  localToday,
  resolveDestination,
  type Destination,
  type DischargeType,
  type GoalCounts,
  type ResolvedDestination,
  type StepDownLevel,
  type StepUpDestination,
} from '../domain/discharge';
import { alreadySigned, dischargeNotFound, draftExists, episodeNotActive, notSigned, refused } from './discharge-errors';
import {
  amendmentsOf,
  attendanceTotals,
  destinationColumns,
  findDischarge,
  networkFacts,
  requireEpisode,
  requireReason,
  type DischargeRow,
  type Episode,
} from './discharge-store';
import { DischargeQueries } from './discharge-queries';

/** What a clinician states in a draft or an edit; destination fields are as in the event. */
export interface DischargeInput {
  readonly type?: DischargeType | undefined;
  readonly reasonCode?: string | undefined;
  readonly dischargedOn?: string | undefined;
  readonly stepDown?: Destination['stepDown'] | undefined;
  readonly stepUp?: Destination['stepUp'] | undefined;
  readonly transferToSiteId?: string | null | undefined;
  readonly goals?: GoalCounts | null | undefined;
  readonly summaryText?: string | null | undefined;
}

interface Current {
  readonly type: DischargeType;
  readonly reasonCode: string;
  readonly dischargedOn: string;
  readonly destination: Destination;
}

/**
 * The values after a change: a field named replaces the current one. A new type brings its own destination (the
 * destination fields not named are cleared); otherwise a destination field named replaces that field alone.
 */
export function merge(current: Current, change: DischargeInput): Current {
  const fresh = change.type !== undefined && change.type !== current.type;
  const pick = <K extends keyof Destination>(key: K): Destination[K] =>
    change[key] !== undefined ? (change[key] as Destination[K]) : fresh ? null : current.destination[key];
  return {
    type: change.type ?? current.type,
    reasonCode: change.reasonCode ?? current.reasonCode,
    dischargedOn: change.dischargedOn ?? current.dischargedOn,
    destination: { stepDown: pick('stepDown'), stepUp: pick('stepUp'), transferToSiteId: pick('transferToSiteId') },
  };
}

const destinationOf = (row: {
  step_down_program_id: string | null;
  step_down_level: string | null;
  step_up_destination: string | null;
  transfer_to_site_id: string | null;
  type: DischargeType;
}): Destination => ({
  stepDown: row.type === 'step-down' ? { programId: row.step_down_program_id, levelOfCare: (row.step_down_level as StepDownLevel | null) ?? undefined } : null,
  stepUp: row.step_up_destination ? { destination: row.step_up_destination as StepUpDestination } : null,
  transferToSiteId: row.transfer_to_site_id,
});

/**
 * From a draft to a signed discharge, and its amendments. Every command checks the whole discharge as it would stand
 * (date within the episode, a reason of its type, a destination that fits its type), so a signed discharge is always
 * one that passed every rule. Signing, the episode's end and `aftercare.patient-discharged` commit together.
 */
@Injectable()
export class Discharges {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
    private readonly queries: DischargeQueries,
  ) {}

  /** Checks a discharge as it would stand and gives the destination the event carries. */
  private async check(manager: EntityManager, scope: SiteScope, episode: Episode, values: Current): Promise<ResolvedDestination> {
    const site = await this.sites.require(manager, episode.siteId, 'aftercare');
    const dateRefusal = checkDischargeDate(values.dischargedOn, episode.admittedOn, localToday(site.timeZone));
    if (dateRefusal) throw refused(dateRefusal);
    await requireReason(manager, values.type, values.reasonCode);
    const facts = await networkFacts(manager, scope, {
      siteId: values.type === 'transfer' ? values.destination.transferToSiteId : null,
      programId: values.type === 'step-down' ? (values.destination.stepDown?.programId ?? null) : null,
    });
    const resolved = resolveDestination(values.type, values.destination, {
      episodeSiteId: episode.siteId,
      episodeLevel: episode.levelOfCare,
      program: facts.program,
      transferSiteKnown: facts.siteKnown,
    });
    if (isRefusal(resolved)) throw refused(resolved);
    return resolved;
  }

  draft(episodeId: string, input: Required<Pick<DischargeInput, 'type' | 'reasonCode' | 'dischargedOn'>> & DischargeInput) {
    return this.uow.run(async ({ manager, principal, requestId, scope }) => {
      const episode = await requireEpisode(manager, episodeId, true);
      if (episode.status !== 'active') throw episodeNotActive(episodeId, episode.dischargedOn);
      const existing = (await manager.query(`SELECT discharge_id, status FROM aftercare.discharges WHERE episode_id = $1`, [episodeId])) as Array<{
        discharge_id: string;
        status: string;
      }>;
      if (existing[0]) throw draftExists(episodeId, existing[0].discharge_id, existing[0].status);
      const values = merge(
        {
          type: input.type,
          reasonCode: input.reasonCode,
          dischargedOn: input.dischargedOn,
          destination: { stepDown: null, stepUp: null, transferToSiteId: null },
        },
        { stepDown: input.stepDown, stepUp: input.stepUp, transferToSiteId: input.transferToSiteId },
      );
      const destination = await this.check(manager, scope, episode, values);
      if (input.goals) {
        const goalRefusal = checkGoals(input.goals);
        if (goalRefusal) throw refused(goalRefusal);
      }
      const dischargeId = crypto.randomUUID();
      const inserted = await insertDraft(manager, {
        dischargeId,
        episode,
        values,
        destination,
        goals: input.goals ?? null,
        summaryText: input.summaryText ?? null,
        proposedBy: 'clinician',
        actor: principal.subject,
      });
      if (!inserted) throw draftExists(episodeId, dischargeId, 'draft');
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'create', resource: `discharge:${dischargeId}`, patientId: episode.patientId, siteId: episode.siteId },
      );
      return this.queries.view(manager, dischargeId);
    });
  }

  edit(dischargeId: string, input: DischargeInput) {
    return this.uow.run(async ({ manager, principal, requestId, scope }) => {
      const row = await this.requireDraft(manager, dischargeId);
      const episode = await requireEpisode(manager, row.episode_id);
      const values = merge({ type: row.type, reasonCode: row.reason_code, dischargedOn: row.discharged_on, destination: destinationOf(row) }, input);
      const destination = await this.check(manager, scope, episode, values);
      const goals = input.goals === undefined ? goalsOf(row) : input.goals;
      if (goals) {
        const goalRefusal = checkGoals(goals);
        if (goalRefusal) throw refused(goalRefusal);
      }
      const totals = await attendanceTotals(manager, episode, values.dischargedOn);
      await manager.query(
        `UPDATE aftercare.discharges SET type = $2, reason_code = $3, discharged_on = $4, step_down_program_id = $5, step_down_level = $6,
           step_up_destination = $7, transfer_to_site_id = $8, goals_total = $9, goals_met = $10, goals_partly = $11, summary_text = $12,
           sessions_attended = $13, attended_minutes = $14, updated_by = $15, updated_at = now()
         WHERE discharge_id = $1`,
        [
          dischargeId,
          values.type,
          values.reasonCode,
          values.dischargedOn,
          ...destinationColumns(destination),
          goals?.total ?? null,
          goals?.met ?? null,
          goals?.partly ?? null,
          input.summaryText === undefined ? row.summary_text : input.summaryText,
          totals.sessionsAttended,
          totals.attendedMinutes,
          principal.subject,
        ],
      );
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `discharge:${dischargeId}`, patientId: row.patient_id, siteId: row.site_id },
      );
      return this.queries.view(manager, dischargeId);
    });
  }

  /** Signs a draft: the summary's figures are taken as they stand, the episode ends, the event goes out with them. */
  sign(dischargeId: string) {
    return this.uow.run(async ({ manager, principal, requestId, scope }) => {
      const row = await this.requireDraft(manager, dischargeId);
      const episode = await requireEpisode(manager, row.episode_id, true);
      if (episode.status !== 'active') throw episodeNotActive(episode.episodeId, episode.dischargedOn);
      const values: Current = { type: row.type, reasonCode: row.reason_code, dischargedOn: row.discharged_on, destination: destinationOf(row) };
      const destination = await this.check(manager, scope, episode, values);
      const goalRefusal = checkGoals(goalsOf(row));
      if (goalRefusal) throw refused(goalRefusal);
      const totals = await attendanceTotals(manager, episode, values.dischargedOn);
      const [signed] = (await manager.query(
        `UPDATE aftercare.discharges SET status = 'signed', sessions_attended = $2, attended_minutes = $3, signed_by = $4, signed_at = now(),
           updated_by = $4, updated_at = now()
         WHERE discharge_id = $1 RETURNING signed_at`,
        [dischargeId, totals.sessionsAttended, totals.attendedMinutes, principal.subject],
      )) as [Array<{ signed_at: Date }>, number];
      await manager.query(`UPDATE aftercare.episodes SET status = 'discharged', discharged_on = $2, updated_at = now() WHERE episode_id = $1`, [
        episode.episodeId,
        values.dischargedOn,
      ]);
      await this.outbox.add(
        manager,
        PatientDischarged,
        {
          dischargeId,
          episodeId: episode.episodeId,
          patientId: episode.patientId,
          siteId: episode.siteId,
          type: values.type,
          reasonCode: values.reasonCode,
          admittedOn: episode.admittedOn,
          dischargedOn: values.dischargedOn,
          stepDown: destination.stepDown,
          stepUp: destination.stepUp,
          transferToSiteId: destination.transferToSiteId,
          signedAt: signed[0]!.signed_at.toISOString(),
          occurredAt: new Date().toISOString(),
        },
        { correlationId: requestId },
      );
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `discharge:${dischargeId}:sign`, patientId: row.patient_id, siteId: row.site_id },
      );
      return this.queries.view(manager, dischargeId);
    });
  }

  /** An amendment of a signed discharge: a new row (the signed one never changes), the episode's end date, and the event. */
  amend(dischargeId: string, input: DischargeInput & { reason: string }) {
    return this.uow.run(async ({ manager, principal, requestId, scope }) => {
      const row = await findDischarge(manager, dischargeId, true);
      if (!row) throw dischargeNotFound(dischargeId);
      if (row.status !== 'signed') throw notSigned(dischargeId);
      const episode = await requireEpisode(manager, row.episode_id, true);
      const previous = (await amendmentsOf(manager, dischargeId)).at(-1);
      const standing = previous ?? row;
      const values = merge(
        { type: standing.type, reasonCode: standing.reason_code, dischargedOn: standing.discharged_on, destination: destinationOf(standing) },
        input,
      );
      const destination = await this.check(manager, scope, episode, values);
      const amendment = (previous?.amendment ?? 0) + 1;
      await manager.query(
        `INSERT INTO aftercare.discharge_amendments (amendment_id, discharge_id, amendment, patient_id, site_id, type, reason_code, discharged_on,
           step_down_program_id, step_down_level, step_up_destination, transfer_to_site_id, reason, amended_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          crypto.randomUUID(),
          dischargeId,
          amendment,
          row.patient_id,
          row.site_id,
          values.type,
          values.reasonCode,
          values.dischargedOn,
          ...destinationColumns(destination),
          input.reason,
          principal.subject,
        ],
      );
      await manager.query(`UPDATE aftercare.episodes SET discharged_on = $2, updated_at = now() WHERE episode_id = $1`, [
        episode.episodeId,
        values.dischargedOn,
      ]);
      await this.outbox.add(
        manager,
        DischargeAmended,
        {
          dischargeId,
          episodeId: episode.episodeId,
          patientId: episode.patientId,
          siteId: episode.siteId,
          amendment,
          type: values.type,
          reasonCode: values.reasonCode,
          dischargedOn: values.dischargedOn,
          stepDown: destination.stepDown,
          stepUp: destination.stepUp,
          transferToSiteId: destination.transferToSiteId,
          occurredAt: new Date().toISOString(),
        },
        { correlationId: requestId },
      );
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `discharge:${dischargeId}:amendment:${amendment}`, patientId: row.patient_id, siteId: row.site_id, reason: input.reason },
      );
      return this.queries.view(manager, dischargeId);
    });
  }

  /**
   * Withdraws a draft (a lost-to-contact proposal for a patient who came back, a draft started by mistake): nothing was
   * signed or published, so nothing else changes. The audit log keeps who withdrew it.
   */
  withdraw(dischargeId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const row = await this.requireDraft(manager, dischargeId);
      await manager.query(`DELETE FROM aftercare.discharges WHERE discharge_id = $1 AND status = 'draft'`, [dischargeId]);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'delete', resource: `discharge:${dischargeId}`, patientId: row.patient_id, siteId: row.site_id },
      );
    });
  }

  private async requireDraft(manager: EntityManager, dischargeId: string): Promise<DischargeRow> {
    const row = await findDischarge(manager, dischargeId, true);
    if (!row) throw dischargeNotFound(dischargeId);
    if (row.status === 'signed') throw alreadySigned(dischargeId);
    return row;
  }
}

const goalsOf = (row: DischargeRow): GoalCounts | null =>
  row.goals_total === null ? null : { total: row.goals_total, met: row.goals_met ?? 0, partly: row.goals_partly ?? 0 };

/** A new draft with the summary's figures as they stand today (refreshed on each edit and at signing). */
export async function insertDraft(
  manager: EntityManager,
  d: {
    dischargeId: string;
    episode: Episode;
    values: Current;
    destination: ResolvedDestination;
    goals: GoalCounts | null;
    summaryText: string | null;
    proposedBy: 'clinician' | 'lost-to-contact-sweep';
    actor: string;
  },
): Promise<boolean> {
  const totals = await attendanceTotals(manager, d.episode, d.values.dischargedOn);
  const inserted = (await manager.query(
    `INSERT INTO aftercare.discharges (discharge_id, episode_id, patient_id, site_id, status, type, reason_code, discharged_on, step_down_program_id,
       step_down_level, step_up_destination, transfer_to_site_id, goals_total, goals_met, goals_partly, summary_text, admitted_on,
       sessions_attended, attended_minutes, proposed_by, created_by, updated_by)
     VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)
     ON CONFLICT (episode_id) DO NOTHING RETURNING discharge_id`,
    [
      d.dischargeId,
      d.episode.episodeId,
      d.episode.patientId,
      d.episode.siteId,
      d.values.type,
      d.values.reasonCode,
      d.values.dischargedOn,
      ...destinationColumns(d.destination),
      d.goals?.total ?? null,
      d.goals?.met ?? null,
      d.goals?.partly ?? null,
      d.summaryText,
      d.episode.admittedOn,
      totals.sessionsAttended,
      totals.attendedMinutes,
      d.proposedBy,
      d.actor,
    ],
  )) as unknown[];
  return inserted.length > 0;
}
