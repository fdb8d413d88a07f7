import type { EntityManager } from 'typeorm';

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

export type AuthorizationWarning = 'units-low' | 'units-exhausted' | 'ending-soon' | 'ended';

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

/** Pure: the warnings a coordinator sees, and that `insurance.authorization-expiring` will carry once it is in the catalogue. */
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
}

export const authorizationRepository = {
  async insert(manager: EntityManager, a: Authorization, by: string): Promise<void> {
    await manager.query(
      `INSERT INTO insurance.authorizations (authorization_id, site_id, patient_id, payer_id, payer_reference, service_code, units_approved, start_date, end_date, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [a.authorizationId, a.siteId, a.patientId, a.payerId, a.payerReference, a.serviceCode, a.unitsApproved, a.startDate, a.endDate, by],
    );
  },
  async forPatient(manager: EntityManager, siteId: string, patientId: string, today: string): Promise<AuthorizationStatus[]> {
    const rows = (await manager.query(
      `SELECT a.authorization_id, a.site_id, a.patient_id, a.payer_id, a.payer_reference, a.service_code, a.units_approved,
              a.start_date::text AS start_date, a.end_date::text AS end_date, coalesce(sum(u.units), 0)::int AS units_used
         FROM insurance.authorizations a LEFT JOIN insurance.authorization_usage u USING (authorization_id)
        WHERE a.site_id = $1 AND a.patient_id = $2
        GROUP BY a.authorization_id ORDER BY a.start_date`,
      [siteId, patientId],
    )) as Row[];
    return rows.map((r) =>
      authorizationStatus(
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
    );
  },
  /**
   * Counts one attended day against the authorisation in force for it. For the attendance consumer: when
   * attendance publishes its session-attended event, a handler calls this with the event id, the patient, site,
   * date and billed code; a redelivery inserts nothing. Returns false when no authorisation covers the day.
   */
  async recordUsage(manager: EntityManager, use: { eventId: string; siteId: string; patientId: string; serviceDate: string; serviceCode: string; units: number }): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO insurance.authorization_usage (source_event_id, authorization_id, site_id, service_date, units)
       SELECT $1, authorization_id, site_id, $4::date, $6 FROM insurance.authorizations
        WHERE site_id = $2 AND patient_id = $3 AND service_code = $5 AND $4::date BETWEEN start_date AND end_date
        ORDER BY start_date LIMIT 1
       ON CONFLICT (source_event_id) DO NOTHING RETURNING authorization_id`,
      [use.eventId, use.siteId, use.patientId, use.serviceDate, use.serviceCode, use.units],
    )) as unknown[];
    return rows.length > 0;
  },
};
