import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, ReturnsNothing, UuidParam, ValidBody, ValidQuery } from '@iop/platform';
import { Discharges } from '../application/discharge.use-cases';
import { DischargeQueries } from '../application/discharge-queries';
import {
  AmendmentBody,
  DischargeListQuery,
  DischargeListView,
  DischargeReasonsView,
  DischargeView,
  DraftDischargeBody,
  EditDischargeBody,
} from './discharge.schemas';
import { DISCHARGERS, DISCHARGE_READERS } from './roles';

@ApiTags('discharge')
@ApiBearerAuth()
@Controller()
export class DischargeController {
  constructor(
    private readonly discharges: Discharges,
    private readonly queries: DischargeQueries,
  ) {}

  @Post('episodes/:episodeId/discharge')
  @HttpCode(201)
  @Access({ roles: DISCHARGERS })
  @ApiUuidParam('episodeId', "The episode (intake's admission)")
  @ApiOperation({
    summary:
      'Draft the discharge of an active episode: type, reason code, date (within the episode, not in the future), destination for step-down, step-up or transfer; the summary figures come from the episode',
  })
  @ApiBodyFrom(DraftDischargeBody)
  @Returns(DischargeView, { status: 201, description: 'The draft' })
  draft(@UuidParam('episodeId') episodeId: string, @ValidBody(DraftDischargeBody) body: DraftDischargeBody) {
    return this.discharges.draft(episodeId, body);
  }

  @Patch('discharges/:dischargeId')
  @Access({ roles: DISCHARGERS })
  @ApiUuidParam('dischargeId', 'The discharge')
  @ApiOperation({ summary: 'Edit a draft (a signed discharge is changed only by an amendment); the summary figures are refreshed' })
  @ApiBodyFrom(EditDischargeBody)
  @Returns(DischargeView, { status: 200, description: 'The draft as edited' })
  edit(@UuidParam('dischargeId') dischargeId: string, @ValidBody(EditDischargeBody) body: EditDischargeBody) {
    return this.discharges.edit(dischargeId, body);
  }

  @Delete('discharges/:dischargeId')
  @HttpCode(204)
  @Access({ roles: DISCHARGERS })
  @ApiUuidParam('dischargeId', 'The discharge')
  @ApiOperation({ summary: 'Withdraw a draft (e.g. a lost-to-contact proposal for a patient who came back); a signed discharge is 409' })
  @ReturnsNothing('The draft is withdrawn; the episode stays active')
  async withdraw(@UuidParam('dischargeId') dischargeId: string): Promise<void> {
    await this.discharges.withdraw(dischargeId);
  }

  @Post('discharges/:dischargeId/sign')
  @HttpCode(200)
  @Access({ roles: DISCHARGERS })
  @ApiUuidParam('dischargeId', 'The discharge')
  @ApiOperation({ summary: 'Sign a draft: the episode ends and aftercare.patient-discharged is published, in one transaction; signing twice is a 409' })
  @Returns(DischargeView, { status: 200, description: 'The signed discharge' })
  sign(@UuidParam('dischargeId') dischargeId: string) {
    return this.discharges.sign(dischargeId);
  }

  @Post('discharges/:dischargeId/amendments')
  @HttpCode(201)
  @Access({ roles: DISCHARGERS })
  @ApiUuidParam('dischargeId', 'The discharge')
  @ApiOperation({
    summary:
      'Amend a signed discharge (type, reason, date, destination) with a reason: a new amendment, the signed record kept; publishes aftercare.discharge-amended',
  })
  @ApiBodyFrom(AmendmentBody)
  @Returns(DischargeView, { status: 201, description: 'The discharge as amended, with every amendment' })
  amend(@UuidParam('dischargeId') dischargeId: string, @ValidBody(AmendmentBody) body: AmendmentBody) {
    return this.discharges.amend(dischargeId, body);
  }

  @Get('discharges/:dischargeId')
  @Access({ roles: DISCHARGE_READERS })
  @ApiUuidParam('dischargeId', 'The discharge')
  @ApiOperation({ summary: 'A discharge with its summary (text included) and amendments (audited)' })
  @Returns(DischargeView, { status: 200, description: 'The discharge as it stands' })
  get(@UuidParam('dischargeId') dischargeId: string) {
    return this.queries.get(dischargeId);
  }

  @Get('sites/:siteId/discharges')
  @Access({ roles: DISCHARGE_READERS, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site')
  @ApiOperation({ summary: "The site's discharges, newest first, by keyset (status=draft lists what awaits a signature); ids, types and dates, audited" })
  @Returns(DischargeListView, { status: 200, description: 'One page' })
  list(@UuidParam('siteId') siteId: string, @ValidQuery(DischargeListQuery) query: DischargeListQuery) {
    return this.queries.list(siteId, query);
  }

  @Get('discharge-reasons')
  @Access({ roles: DISCHARGE_READERS })
  @ApiOperation({ summary: 'The reason codes each type of discharge allows' })
  @Returns(DischargeReasonsView, { status: 200, description: 'Codes by type' })
  reasons() {
    return this.queries.reasons();
  }
}
