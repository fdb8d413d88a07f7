import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody, ValidQuery } from '@iop/platform';
import { Alumni } from '../application/alumni';
import { AlumniConsentBody, AlumniConsentView, AlumniRosterQuery, AlumniRosterView } from './discharge.schemas';
import { ALUMNI_STAFF } from './roles';

@ApiTags('alumni')
@ApiBearerAuth()
@Controller()
export class AlumniController {
  constructor(private readonly alumni: Alumni) {}

  @Post('patients/:patientId/alumni-consent')
  @HttpCode(200)
  @Access({ roles: ALUMNI_STAFF, site: { from: 'body', name: 'siteId' } })
  @ApiUuidParam('patientId', 'The patient')
  @ApiOperation({
    summary:
      "Record a discharged patient's consent to the site's alumni contact (optIn true) or its withdrawal (false); every change kept; publishes aftercare.alumni-joined or -left",
  })
  @ApiBodyFrom(AlumniConsentBody)
  @Returns(AlumniConsentView, { status: 200, description: 'The consent as it stands' })
  consent(@UuidParam('patientId') patientId: string, @ValidBody(AlumniConsentBody) body: AlumniConsentBody) {
    return this.alumni.consent(patientId, body.siteId, body.optIn);
  }

  @Get('sites/:siteId/alumni')
  @Access({ roles: ALUMNI_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site')
  @ApiOperation({ summary: "The site's alumni roster: patients who opted in to alumni contact, by patient id (keyset), audited" })
  @Returns(AlumniRosterView, { status: 200, description: 'One page' })
  roster(@UuidParam('siteId') siteId: string, @ValidQuery(AlumniRosterQuery) query: AlumniRosterQuery) {
    return this.alumni.roster(siteId, query);
  }
}
