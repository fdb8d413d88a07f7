import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { LOGGER, PeriodicJob } from '@iop/platform';
import { localToday, lostToContact, lostToContactDays } from '../domain/discharge';
import { findEpisode } from './discharge-store';
import { insertDraft } from './discharge.use-cases';

/** Who the sweep's drafts name as their author (no person: a clinician reviews and signs). */
export const SWEEP_ACTOR = 'aftercare:lost-to-contact-sweep';

/**
 * Proposes a `lost-to-contact` discharge (a draft, never signed here) for every active episode whose patient attended
 * nothing for `AFTERCARE_LOST_TO_CONTACT_DAYS` days (14 by default), in the site's calendar, dated on the last contact.
 * A clinician reviews it, edits it if the facts differ, and signs it. An episode that already has a discharge, draft or
 * signed, is left alone, so a pass is safe to repeat and to run on several instances at once.
 */
@Injectable()
export class LostToContactSweep extends PeriodicJob {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(LOGGER) log: Logger,
  ) {
    super(log, 'lost-to-contact sweep');
  }

  protected intervalMs(): number {
    return Number(process.env['AFTERCARE_LOST_TO_CONTACT_INTERVAL_MS'] ?? 60 * 60 * 1000);
  }

  protected async tick(): Promise<void> {
    await this.sweep();
  }

  /** One pass; returns the discharge ids it proposed. */
  async sweep(now = new Date(), days = lostToContactDays()): Promise<string[]> {
    const rows = await inScopedTransaction(
      this.dataSource,
      ALL_SITES,
      async (m) =>
        (await m.query(
          `SELECT e.episode_id AS "episodeId", e.admitted_on::text AS "admittedOn", sd.time_zone AS "timeZone",
                (SELECT max(r.service_date)::text FROM aftercare.attendance_records r
                  WHERE r.status IN ('attended', 'late', 'left-early')
                    AND (r.episode_id = e.episode_id OR (r.episode_id IS NULL AND r.patient_id = e.patient_id AND r.site_id = e.site_id
                                                         AND r.service_date >= e.admitted_on))) AS "lastAttendedOn"
           FROM aftercare.episodes e JOIN aftercare.site_directory sd ON sd.site_id = e.site_id
          WHERE e.status = 'active' AND NOT EXISTS (SELECT 1 FROM aftercare.discharges d WHERE d.episode_id = e.episode_id)`,
        )) as Array<{ episodeId: string; admittedOn: string; timeZone: string; lastAttendedOn: string | null }>,
    );
    const due = lostToContact(
      rows.map((r) => ({ ...r, today: localToday(r.timeZone, now) })),
      days,
    );
    const proposed: string[] = [];
    for (const candidate of due) {
      if (this.stopped) break;
      const dischargeId = crypto.randomUUID();
      const inserted = await inScopedTransaction(this.dataSource, ALL_SITES, async (manager) => {
        const episode = await findEpisode(manager, candidate.episodeId, true);
        if (!episode || episode.status !== 'active') return false;
        return insertDraft(manager, {
          dischargeId,
          episode,
          values: {
            type: 'lost-to-contact',
            reasonCode: 'non-attendance',
            dischargedOn: candidate.dischargeOn,
            destination: { stepDown: null, stepUp: null, transferToSiteId: null },
          },
          destination: { stepDown: null, stepUp: null, transferToSiteId: null },
          goals: null,
          summaryText: null,
          proposedBy: 'lost-to-contact-sweep',
          actor: SWEEP_ACTOR,
        });
      });
      if (inserted) proposed.push(dischargeId);
    }
    if (proposed.length > 0) this.log.info({ proposed: proposed.length, days }, 'lost-to-contact discharges proposed for review');
    return proposed;
  }
}
