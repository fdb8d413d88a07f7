import { Controller, Get, HttpCode, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody, ValidQuery } from '@iop/platform';
import { FollowUps } from '../application/follow-up.use-cases';
import { MeasureQueries } from '../application/measure.queries';
import { OutcomeCheckIns } from '../application/outcome.use-cases';
import { AftercarePlans } from '../application/plan.use-cases';
import { ReadmissionReferrals } from '../application/readmission.use-cases';
import { AttemptBody, EpisodeFollowUpsView, FollowUpView, ReadmissionBody, ReadmissionView, WorkListQuery, WorkListView } from './follow-up.schemas';
import { FOLLOW_UP_STAFF, MEASURE_READERS, REFERRERS } from './follow-up-roles';
import { MonthQuery, SiteMonthView } from './measure.schemas';
import { CheckInBody, CheckInView } from './outcome.schemas';
import { PlanBody, PlanVersionsView, PlanView } from './plan.schemas';

/**
 * Everything after a discharge, keyed by the discharged episode: follow-ups and their attempts, the aftercare plan,
 * outcome check-ins, readmission referrals, and the site's monthly measures. An episode or follow-up of another site
 * is a 404 (row-level security hides it) and nothing is written.
 */
@ApiTags('follow-ups')
@ApiBearerAuth()
@Controller()
export class FollowUpsController {
  constructor(
    private readonly followUps: FollowUps,
    private readonly plans: AftercarePlans,
    private readonly checkIns: OutcomeCheckIns,
    private readonly readmissions: ReadmissionReferrals,
    private readonly measures: MeasureQueries,
  ) {}

  @Get('episodes/:episodeId/follow-ups')
  @Access({ roles: FOLLOW_UP_STAFF })
  @ApiUuidParam('episodeId', 'The discharged episode')
  @ApiOperation({ summary: 'The follow-ups planned from a discharge (+7, +30, +90 days in the site zone) with their contact attempts (audited)' })
  @Returns(EpisodeFollowUpsView, { status: 200, description: 'The follow-ups, by offset' })
  episodeFollowUps(@UuidParam('episodeId') episodeId: string) {
    return this.followUps.forEpisode(episodeId);
  }

  @Get('sites/:siteId/follow-ups')
  @Access({ roles: FOLLOW_UP_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site')
  @ApiOperation({
    summary: "The site's follow-up work list: open (due or overdue) by default, oldest due day first, keyset-paged, with each one's attempts (audited)",
  })
  @Returns(WorkListView, { status: 200, description: 'One page' })
  workList(@UuidParam('siteId') siteId: string, @ValidQuery(WorkListQuery) query: WorkListQuery) {
    return this.followUps.forSite(siteId, query);
  }

  @Get('follow-ups/:followUpId')
  @Access({ roles: FOLLOW_UP_STAFF })
  @ApiUuidParam('followUpId', 'The follow-up')
  @ApiOperation({ summary: 'One follow-up with its attempts (audited)' })
  @Returns(FollowUpView, { status: 200, description: 'The follow-up' })
  followUp(@UuidParam('followUpId') followUpId: string) {
    return this.followUps.get(followUpId);
  }

  @Post('follow-ups/:followUpId/attempts')
  @HttpCode(201)
  @Access({ roles: FOLLOW_UP_STAFF })
  @ApiUuidParam('followUpId', 'The follow-up')
  @ApiOperation({ summary: 'Record a contact attempt (method, outcome, time); `reached` completes the follow-up and publishes aftercare.follow-up-completed' })
  @ApiBodyFrom(AttemptBody)
  @Returns(FollowUpView, { status: 201, description: 'The follow-up after the attempt' })
  attempt(@UuidParam('followUpId') followUpId: string, @ValidBody(AttemptBody) body: AttemptBody) {
    return this.followUps.attempt(followUpId, body);
  }

  @Post('follow-ups/:followUpId/unreachable')
  @HttpCode(200)
  @Access({ roles: FOLLOW_UP_STAFF })
  @ApiUuidParam('followUpId', 'The follow-up')
  @ApiOperation({ summary: 'Close a follow-up whose attempts reached nobody; publishes aftercare.follow-up-completed (result unreachable)' })
  @Returns(FollowUpView, { status: 200, description: 'The follow-up, unreachable' })
  unreachable(@UuidParam('followUpId') followUpId: string) {
    return this.followUps.unreachable(followUpId);
  }

  @Post('follow-ups/:followUpId/readmission-referrals')
  @HttpCode(201)
  @Access({ roles: REFERRERS })
  @ApiUuidParam('followUpId', 'The follow-up that found relapse or high risk')
  @ApiOperation({
    summary: 'Refer the patient back to intake, linked to the discharged episode; publishes aftercare.readmission-referred (once per follow-up)',
  })
  @ApiBodyFrom(ReadmissionBody)
  @Returns(ReadmissionView, { status: 201, description: 'The referral sent' })
  refer(@UuidParam('followUpId') followUpId: string, @ValidBody(ReadmissionBody) body: ReadmissionBody) {
    return this.readmissions.refer(followUpId, body.reason);
  }

  @Put('episodes/:episodeId/aftercare-plan')
  @Access({ roles: FOLLOW_UP_STAFF })
  @ApiUuidParam('episodeId', 'The discharged episode')
  @ApiOperation({
    summary:
      'Write (201, version 1) or revise (200, version + 1) the aftercare plan; every version is kept. Publishes aftercare.aftercare-plan-created/-updated (kinds, owners, dates; no text)',
  })
  @ApiBodyFrom(PlanBody)
  @Returns(PlanView, { status: 200, description: 'The plan as saved' })
  async savePlan(
    @UuidParam('episodeId') episodeId: string,
    @ValidBody(PlanBody) body: PlanBody,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ) {
    const saved = await this.plans.save(episodeId, body.items, body.expectedVersion);
    if (saved.created) res.status(201);
    return saved.plan;
  }

  @Get('episodes/:episodeId/aftercare-plan')
  @Access({ roles: FOLLOW_UP_STAFF })
  @ApiUuidParam('episodeId', 'The discharged episode')
  @ApiOperation({ summary: 'The current aftercare plan (audited)' })
  @Returns(PlanView, { status: 200, description: 'The plan' })
  plan(@UuidParam('episodeId') episodeId: string) {
    return this.plans.current(episodeId);
  }

  @Get('episodes/:episodeId/aftercare-plan/versions')
  @Access({ roles: FOLLOW_UP_STAFF })
  @ApiUuidParam('episodeId', 'The discharged episode')
  @ApiOperation({ summary: 'Every version of the aftercare plan, oldest first (audited)' })
  @Returns(PlanVersionsView, { status: 200, description: 'The versions' })
  planVersions(@UuidParam('episodeId') episodeId: string) {
    return this.plans.versions(episodeId);
  }

  @Post('episodes/:episodeId/outcomes')
  @HttpCode(201)
  @Access({ roles: FOLLOW_UP_STAFF })
  @ApiUuidParam('episodeId', 'The discharged episode')
  @ApiOperation({
    summary:
      'An outcome check-in: PHQ-9, GAD-7, Brief Addiction Monitor, days abstinent. A missing or out-of-range item is a 422 naming it; PHQ-9 item 9 above 0 raises aftercare.safety-concern-raised at once',
  })
  @ApiBodyFrom(CheckInBody)
  @Returns(CheckInView, { status: 201, description: 'The scores' })
  checkIn(@UuidParam('episodeId') episodeId: string, @ValidBody(CheckInBody) body: CheckInBody) {
    return this.checkIns.record(episodeId, body);
  }

  @Get('sites/:siteId/measures')
  @Access({ roles: MEASURE_READERS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site')
  @ApiOperation({
    summary:
      "A month's discharges at the site measured: follow-up within 7 and 30 days, completion and against-advice rates, readmission within 30 and 90 days (the analysts' stream carries the same, suppressed)",
  })
  @Returns(SiteMonthView, { status: 200, description: 'The measures' })
  siteMeasures(@UuidParam('siteId') siteId: string, @ValidQuery(MonthQuery) query: MonthQuery) {
    return this.measures.siteMonth(siteId, query.month);
  }
}
