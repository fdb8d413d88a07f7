import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditTrail } from '@iop/auth';
import { SiteDirectory, UnitOfWork, decodeKeysetCursor, encodeKeysetCursor } from '@iop/platform';
import type { DischargeType } from '../domain/discharge';
import { cursorInvalid, dischargeNotFound } from './discharge-errors';
import { amendmentsOf, findDischarge, type AmendmentRow, type DischargeRow } from './discharge-store';

const destinationView = (r: Pick<DischargeRow, 'type' | 'step_down_program_id' | 'step_down_level' | 'step_up_destination' | 'transfer_to_site_id'>) => ({
  stepDown: r.type === 'step-down' && r.step_down_level ? { programId: r.step_down_program_id, levelOfCare: r.step_down_level } : null,
  stepUp: r.step_up_destination ? { destination: r.step_up_destination } : null,
  transferToSiteId: r.transfer_to_site_id,
});

const valuesView = (r: DischargeRow | AmendmentRow) => ({ type: r.type, reasonCode: r.reason_code, dischargedOn: r.discharged_on, ...destinationView(r) });

/** The discharge as it stands (the last amendment's values, else as signed or drafted), with its summary and history. */
export function dischargeView(row: DischargeRow, amendments: readonly AmendmentRow[]) {
  const last = amendments.at(-1);
  return {
    dischargeId: row.discharge_id,
    episodeId: row.episode_id,
    patientId: row.patient_id,
    siteId: row.site_id,
    status: row.status,
    proposedBy: row.proposed_by,
    ...valuesView(last ?? row),
    goals: row.goals_total === null ? null : { total: row.goals_total, met: row.goals_met ?? 0, partly: row.goals_partly ?? 0 },
    summary: {
      admittedOn: row.admitted_on,
      sessionsAttended: row.sessions_attended,
      attendedMinutes: row.attended_minutes,
      hoursAttended: Math.round(row.attended_minutes / 6) / 10,
      firstOutcome: (row.first_outcome ?? null) as null,
      lastOutcome: (row.last_outcome ?? null) as null,
      text: row.summary_text,
    },
    asSigned: row.status === 'signed' ? valuesView(row) : null,
    amendments: amendments.map((a) => ({
      amendment: a.amendment,
      ...valuesView(a),
      reason: a.reason,
      amendedBy: a.amended_by,
      amendedAt: a.amended_at.toISOString(),
    })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    signedBy: row.signed_by,
    signedAt: row.signed_at?.toISOString() ?? null,
  };
}

export interface DischargeListFilter {
  readonly status?: 'draft' | 'signed' | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

function decodeCursor(cursor: string): { createdAt: string; dischargeId: string } {
  const at = decodeKeysetCursor(cursor, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  if (!at) throw cursorInvalid();
  return { createdAt: at.key, dischargeId: at.id };
}

@Injectable()
export class DischargeQueries {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
  ) {}

  /** The view inside a command's transaction (the command audits itself). */
  async view(manager: EntityManager, dischargeId: string) {
    const row = await findDischarge(manager, dischargeId);
    if (!row) throw dischargeNotFound(dischargeId);
    return dischargeView(row, await amendmentsOf(manager, dischargeId));
  }

  /** One discharge with its summary text: a read of PHI, audited. */
  get(dischargeId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const view = await this.view(manager, dischargeId);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `discharge:${dischargeId}`, patientId: view.patientId, siteId: view.siteId },
      );
      return view;
    });
  }

  /** A site's discharges, newest first by keyset (ids, types and dates; no summary text); one audit row per patient listed. */
  list(siteId: string, filter: DischargeListFilter) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      await this.sites.require(manager, siteId, 'aftercare');
      const after = filter.cursor ? decodeCursor(filter.cursor) : null;
      const rows = (await manager.query(
        `SELECT d.discharge_id, d.episode_id, d.patient_id, d.status, d.proposed_by, coalesce(a.type, d.type) AS type,
                coalesce(a.reason_code, d.reason_code) AS reason_code, coalesce(a.discharged_on, d.discharged_on)::text AS discharged_on,
                d.admitted_on::text AS admitted_on, coalesce(a.amendment, 0) AS amendments, d.signed_at, d.created_at,
                to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key
           FROM aftercare.discharges d
           LEFT JOIN LATERAL (SELECT type, reason_code, discharged_on, amendment FROM aftercare.discharge_amendments x
                               WHERE x.discharge_id = d.discharge_id ORDER BY amendment DESC LIMIT 1) a ON true
          WHERE d.site_id = $1 AND ($2::text IS NULL OR d.status = $2)
            AND ($3::timestamptz IS NULL OR (d.created_at, d.discharge_id) < ($3::timestamptz, $4::uuid))
          ORDER BY d.created_at DESC, d.discharge_id DESC LIMIT $5`,
        [siteId, filter.status ?? null, after?.createdAt ?? null, after?.dischargeId ?? null, filter.limit + 1],
      )) as Array<{
        discharge_id: string;
        episode_id: string;
        patient_id: string;
        status: 'draft' | 'signed';
        proposed_by: string;
        type: DischargeType;
        reason_code: string;
        discharged_on: string;
        admitted_on: string;
        amendments: number;
        signed_at: Date | null;
        created_at: Date;
        created_key: string;
      }>;
      const page = rows.slice(0, filter.limit);
      await this.audit.recordMany(
        manager,
        { principal, requestId },
        page.map((r) => ({ action: 'list' as const, resource: `sites/${siteId}/discharges`, patientId: r.patient_id, siteId })),
      );
      const last = page.at(-1);
      return {
        siteId,
        items: page.map((r) => ({
          dischargeId: r.discharge_id,
          episodeId: r.episode_id,
          patientId: r.patient_id,
          status: r.status,
          proposedBy: r.proposed_by,
          type: r.type,
          reasonCode: r.reason_code,
          admittedOn: r.admitted_on,
          dischargedOn: r.discharged_on,
          amendments: r.amendments,
          signedAt: r.signed_at?.toISOString() ?? null,
          createdAt: r.created_at.toISOString(),
        })),
        nextCursor: rows.length > filter.limit && last ? encodeKeysetCursor(last.created_key, last.discharge_id) : null,
      };
    });
  }

  /** The reason codes of each type (configuration, not PHI). */
  reasons() {
    return this.uow.run(async ({ manager }) => {
      const rows = (await manager.query(`SELECT type, code FROM aftercare.discharge_reasons WHERE active ORDER BY type, code`)) as Array<{
        type: DischargeType;
        code: string;
      }>;
      const byType = new Map<DischargeType, string[]>();
      for (const r of rows) byType.set(r.type, [...(byType.get(r.type) ?? []), r.code]);
      return { reasons: [...byType].map(([type, codes]) => ({ type, codes })) };
    });
  }
}
