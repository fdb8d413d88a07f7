import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { Outbox } from '@iop/messaging';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER, PeriodicJob } from '@iop/platform';
import { materialise } from './materialise';
import { siteRepository } from './site-repository';
import { trackRepository } from './track-repository';

/**
 * Keeps every active track's sessions on the calendar for the rolling horizon (`SCHEDULING_HORIZON_WEEKS`, 12 by
 * default): each pass adds the days that came into the horizon since the last one. Safe on any number of instances at
 * once: an occurrence is unique by (track, position, series date) and each track is extended in its own transaction
 * under its row lock. An occurrence whose leader or room is busy is left out (and logged) and tried again next pass.
 */
@Injectable()
export class SessionHorizon extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(LOGGER) log: Logger,
  ) {
    super(log, 'session horizon');
  }

  protected intervalMs(): number {
    return Number(process.env['SCHEDULING_HORIZON_INTERVAL_MS'] ?? 60 * 60 * 1000);
  }

  protected async tick(): Promise<void> {
    await this.extend();
  }

  /** Extends every active track; returns how many sessions were created. */
  async extend(now = new Date()): Promise<number> {
    const yesterday = new Date(now.getTime() - 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    const ids = await inScopedTransaction(this.dataSource, ALL_SITES, (m) => trackRepository.activeIds(m, yesterday));
    let created = 0;
    for (const trackId of ids) {
      if (this.stopped) break;
      created += await inScopedTransaction(this.dataSource, ALL_SITES, async (manager) => {
        const track = await trackRepository.find(manager, trackId, true);
        const site = track && (await siteRepository.find(manager, track.siteId));
        if (!track || !site) return 0;
        return (await materialise(manager, this.outbox, track, { timeZone: site.timeZone, onClash: 'skip', log: this.log, now })).length;
      });
    }
    if (created > 0) this.log.info({ created, tracks: ids.length }, 'sessions put on the calendar');
    return created;
  }
}
