import type { EntityManager } from 'typeorm';
import { AftercareSiteMonthComputed } from '@iop/contracts';
import { Outbox, type EventContext } from '@iop/messaging';
import { siteMonthFigures, siteMonthMeasures, type DischargeForMeasures, type SiteMonthMeasures } from '../domain/measures';

const outbox = new Outbox('aftercare');

/** The first day of a YYYY-MM month, and of the next. */
const monthBounds = (month: string): [string, string] => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
  return [`${month}-01`, `${next}-01`];
};

export const monthOf = (localDate: string): string => localDate.slice(0, 7);

/** The month's measures at a site, from aftercare's own rows (run in a transaction that can see the site). */
export async function measuresFor(manager: EntityManager, siteId: string, month: string): Promise<SiteMonthMeasures> {
  const [from, to] = monthBounds(month);
  const rows = (await manager.query(
    `SELECT d.discharged_on::text AS discharged_on, d.discharge_type, d.readmitted_on::text AS readmitted_on,
            coalesce(array(SELECT (f.completed_at AT TIME ZONE d.time_zone)::date::text FROM aftercare.follow_ups f
                            WHERE f.episode_id = d.episode_id AND f.state = 'done'), '{}') AS contact_dates
       FROM aftercare.follow_up_discharges d
      WHERE d.site_id = $1 AND d.discharged_on >= $2::date AND d.discharged_on < $3::date`,
    [siteId, from, to],
  )) as Array<{ discharged_on: string; discharge_type: DischargeForMeasures['type']; readmitted_on: string | null; contact_dates: string[] }>;
  return siteMonthMeasures(
    month,
    rows.map((r) => ({ dischargedOn: r.discharged_on, type: r.discharge_type, contactDates: r.contact_dates, readmittedOn: r.readmitted_on })),
  );
}

/**
 * Re-publishes a site-month's de-identified aggregate (analytics.aftercare-site-month) in the transaction that
 * changed one of its figures: a discharge, an amended date, a completed follow-up, a readmission. The revision grows
 * with each; the compacted topic keeps the latest.
 */
export async function publishSiteMonth(manager: EntityManager, siteId: string, month: string, context: EventContext = {}): Promise<void> {
  const measures = await measuresFor(manager, siteId, month);
  const [row] = (await manager.query(
    `INSERT INTO aftercare.measure_site_months (site_id, month) VALUES ($1, $2)
     ON CONFLICT (site_id, month) DO UPDATE SET revision = aftercare.measure_site_months.revision + 1, updated_at = now()
     RETURNING revision`,
    [siteId, month],
  )) as Array<{ revision: number }>;
  await outbox.add(
    manager,
    AftercareSiteMonthComputed,
    { siteId, month, ...siteMonthFigures(measures), revision: row!.revision, occurredAt: new Date().toISOString() },
    context,
  );
}
