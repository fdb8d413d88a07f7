import type { DataSource } from 'typeorm';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import type { Pseudonymiser } from '../domain/pseudonym';
import { pageAnalyticsRecords, publishFacts, publishWeeks, weeksOf, type WeeksTouched } from './analytics-stream';

export interface BackfillOptions {
  /** Records per transaction. */
  readonly pageSize: number;
  readonly pseudonymiser: Pseudonymiser;
  readonly correlationId: string;
  /** After each committed page of facts: records re-published so far, of the total there were at the start. */
  readonly onPage?: (done: number, total: number) => void;
  /** After each committed page of weeks: patient-weeks and site-weeks re-published so far, of all there are. */
  readonly onWeeks?: (done: number, total: number) => void;
}

/**
 * Re-publishes the analysts' stream from attendance's tables (what `npm run analytics:backfill` runs) into attendance's
 * outbox, whose relay publishes them: every record's fact, a page of records per transaction, then every patient-week
 * and site-week those records fall in, once each, a page of weeks per transaction. (Publishing a page's weeks with the
 * page, as a live recording does, would recompute a busy site's week once for every page holding one of its records:
 * record ids are random, so nearly every page does.) Resolves to the number of records re-published.
 */
export async function backfillAnalytics(dataSource: DataSource, options: BackfillOptions): Promise<number> {
  // In a scope covering every site: row-level security shows an unscoped query nothing.
  const total = await inScopedTransaction(dataSource, ALL_SITES, async (manager) => {
    const [row] = (await manager.query(`SELECT count(*)::int AS total FROM attendance.attendance_records`)) as [{ total: number }];
    return row.total;
  });
  let after: string | null = null;
  let done = 0;
  const weeks: WeeksTouched = { patientWeeks: new Map(), siteWeeks: new Map() };
  const publishing = { pseudonymiser: options.pseudonymiser, context: { correlationId: options.correlationId } };
  for (;;) {
    const page = await inScopedTransaction(dataSource, ALL_SITES, async (manager) => {
      const records = await pageAnalyticsRecords(manager, after, options.pageSize);
      await publishFacts(manager, records, publishing);
      return records;
    });
    if (page.length === 0) break;
    weeksOf(page, weeks);
    after = page[page.length - 1]!.recordId;
    done += page.length;
    options.onPage?.(done, total);
  }
  const all = [...weeks.patientWeeks.values(), ...weeks.siteWeeks.values()];
  const isPatientWeek = (i: number) => i < weeks.patientWeeks.size;
  for (let i = 0; i < all.length; i += options.pageSize) {
    const slice = all.slice(i, i + options.pageSize);
    await inScopedTransaction(dataSource, ALL_SITES, (manager) =>
      publishWeeks(
        manager,
        { patientWeeks: slice.filter((_, j) => isPatientWeek(i + j)), siteWeeks: slice.filter((_, j) => !isPatientWeek(i + j)) },
        publishing,
      ),
    );
    options.onWeeks?.(Math.min(all.length, i + options.pageSize), all.length);
  }
  return done;
}
