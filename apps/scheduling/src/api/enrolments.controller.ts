import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody, ValidQuery } from '@iop/platform';
import { EnrolmentQueries } from '../application/enrolment-queries';
import { Placement } from '../application/placement';
import {
  EnrolmentQueueQuery,
  EnrolmentQueueView,
  EnrolmentView,
  LevelChangeBody,
  PlaceBody,
  PlacementView,
  TrackSuggestionList,
  TransferBody,
  type EnrolmentQueueFilter,
} from './enrolment.schemas';
import { CARE_STAFF } from './roles';

@ApiTags('enrolments')
@ApiBearerAuth()
@Controller()
export class EnrolmentsController {
  constructor(
    private readonly queries: EnrolmentQueries,
    private readonly placement: Placement,
  ) {}

  @Get('sites/:siteId/enrolments')
  @Access({ roles: CARE_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "A site's enrolments by status, oldest planned start first: the placement work queue (keyset paged, audited)" })
  @Returns(EnrolmentQueueView, { status: 200, description: 'One page of enrolments and the cursor of the next' })
  queue(@UuidParam('siteId') siteId: string, @ValidQuery(EnrolmentQueueQuery) query: EnrolmentQueueFilter) {
    return this.queries.queue(siteId, query);
  }

  @Get('enrolments/:enrolmentId')
  @Access({ roles: CARE_STAFF })
  @ApiUuidParam('enrolmentId', 'The enrolment id')
  @ApiOperation({ summary: 'One enrolment (audited read)' })
  @Returns(EnrolmentView, { status: 200, description: 'The enrolment' })
  get(@UuidParam('enrolmentId') enrolmentId: string) {
    return this.queries.get(enrolmentId);
  }

  @Get('enrolments/:enrolmentId/track-suggestions')
  @Access({ roles: CARE_STAFF })
  @ApiUuidParam('enrolmentId', 'The enrolment id')
  @ApiOperation({
    summary: "The site's tracks of the patient's program kind, ranked by free seats, level of care, fit to the plan's hours and first start date (audited)",
  })
  @Returns(TrackSuggestionList, { status: 200, description: 'Tracks, best first, with the reasons of their rank' })
  suggestions(@UuidParam('enrolmentId') enrolmentId: string) {
    return this.placement.suggestions(enrolmentId);
  }

  @Post('enrolments/:enrolmentId/placement')
  @HttpCode(200)
  @Access({ roles: CARE_STAFF })
  @ApiUuidParam('enrolmentId', 'The enrolment id')
  @ApiOperation({
    summary: "Place the patient in a track: a seat in each of its sessions from the start date, within the plan's weekly group minutes, all or nothing (409)",
  })
  @ApiBodyFrom(PlaceBody)
  @Returns(PlacementView, { status: 200, description: 'The enrolment as placed and the sessions booked' })
  place(@UuidParam('enrolmentId') enrolmentId: string, @ValidBody(PlaceBody) body: PlaceBody) {
    return this.placement.place(enrolmentId, body);
  }

  @Post('enrolments/:enrolmentId/transfer')
  @HttpCode(200)
  @Access({ roles: CARE_STAFF })
  @ApiUuidParam('enrolmentId', 'The enrolment id')
  @ApiOperation({
    summary:
      "Move a placed patient to another track, at this site or another (the old enrolment then ends 'transferred' and a new one starts there; access to both sites needed)",
  })
  @ApiBodyFrom(TransferBody)
  @Returns(PlacementView, { status: 200, description: 'The enrolment the patient continues in, the sessions booked and released' })
  transfer(@UuidParam('enrolmentId') enrolmentId: string, @ValidBody(TransferBody) body: TransferBody) {
    return this.placement.transfer(enrolmentId, body);
  }

  @Post('enrolments/:enrolmentId/level-change')
  @HttpCode(200)
  @Access({ roles: CARE_STAFF })
  @ApiUuidParam('enrolmentId', 'The enrolment id')
  @ApiOperation({ summary: "Step the patient down or up a level of care: into a track of the site's program at the new level" })
  @ApiBodyFrom(LevelChangeBody)
  @Returns(PlacementView, { status: 200, description: 'The enrolment at its new level, the sessions booked and released' })
  levelChange(@UuidParam('enrolmentId') enrolmentId: string, @ValidBody(LevelChangeBody) body: LevelChangeBody) {
    return this.placement.levelChange(enrolmentId, body);
  }
}
