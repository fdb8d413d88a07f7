import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SERVICE_NAME, SiteDirectory, UnitOfWork } from '@iop/platform';
import { REFERRAL_STAGE_LABELS, type ReferralStage } from '../domain';

/** A site's intake at a glance: counts per stage and how long people wait. Aggregates only, no patient rows. */
@Injectable()
export class PipelineQuery {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly sites: SiteDirectory,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  summary(siteId: string) {
    return this.uow.run(async ({ manager }) => {
      const site = await this.sites.require(manager, siteId, this.service);
      const counts = Object.fromEntries(Object.keys(REFERRAL_STAGE_LABELS).map((s) => [s, 0])) as Record<ReferralStage, number>;
      // All from the read model and from what is waiting or in treatment now: nothing here grows with the site's history.
      const rows: Array<{ stage: ReferralStage; n: number }> = await manager.query(
        `SELECT stage, sum(n)::int AS n FROM referral_counts WHERE site_id = $1 GROUP BY stage`,
        [siteId],
      );
      for (const row of rows) counts[row.stage] = row.n;
      const medians = await this.medians(manager, siteId);
      const [places] = (await manager.query(
        `SELECT (SELECT count(*)::int FROM episodes WHERE site_id = $1 AND status = 'active') AS active,
                (SELECT count(*)::int FROM waitlist_entries WHERE site_id = $1 AND removed_at IS NULL) AS waiting`,
        [siteId],
      )) as [{ active: number; waiting: number }];
      const round = (days: number | null) => (days === null ? null : Math.round(days * 10) / 10);
      return {
        siteId,
        counts,
        medianDaysReferralToAssessment: round(medians.assessment),
        medianDaysReferralToAdmission: round(medians.admission),
        capacity: site.capacity,
        activeEpisodes: places.active,
        waitlisted: places.waiting,
      };
    });
  }

  /**
   * The median (interpolated, as percentile_cont) of the days from referral to assessment and to admission, from the
   * histogram the read model keeps in hundredths of a day: its size is the number of distinct durations, not of referrals.
   */
  private async medians(manager: EntityManager, siteId: string): Promise<{ assessment: number | null; admission: number | null }> {
    const rows: Array<{ kind: 'assessment' | 'admission'; lo: number; hi: number; frac: number }> = await manager.query(
      `WITH h AS (
         SELECT kind, hundredths, sum(n) OVER (PARTITION BY kind ORDER BY hundredths) AS upto, sum(n) OVER (PARTITION BY kind) AS total
           FROM referral_durations WHERE site_id = $1 AND n > 0
       ), m AS (SELECT DISTINCT kind, (total - 1) / 2.0 AS p FROM h)
       SELECT m.kind, m.p - floor(m.p) AS frac,
              (SELECT hundredths FROM h WHERE h.kind = m.kind AND h.upto > floor(m.p) ORDER BY hundredths LIMIT 1) AS lo,
              (SELECT hundredths FROM h WHERE h.kind = m.kind AND h.upto > ceil(m.p) ORDER BY hundredths LIMIT 1) AS hi
         FROM m`,
      [siteId],
    );
    const median = (kind: 'assessment' | 'admission') => {
      const row = rows.find((r) => r.kind === kind);
      return row ? (row.lo + (row.hi - row.lo) * Number(row.frac)) / 100 : null;
    };
    return { assessment: median('assessment'), admission: median('admission') };
  }
}
