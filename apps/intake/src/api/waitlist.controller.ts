import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiUuidParam, Returns, UuidParam } from '@iop/platform';
import { PipelineQuery } from '../application/pipeline.query';
import { DeclineOffer, WaitlistQueries } from '../application/waitlist.use-cases';
import { INTAKE_STAFF } from './roles';
import { OfferDeclinedView, PipelineView, WaitlistPositionView, WaitlistView } from './waitlist.schemas';

@ApiTags('capacity and waitlist')
@ApiBearerAuth()
@Controller()
export class WaitlistController {
  constructor(
    private readonly queries: WaitlistQueries,
    private readonly declineOffer: DeclineOffer,
    private readonly pipeline: PipelineQuery,
  ) {}

  @Get('sites/:siteId/waitlist')
  @Access({ roles: INTAKE_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "The site's waitlist in offer order: urgent and inpatient step-downs first, then by arrival" })
  @Returns(WaitlistView, { status: 200, description: 'The waitlist in offer order' })
  list(@UuidParam('siteId') siteId: string) {
    return this.queries.list(siteId);
  }

  @Get('referrals/:referralId/waitlist-position')
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({ summary: "The patient's position on their site's waitlist" })
  @Returns(WaitlistPositionView, { status: 200, description: 'The patient’s place on the list' })
  position(@UuidParam('referralId') referralId: string) {
    return this.queries.position(referralId);
  }

  @Post('waitlist/:entryId/offer/decline')
  @HttpCode(200)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('entryId', 'The waitlist entry id')
  @ApiOperation({ summary: 'The patient declined the place offered; it goes to the next person on the list, and they keep their spot for the next place' })
  @Returns(OfferDeclinedView, { status: 200, description: 'The offer declined, and who the place was offered to next' })
  decline(@UuidParam('entryId') entryId: string) {
    return this.declineOffer.execute(entryId);
  }

  @Get('sites/:siteId/pipeline')
  @Access({ roles: INTAKE_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: 'Pipeline summary: referrals per stage, median days referral → assessment and → admission, places' })
  @Returns(PipelineView, { status: 200, description: 'Counts and waiting times for the site' })
  summary(@UuidParam('siteId') siteId: string) {
    return this.pipeline.summary(siteId);
  }
}
