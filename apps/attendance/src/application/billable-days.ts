import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { BillableDayRecorded, BillableDayVoided } from '@iop/contracts';
import type { Outbox } from '@iop/messaging';
import type { ProgramKind, SessionKind } from '../domain/attendance-record';
import { billDay, discreteLines, type DayBilling } from '../domain/billing';
import { discreteCodesFromEnv, payerPerDiemFromEnv } from './billing-config';

const CODES = discreteCodesFromEnv();
const PAYER_RULES = payerPerDiemFromEnv();

interface DayKey {
  readonly siteId: string;
  readonly patientId: string;
  readonly serviceDate: string;
}

interface Line {
  kind: 'per-diem' | 'discrete';
  code: string;
  revenue_code: string | null;
  units: number;
  minutes: number;
  session_id: string | null;
}

const sameLines = (a: Line[], b: Line[]): boolean => {
  const key = (l: Line) => `${l.kind}|${l.code}|${l.revenue_code ?? ''}|${l.units}|${l.minutes}|${l.session_id ?? ''}`;
  return JSON.stringify(a.map(key).sort()) === JSON.stringify(b.map(key).sort());
};

/**
 * Recounts one patient-day after any recording or correction (sessions still open — checked in, not yet out — wait): at or above the program's per-diem minimum, one
 * billable day (published once; published again with a higher revision if a void came in between); under it, the
 * billable day (if there was one) is voided and discrete lines replace it. The day's active charges are replaced
 * only when they differ, so a recount that changes nothing changes nothing in the export.
 */
export async function recomputeDay(manager: EntityManager, outbox: Outbox, day: DayKey, correlationId: string): Promise<DayBilling | null> {
  const sessions = (await manager.query(
    `SELECT r.session_id, s.kind, r.attended_minutes, r.episode_id, coalesce(r.program_id, s.program_id) AS program_id
       FROM attendance.attendance_records r JOIN attendance.sessions s USING (session_id)
      WHERE r.site_id = $1 AND r.patient_id = $2 AND r.service_date = $3::date
        -- A check-in without its check-out is still open: its minutes are a guess until the patient leaves.
        AND (r.check_in_at IS NULL OR r.check_out_at IS NOT NULL)
      ORDER BY s.starts_at`,
    [day.siteId, day.patientId, day.serviceDate],
  )) as { session_id: string; kind: SessionKind; attended_minutes: number; episode_id: string | null; program_id: string | null }[];
  const programId = sessions.find((s) => s.program_id)?.program_id ?? null;
  const episodeId = sessions.find((s) => s.episode_id)?.episode_id ?? null;
  const program = programId
    ? (
        (await manager.query(`SELECT kind, per_diem_minimum_minutes FROM attendance.programs WHERE program_id = $1`, [programId])) as {
          kind: ProgramKind;
          per_diem_minimum_minutes: number;
        }[]
      )[0]
    : undefined;
  const attended = sessions.map((s) => ({ sessionId: s.session_id, sessionKind: s.kind, attendedMinutes: s.attended_minutes }));
  // The patient's payer at the site (insurance's latest verification) bills the day by its own rule, when it has one.
  const payer = (
    (await manager.query(`SELECT payer_id FROM attendance.patient_payers WHERE patient_id = $1 AND site_id = $2`, [day.patientId, day.siteId])) as {
      payer_id: string;
    }[]
  )[0];
  const payerRule = payer ? (PAYER_RULES.get(payer.payer_id) ?? null) : null;
  // Without a known program there is no per-diem code: the day can only be billed as discrete lines.
  const billing: DayBilling = program
    ? billDay(attended, { kind: program.kind, perDiemMinimumMinutes: program.per_diem_minimum_minutes }, CODES, payerRule)
    : { kind: 'discrete', lines: discreteLines(attended, CODES), attendedMinutes: attended.reduce((sum, s) => sum + s.attendedMinutes, 0) };

  const existing = (
    (await manager.query(
      `SELECT billable_day_id, state, revision, units FROM attendance.billable_days WHERE site_id = $1 AND patient_id = $2 AND service_date = $3::date FOR UPDATE`,
      [day.siteId, day.patientId, day.serviceDate],
    )) as { billable_day_id: string; state: 'billable' | 'voided'; revision: number; units: number }[]
  )[0];
  const now = new Date().toISOString();
  let billableDayId: string | null = existing?.billable_day_id ?? null;

  if (billing.kind === 'per-diem') {
    const dayFacts = (id: string, revision: number) => ({
      billableDayId: id,
      patientId: day.patientId,
      episodeId,
      siteId: day.siteId,
      programId,
      serviceDate: day.serviceDate,
      billingCode: billing.code,
      revenueCode: billing.revenueCode,
      units: 1,
      payerUnits: billing.units,
      attendedMinutes: billing.attendedMinutes,
      revision,
      occurredAt: now,
    });
    if (!existing) {
      billableDayId = randomUUID();
      await manager.query(
        `INSERT INTO attendance.billable_days (billable_day_id, site_id, patient_id, episode_id, program_id, service_date, code, revenue_code, attended_minutes, state, revision, units)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'billable', 1, $10)`,
        [
          billableDayId,
          day.siteId,
          day.patientId,
          episodeId,
          programId,
          day.serviceDate,
          billing.code,
          billing.revenueCode,
          billing.attendedMinutes,
          billing.units,
        ],
      );
      await outbox.add(manager, BillableDayRecorded, dayFacts(billableDayId, 1), { correlationId });
    } else if (existing.state === 'voided') {
      await manager.query(
        `UPDATE attendance.billable_days SET state = 'billable', revision = revision + 1, attended_minutes = $2, code = $3, revenue_code = $4, units = $5,
           updated_at = now() WHERE billable_day_id = $1`,
        [existing.billable_day_id, billing.attendedMinutes, billing.code, billing.revenueCode, billing.units],
      );
      await outbox.add(manager, BillableDayRecorded, dayFacts(existing.billable_day_id, existing.revision + 1), { correlationId });
    } else if (existing.units !== billing.units) {
      // A half day that became a full one (or back) for a half-day payer: the day again, with its new units.
      await manager.query(
        `UPDATE attendance.billable_days SET revision = revision + 1, attended_minutes = $2, units = $3, updated_at = now() WHERE billable_day_id = $1`,
        [existing.billable_day_id, billing.attendedMinutes, billing.units],
      );
      await outbox.add(manager, BillableDayRecorded, dayFacts(existing.billable_day_id, existing.revision + 1), { correlationId });
    } else {
      // Still billable: the minutes may have changed, the unit has not.
      await manager.query(`UPDATE attendance.billable_days SET attended_minutes = $2, updated_at = now() WHERE billable_day_id = $1`, [
        existing.billable_day_id,
        billing.attendedMinutes,
      ]);
    }
  } else if (existing?.state === 'billable') {
    const voided = (
      (await manager.query(
        `UPDATE attendance.billable_days SET state = 'voided', revision = revision + 1, attended_minutes = $2, updated_at = now() WHERE billable_day_id = $1
         RETURNING code, revenue_code, revision, units`,
        [existing.billable_day_id, billing.attendedMinutes],
      )) as [{ code: 'H0015' | 'S9480'; revenue_code: '0906' | '0905'; revision: number; units: number }[], number]
    )[0][0]!;
    await outbox.add(
      manager,
      BillableDayVoided,
      {
        billableDayId: existing.billable_day_id,
        patientId: day.patientId,
        episodeId,
        siteId: day.siteId,
        programId,
        serviceDate: day.serviceDate,
        billingCode: voided.code,
        revenueCode: voided.revenue_code,
        units: 1,
        payerUnits: voided.units,
        attendedMinutes: billing.attendedMinutes,
        revision: voided.revision,
        occurredAt: now,
      },
      { correlationId },
    );
  }

  const wanted: Line[] =
    billing.kind === 'per-diem'
      ? [{ kind: 'per-diem', code: billing.code, revenue_code: billing.revenueCode, units: billing.units, minutes: billing.attendedMinutes, session_id: null }]
      : billing.lines.map((l) => ({ kind: 'discrete', code: l.code, revenue_code: null, units: l.units, minutes: l.minutes, session_id: l.sessionId }));
  const active = (await manager.query(
    `SELECT kind, code, revenue_code, units, minutes, session_id FROM attendance.charges
      WHERE site_id = $1 AND patient_id = $2 AND service_date = $3::date AND state = 'active'`,
    [day.siteId, day.patientId, day.serviceDate],
  )) as Line[];
  if (!sameLines(active, wanted)) {
    await manager.query(
      `UPDATE attendance.charges SET state = 'voided', voided_at = now() WHERE site_id = $1 AND patient_id = $2 AND service_date = $3::date AND state = 'active'`,
      [day.siteId, day.patientId, day.serviceDate],
    );
    for (const line of wanted) {
      await manager.query(
        `INSERT INTO attendance.charges (site_id, patient_id, episode_id, service_date, kind, code, revenue_code, units, minutes, session_id, billable_day_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $11, $8, $9, $10)`,
        [
          day.siteId,
          day.patientId,
          episodeId,
          day.serviceDate,
          line.kind,
          line.code,
          line.revenue_code,
          line.minutes,
          line.session_id,
          line.kind === 'per-diem' ? billableDayId : null,
          line.units,
        ],
      );
    }
  }
  return billing;
}
