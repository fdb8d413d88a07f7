import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER, PeriodicJob } from '@iop/platform';
import { dirtySiteWeeks, refreshSiteWeek } from './analytics-stream';

/** Milliseconds between the end of one pass of the site-weeks job and the next: how stale a site's week may be. */
export const siteWeekIntervalMs = (env: NodeJS.ProcessEnv = process.env) => Number(env['ATTENDANCE_SITE_WEEK_INTERVAL_MS'] ?? 5000);

/** Site-weeks listed per query; each is refreshed in a transaction of its own. */
const BATCH = 100;

/**
 * Publishes `analytics.site-week` for every site-week a recording marked out of date (attendance.site_weeks_dirty):
 * each once per pass, recomputed from all of its records, in a transaction that also deletes the marks it saw. Safe on
 * several instances at once: a site-week being refreshed elsewhere is skipped (its transaction-scoped lock is taken
 * without waiting) and the marks committed meanwhile are left for the next pass.
 */
@Injectable()
export class SiteWeeksJob extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(LOGGER) log: Logger,
  ) {
    super(log, 'site weeks');
  }

  protected intervalMs(): number {
    return siteWeekIntervalMs();
  }

  protected async tick(): Promise<void> {
    const published = await this.refresh();
    if (published > 0) this.log.debug({ published }, 'site-weeks published');
  }

  /** One pass over every site-week marked when it starts; returns how many were published. */
  async refresh(): Promise<number> {
    let published = 0;
    const seen = new Set<string>();
    for (;;) {
      if (this.stopped || !this.dataSource.isInitialized) return published;
      const dirty = await inScopedTransaction(this.dataSource, ALL_SITES, (manager) => dirtySiteWeeks(manager, BATCH));
      // A site-week another instance holds, or one marked again since this pass refreshed it, waits for the next pass.
      const todo = dirty.filter((w) => !seen.has(`${w.siteId}:${w.weekStart}`));
      if (todo.length === 0) return published;
      for (const week of todo) {
        seen.add(`${week.siteId}:${week.weekStart}`);
        if (this.stopped) return published;
        if (await inScopedTransaction(this.dataSource, ALL_SITES, (manager) => refreshSiteWeek(manager, week.siteId, week.weekStart))) published++;
      }
    }
  }
}
