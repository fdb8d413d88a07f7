import { Inject, Injectable } from '@nestjs/common';
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
      const rows: Array<{ stage: ReferralStage; n: number }> = await manager.query(
        `SELECT stage, count(*)::int AS n FROM referrals WHERE site_id = $1 GROUP BY stage`,
        [siteId],
      );
      for (const row of rows) counts[row.stage] = row.n;
      const [medians] = (await manager.query(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM assessed_at - received_at) / 86400) FILTER (WHERE assessed_at IS NOT NULL) AS to_assessment,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM admitted_at - received_at) / 86400) FILTER (WHERE admitted_at IS NOT NULL) AS to_admission
           FROM referrals WHERE site_id = $1`,
        [siteId],
      )) as [{ to_assessment: number | null; to_admission: number | null }];
      const [places] = (await manager.query(
        `SELECT (SELECT count(*)::int FROM episodes WHERE site_id = $1 AND status = 'active') AS active,
                (SELECT count(*)::int FROM waitlist_entries WHERE site_id = $1 AND removed_at IS NULL) AS waiting`,
        [siteId],
      )) as [{ active: number; waiting: number }];
      const round = (days: number | null) => (days === null ? null : Math.round(days * 10) / 10);
      return {
        siteId,
        counts,
        medianDaysReferralToAssessment: round(medians.to_assessment),
        medianDaysReferralToAdmission: round(medians.to_admission),
        capacity: site.capacity,
        activeEpisodes: places.active,
        waitlisted: places.waiting,
      };
    });
  }
}
