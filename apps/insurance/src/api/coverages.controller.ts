import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, AuditTrail } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UnitOfWork, UuidParam, ValidBody, ValidQuery, notFound } from '@iop/platform';
import { mayDiscloseForPayment } from '../application/consent-read-model';
import { payerDirectory } from '../application/payer-directory';
import { coverageRepository } from '../application/coverage-repository';
import { RecordCoverage } from '../application/record-coverage.use-case';
import { CoverageList, CoverageView, DisclosureCheckQuery, PaymentDisclosureView, RecordCoverageBody } from './coverage.schemas';

@ApiTags('coverages')
@ApiBearerAuth()
@Controller('sites/:siteId')
export class CoveragesController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
    private readonly recordCoverage: RecordCoverage,
  ) {}

  @Post('coverages')
  @HttpCode(201)
  @Access({ roles: ['insurance_coordinator', 'network_admin'], site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site treating the patient')
  @ApiOperation({
    summary:
      "Record a patient's coverage from their card (subscriber, relationship, member id, group, plan dates, order); 422 patient.not-at-site until intake's referral of the patient at this site has reached insurance",
  })
  @ApiBodyFrom(RecordCoverageBody)
  @Returns(CoverageView, { status: 201, description: 'The coverage as recorded' })
  record(@UuidParam('siteId') siteId: string, @ValidBody(RecordCoverageBody) body: RecordCoverageBody) {
    return this.recordCoverage.execute(siteId, body);
  }

  @Get('patients/:patientId/coverages')
  @Access({ roles: ['insurance_coordinator', 'intake_coordinator', 'network_admin'], site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site')
  @ApiUuidParam('patientId', 'The patient')
  @ApiOperation({ summary: "A patient's coverages, primary first (audited)" })
  @Returns(CoverageList, { status: 200, description: 'The coverages' })
  list(@UuidParam('siteId') siteId: string, @UuidParam('patientId') patientId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const coverages = await coverageRepository.forPatient(manager, siteId, patientId);
      await this.audit.record(manager, { principal, requestId }, { action: 'list', resource: 'coverage', patientId, siteId });
      return coverages;
    });
  }

  @Get('coverages/:coverageId')
  @Access({ roles: ['insurance_coordinator', 'intake_coordinator', 'network_admin'], site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site')
  @ApiUuidParam('coverageId', 'The coverage')
  @ApiOperation({ summary: 'One coverage (audited)' })
  @Returns(CoverageView, { status: 200, description: 'The coverage' })
  get(@UuidParam('siteId') siteId: string, @UuidParam('coverageId') coverageId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const coverage = await coverageRepository.find(manager, siteId, coverageId);
      if (!coverage) throw notFound('coverage.unknown', `there is no coverage ${coverageId} at site ${siteId}`);
      await this.audit.record(manager, { principal, requestId }, { action: 'read', resource: `coverage:${coverageId}`, patientId: coverage.patientId, siteId });
      return coverage;
    });
  }

  @Get('patients/:patientId/disclosure-check')
  @Access({ roles: ['insurance_coordinator', 'intake_coordinator', 'network_admin'], site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site that would disclose')
  @ApiUuidParam('patientId', 'The patient')
  @ApiOperation({
    summary: "Whether a consent in force lets this site disclose the patient's records to the payer for payment (the gate every 270 passes; audited)",
  })
  @Returns(PaymentDisclosureView, { status: 200, description: 'Allowed under a consent, or what is missing' })
  disclosureCheck(
    @UuidParam('siteId') siteId: string,
    @UuidParam('patientId') patientId: string,
    @ValidQuery(DisclosureCheckQuery) query: { payerId: string },
  ) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const payer = await payerDirectory.require(manager, query.payerId);
      const answer = await mayDiscloseForPayment(manager, { siteId, patientId, payerId: payer.payerId, at: new Date() }, payer.name);
      // Whether a patient has signed a Part 2 consent, and for whom, is itself part of their record.
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: 'consent', patientId, siteId, reason: `disclosure check: payment to ${payer.payerId}` },
      );
      return answer;
    });
  }
}
