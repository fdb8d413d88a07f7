import type { EntityManager } from 'typeorm';
import type { AuthorizationExpiring, PayloadOf } from '@iop/contracts';

export interface Authorization {
  readonly authorizationId: string;
  readonly siteId: string;
  readonly patientId: string;
  readonly payerId: string;
  readonly payerReference: string;
  readonly serviceCode: 'H0015' | 'S9480';
  readonly unitsApproved: number;
  readonly startDate: string;
  readonly endDate: string;
}

export type AuthorizationWarning = PayloadOf<typeof AuthorizationExpiring>['warnings'][number];

export interface AuthorizationStatus extends Authorization {
  readonly unitsUsed: number;
  readonly unitsRemaining: number;
  readonly warnings: readonly AuthorizationWarning[];
  readonly advice: readonly string[];
}

/** When to warn: a week of IOP (up to 5 units) left, or a week before the end date; enough time to ask for more. */
export const LOW_UNITS = 5;
export const ENDING_WITHIN_DAYS = 7;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Pure: the warnings a coordinator sees, and that `insurance.authorization-expiring` carries. */
export function authorizationStatus(a: Authorization, unitsUsed: number, today: string): AuthorizationStatus {
  const remaining = Math.max(0, a.unitsApproved - unitsUsed);
  const warnings: AuthorizationWarning[] = [];
  const advice: string[] = [];
  if (remaining === 0) {
    warnings.push('units-exhausted');
    advice.push(`all ${a.unitsApproved} authorised units are used: request a concurrent review from the payer before the next session`);
  } else if (remaining <= LOW_UNITS) {
    warnings.push('units-low');
    advice.push(`${remaining} of ${a.unitsApproved} authorised units left: request a concurrent review now`);
  }
  const daysLeft = daysBetween(today, a.endDate);
  if (daysLeft < 0) {
    warnings.push('ended');
    advice.push(`the authorisation ended on ${a.endDate}: sessions after it are not authorised`);
  } else if (daysLeft <= ENDING_WITHIN_DAYS) {
    warnings.push('ending-soon');
    advice.push(`the authorisation ends on ${a.endDate} (${daysLeft} day${daysLeft === 1 ? '' : 's'}): request an extension`);
  }
  return { ...a, unitsUsed, unitsRemaining: remaining, warnings, advice };
}

interface Row {
  authorization_id: string;
  site_id: string;
  patient_id: string;
  payer_id: string;
  payer_reference: string;
  service_code: 'H0015' | 'S9480';
  units_approved: number;
  start_date: string;
  end_date: string;
  units_used: number;
  warned: AuthorizationWarning[];
}

export interface WatchedAuthorization {
  readonly status: AuthorizationStatus;
  /** The warnings an `insurance.authorization-expiring` event has already reported. */
  readonly warned: readonly AuthorizationWarning[];
}

const SELECT = `SELECT a.authorization_id, a.site_id, a.patient_id, a.payer_id, a.payer_reference, a.service_code, a.units_approved,
                       a.start_date::text AS start_date, a.end_date::text AS end_date, a.warned,
                       (SELECT coalesce(sum(u.units), 0)::int FROM insurance.authorization_usage u WHERE u.authorization_id = a.authorization_id) AS units_used
                  FROM insurance.authorizations a`;

const toWatched = (r: Row, today: string): WatchedAuthorization => ({
  status: authorizationStatus(
    {
      authorizationId: r.authorization_id,
      siteId: r.site_id,
      patientId: r.patient_id,
      payerId: r.payer_id,
      payerReference: r.payer_reference,
      serviceCode: r.service_code,
      unitsApproved: r.units_approved,
      startDate: r.start_date,
      endDate: r.end_date,
    },
    r.units_used,
    today,
  ),
  warned: r.warned,
});

export const authorizationRepository = {
  async insert(manager: EntityManager, a: Authorization, by: string): Promise<void> {
    await manager.query(
      `INSERT INTO insurance.authorizations (authorization_id, site_id, patient_id, payer_id, payer_reference, service_code, units_approved, start_date, end_date, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [a.authorizationId, a.siteId, a.patientId, a.payerId, a.payerReference, a.serviceCode, a.unitsApproved, a.startDate, a.endDate, by],
    );
  },
  async forPatient(manager: EntityManager, siteId: string, patientId: string, today: string): Promise<AuthorizationStatus[]> {
    const rows = (await manager.query(`${SELECT} WHERE a.site_id = $1 AND a.patient_id = $2 ORDER BY a.start_date`, [siteId, patientId])) as Row[];
    return rows.map((r) => toWatched(r, today).status);
  },
  /** One authorisation, locked for the caller's transaction so two writers cannot both raise the same warning. */
  async lockForWatch(manager: EntityManager, authorizationId: string, today: string): Promise<WatchedAuthorization | null> {
    const rows = (await manager.query(`${SELECT} WHERE a.authorization_id = $1 FOR UPDATE OF a`, [authorizationId])) as Row[];
    return rows[0] ? toWatched(rows[0], today) : null;
  },
  async markWarned(manager: EntityManager, authorizationId: string, warned: readonly AuthorizationWarning[]): Promise<void> {
    await manager.query(`UPDATE insurance.authorizations SET warned = $2 WHERE authorization_id = $1`, [authorizationId, warned]);
  },
  /** Authorisations whose end date is a week away or has passed and whose date warnings are not all raised yet. */
  async dueForDateWarnings(manager: EntityManager, today: string): Promise<string[]> {
    const rows = (await manager.query(
      `SELECT authorization_id FROM insurance.authorizations
        WHERE end_date <= $1::date + $2::int
          AND NOT (warned @> ARRAY[CASE WHEN end_date < $1::date THEN 'ended' ELSE 'ending-soon' END])`,
      [today, ENDING_WITHIN_DAYS],
    )) as { authorization_id: string }[];
    return rows.map((r) => r.authorization_id);
  },
  /**
   * Counts one billable day against the authorisation in force for it (per diem: a day counts once however many
   * sessions it had; a redelivered event inserts nothing). Returns the authorisation charged, or null when none
   * covers the day or the day was already counted.
   */
  /**
   * Charges a patient's day to the authorisation covering it, `units` in the payer's measure. A day charged before (a
   * half day that became a full one) has its units replaced, never a second row; returns the authorisation charged.
   */
  async recordUsage(
    manager: EntityManager,
    use: { eventId: string; siteId: string; patientId: string; serviceDate: string; serviceCode: string; units: number },
  ): Promise<string | null> {
    const rows = (await manager.query(
      `WITH charged AS (
         UPDATE insurance.authorization_usage u SET units = $6
           FROM insurance.authorizations a
          WHERE u.authorization_id = a.authorization_id AND a.site_id = $2 AND a.patient_id = $3 AND a.service_code = $5 AND u.service_date = $4::date
         RETURNING u.authorization_id
       ), added AS (
         INSERT INTO insurance.authorization_usage (source_event_id, authorization_id, site_id, service_date, units)
         SELECT $1, authorization_id, site_id, $4::date, $6 FROM insurance.authorizations
          WHERE site_id = $2 AND patient_id = $3 AND service_code = $5 AND $4::date BETWEEN start_date AND end_date
            AND NOT EXISTS (SELECT 1 FROM charged)
          ORDER BY start_date LIMIT 1
         ON CONFLICT DO NOTHING RETURNING authorization_id
       )
       SELECT authorization_id FROM charged UNION ALL SELECT authorization_id FROM added`,
      [use.eventId, use.siteId, use.patientId, use.serviceDate, use.serviceCode, use.units],
    )) as { authorization_id: string }[];
    return rows[0]?.authorization_id ?? null;
  },

  /** Gives back the unit a patient's day used (attendance voided the billable day); returns the authorisation it came from. */
  async releaseUsage(manager: EntityManager, use: { siteId: string; patientId: string; serviceDate: string; serviceCode: string }): Promise<string | null> {
    const rows = (await manager.query(
      `DELETE FROM insurance.authorization_usage u
        USING insurance.authorizations a
        WHERE u.authorization_id = a.authorization_id AND a.site_id = $1 AND a.patient_id = $2 AND a.service_code = $4 AND u.service_date = $3::date
       RETURNING u.authorization_id`,
      [use.siteId, use.patientId, use.serviceDate, use.serviceCode],
    )) as { authorization_id: string }[];
    return rows[0]?.authorization_id ?? null;
  },
};
