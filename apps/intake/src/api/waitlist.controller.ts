import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiUuidParam, UuidParam } from '@iop/platform';
import { PipelineQuery } from '../application/pipeline.query';
import { DeclineOffer, ReleasePlace, WaitlistQueries } from '../application/waitlist.use-cases';
import { INTAKE_STAFF } from './roles';

@ApiTags('capacity and waitlist')
@ApiBearerAuth()
@Controller()
export class WaitlistController {
  constructor(
    private readonly queries: WaitlistQueries,
    private readonly releasePlace: ReleasePlace,
    private readonly declineOffer: DeclineOffer,
    private readonly pipeline: PipelineQuery,
  ) {}

  @Get('sites/:siteId/waitlist')
  @Access({ roles: INTAKE_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "The site's waitlist in offer order: urgent and inpatient step-downs first, then by arrival" })
  list(@UuidParam('siteId') siteId: string) {
    return this.queries.list(siteId);
  }

  @Get('referrals/:referralId/waitlist-position')
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({ summary: "The patient's position on their site's waitlist" })
  position(@UuidParam('referralId') referralId: string) {
    return this.queries.position(referralId);
  }

  @Post('episodes/:episodeId/release')
  @HttpCode(200)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('episodeId', 'The episode id')
  @ApiOperation({ summary: "End an episode (discharged or left): its place is offered to the head of the site's waitlist" })
  release(@UuidParam('episodeId') episodeId: string) {
    return this.releasePlace.execute(episodeId);
  }

  @Post('waitlist/:entryId/offer/decline')
  @HttpCode(200)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('entryId', 'The waitlist entry id')
  @ApiOperation({ summary: 'The patient declined the place offered; it goes to the next person on the list, and they keep their spot for the next place' })
  decline(@UuidParam('entryId') entryId: string) {
    return this.declineOffer.execute(entryId);
  }

  @Get('sites/:siteId/pipeline')
  @Access({ roles: INTAKE_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: 'Pipeline summary: referrals per stage, median days referral → assessment and → admission, places' })
  summary(@UuidParam('siteId') siteId: string) {
    return this.pipeline.summary(siteId);
  }
}
