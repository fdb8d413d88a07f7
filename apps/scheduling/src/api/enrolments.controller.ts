import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiUuidParam, Returns, UuidParam, ValidQuery } from '@iop/platform';
import { EnrolmentQueries } from '../application/enrolment-queries';
import { EnrolmentQueueQuery, EnrolmentQueueView, EnrolmentView, type EnrolmentQueueFilter } from './enrolment.schemas';
import { CARE_STAFF } from './roles';

@ApiTags('enrolments')
@ApiBearerAuth()
@Controller()
export class EnrolmentsController {
  constructor(private readonly queries: EnrolmentQueries) {}

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
}
