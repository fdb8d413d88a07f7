import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody, ValidQuery } from '@iop/platform';
import { ConsentQueries, RecordConsent, RevokeConsent } from '../application/consents.use-cases';
import {
  ConsentList,
  ConsentView,
  DisclosureDecisionView,
  DisclosureQuery,
  RecordConsentBody,
  RevokeConsentBody,
  type DisclosureQuestion,
} from './consent.schemas';
import { INTAKE_STAFF } from './roles';

@ApiTags('consents')
@ApiBearerAuth()
@Controller('patients/:patientId')
export class ConsentsController {
  constructor(
    private readonly recordConsent: RecordConsent,
    private readonly revokeConsent: RevokeConsent,
    private readonly queries: ConsentQueries,
  ) {}

  @Post('consents')
  @HttpCode(201)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('patientId', 'The patient id')
  @ApiOperation({ summary: 'Record a written consent (42 CFR Part 2 / HIPAA); 422 names every missing element' })
  @ApiBodyFrom(RecordConsentBody)
  @Returns(ConsentView, { status: 201, description: 'The consent as recorded' })
  record(@UuidParam('patientId') patientId: string, @ValidBody(RecordConsentBody) body: RecordConsentBody) {
    return this.recordConsent.execute(patientId, body);
  }

  @Get('consents')
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('patientId', 'The patient id')
  @ApiOperation({ summary: "A patient's consents, revoked ones included (audited read)" })
  @Returns(ConsentList, { status: 200, description: 'The patient’s consents' })
  list(@UuidParam('patientId') patientId: string) {
    return this.queries.list(patientId);
  }

  @Post('consents/:consentId/revocation')
  @HttpCode(200)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('patientId', 'The patient id')
  @ApiUuidParam('consentId', 'The consent id')
  @ApiOperation({ summary: 'Record that the patient revoked a consent; disclosures stop from then' })
  @ApiBodyFrom(RevokeConsentBody)
  @Returns(ConsentView, { status: 200, description: 'The consent, revoked' })
  revoke(@UuidParam('patientId') patientId: string, @UuidParam('consentId') consentId: string, @ValidBody(RevokeConsentBody) body: RevokeConsentBody) {
    return this.revokeConsent.execute(patientId, consentId, body);
  }

  @Get('disclosure-decision')
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('patientId', 'The patient id')
  @ApiOperation({ summary: "May a site disclose this patient's records of a kind to a recipient for a purpose now? (with the reason)" })
  @Returns(DisclosureDecisionView, { status: 200, description: 'The decision and its reason' })
  mayDisclose(@UuidParam('patientId') patientId: string, @ValidQuery(DisclosureQuery) query: DisclosureQuestion) {
    return this.queries.mayDisclose(patientId, query);
  }
}
