import { Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Access, AuditTrail } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, SiteDirectory, UnitOfWork, UuidParam, ValidBody } from '@iop/platform';
import { raiseAuthorizationWarnings } from '../application/authorization-watch';
import { authorizationRepository } from '../application/authorizations';
import { EstimateCost } from '../application/estimate-cost.use-case';
import { requirePatientAtSite } from '../application/patient-site-read-model';
import { payerDirectory } from '../application/payer-directory';
import {
  AuthorizationBody,
  AuthorizationStatusList,
  AuthorizationView,
  EstimateBody,
  EstimateView,
  FeeScheduleBody,
  FeeScheduleView,
  FeeView,
} from './verification.schemas';

const SITE = { from: 'param', name: 'siteId' } as const;
const BillingCode = z.enum(['H0015', 'S9480'], { message: 'billing code must be H0015 or S9480' });

@ApiTags('estimates and authorisations')
@ApiBearerAuth()
@Controller('sites/:siteId')
export class EstimatesController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
    private readonly estimateCost: EstimateCost,
    private readonly sites: SiteDirectory,
  ) {}

  @Put('fee-schedule/:billingCode')
  @Access({ roles: ['site_admin', 'network_admin'], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiOperation({ summary: "Set the site's per-diem rate for H0015 or S9480" })
  @ApiBodyFrom(FeeScheduleBody)
  @Returns(FeeView, { status: 200, description: 'The rate as set' })
  setFee(@UuidParam('siteId') siteId: string, @Param('billingCode') rawCode: string, @ValidBody(FeeScheduleBody) body: FeeScheduleBody) {
    const billingCode = BillingCode.parse(rawCode);
    return this.uow.run(async ({ manager }) => {
      await this.sites.require(manager, siteId, 'insurance');
      await manager.query(
        `INSERT INTO insurance.fee_schedule (site_id, billing_code, per_diem_cents) VALUES ($1, $2, $3)
         ON CONFLICT (site_id, billing_code) DO UPDATE SET per_diem_cents = EXCLUDED.per_diem_cents, updated_at = now()`,
        [siteId, billingCode, body.perDiemCents],
      );
      return { siteId, billingCode, perDiemCents: body.perDiemCents };
    });
  }

  @Get('fee-schedule')
  @Access({ roles: ['site_admin', 'network_admin', 'insurance_coordinator'], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiOperation({ summary: "The site's per-diem rates" })
  @Returns(FeeScheduleView, { status: 200, description: 'The rates' })
  fees(@UuidParam('siteId') siteId: string) {
    return this.uow.run(({ manager }) =>
      manager.query(
        `SELECT billing_code AS "billingCode", per_diem_cents AS "perDiemCents" FROM insurance.fee_schedule WHERE site_id = $1 ORDER BY billing_code`,
        [siteId],
      ),
    );
  }

  @Post('estimates')
  @HttpCode(200)
  @Access({ roles: ['insurance_coordinator', 'network_admin'], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiOperation({ summary: "The patient's expected cost for a planned episode, in and out of network, step by step" })
  @ApiBodyFrom(EstimateBody)
  @Returns(EstimateView, { status: 200, description: 'The estimate, in and out of network, each step explained' })
  estimate(@UuidParam('siteId') siteId: string, @ValidBody(EstimateBody) body: EstimateBody) {
    return this.estimateCost.execute(siteId, body);
  }

  @Post('authorizations')
  @HttpCode(201)
  @Access({ roles: ['insurance_coordinator', 'network_admin'], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiOperation({
    summary: 'Record a prior authorisation (payer reference, service code, units, date range); 422 patient.not-at-site for a patient the site was not referred',
  })
  @ApiBodyFrom(AuthorizationBody)
  @Returns(AuthorizationView, { status: 201, description: 'The authorisation as recorded' })
  authorize(@UuidParam('siteId') siteId: string, @ValidBody(AuthorizationBody) body: AuthorizationBody) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      await payerDirectory.require(manager, body.payerId);
      await requirePatientAtSite(manager, siteId, body.patientId);
      const authorization = { authorizationId: crypto.randomUUID(), siteId, ...body };
      await authorizationRepository.insert(manager, authorization, principal.subject);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'create', resource: `authorization:${authorization.authorizationId}`, patientId: body.patientId, siteId },
      );
      // One recorded late (a week or less to run) warns at once rather than at the next hourly sweep.
      await raiseAuthorizationWarnings(manager, authorization.authorizationId);
      return authorization;
    });
  }

  @Get('patients/:patientId/authorizations')
  @Access({ roles: ['insurance_coordinator', 'network_admin', 'intake_coordinator'], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiUuidParam('patientId', 'The patient')
  @ApiOperation({ summary: "A patient's authorisations with units used and remaining, and warnings when units run low or the end date nears" })
  @Returns(AuthorizationStatusList, { status: 200, description: 'The authorisations with their use and warnings' })
  authorizations(@UuidParam('siteId') siteId: string, @UuidParam('patientId') patientId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const list = await authorizationRepository.forPatient(manager, siteId, patientId, new Date().toISOString().slice(0, 10));
      await this.audit.record(manager, { principal, requestId }, { action: 'list', resource: 'authorization', patientId, siteId });
      return list;
    });
  }
}
