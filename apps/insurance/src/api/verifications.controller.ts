import { Controller, ForbiddenException, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, AuditTrail } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UnitOfWork, UuidParam, ValidBody, ValidQuery, currentRequest, notFound, type Work } from '@iop/platform';
import { CompletePhoneVerification } from '../application/complete-phone-verification.use-case';
import { phoneTaskRepository, verificationRepository } from '../application/verification-repository';
import { VerifyCoverage, type Transact, type VerificationCall } from '../application/verify-coverage';
import { ExchangeList, PhoneAnswerBody, PhoneTaskList, PhoneTaskQuery, VerificationView, VerifyBody } from './verification.schemas';

const COORDINATORS = ['insurance_coordinator', 'network_admin'] as const;
const SITE = { from: 'param', name: 'siteId' } as const;

@ApiTags('verifications')
@ApiBearerAuth()
@Controller('sites/:siteId')
export class VerificationsController {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
    private readonly verify: VerifyCoverage,
    private readonly completePhone: CompletePhoneVerification,
  ) {}

  /** The HTTP path: each of the use case's transactions is a unit of work in the caller's scope. */
  private viaHttp(call: VerificationCall) {
    const context = currentRequest();
    const principal = context?.request.principal;
    if (!context || !principal) throw new ForbiddenException('no authenticated caller');
    const transact: Transact = (fn) => this.uow.run((w) => fn(w.manager));
    return this.verify.run(transact, { principal, requestId: context.requestId }, call);
  }

  @Post('coverages/:coverageId/verifications')
  @HttpCode(201)
  @Access({ roles: [...COORDINATORS], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiUuidParam('coverageId', 'The coverage to verify')
  @ApiOperation({ summary: 'Verify benefits now (consent gate, cache, 270/271); a phone task is opened when electronic verification fails' })
  @ApiBodyFrom(VerifyBody)
  @Returns(VerificationView, { status: 201, description: 'The verification: answered, or queued for a phone call' })
  async verifyNow(@UuidParam('siteId') siteId: string, @UuidParam('coverageId') coverageId: string, @ValidBody(VerifyBody) body: VerifyBody) {
    const coverage = await this.uow.run(async ({ manager }) => {
      const rows = (await manager.query(`SELECT patient_id FROM insurance.coverages WHERE coverage_id = $1 AND site_id = $2`, [coverageId, siteId])) as Array<{
        patient_id: string;
      }>;
      if (!rows[0]) throw notFound('coverage.unknown', `there is no coverage ${coverageId} at site ${siteId}`);
      return rows[0];
    });
    return this.viaHttp({ siteId, patientId: coverage.patient_id, coverageId, ...body });
  }

  @Post('verifications/:verificationId/reverify')
  @HttpCode(201)
  @Access({ roles: [...COORDINATORS], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiUuidParam('verificationId', 'The earlier verification')
  @ApiOperation({ summary: 'Ask the payer again for the same coverage, date and programme, bypassing the cache' })
  @Returns(VerificationView, { status: 201, description: 'The new verification' })
  async reverify(@UuidParam('siteId') siteId: string, @UuidParam('verificationId') verificationId: string) {
    const earlier = await this.uow.run((w) => verificationRepository.find(w.manager, siteId, verificationId));
    if (!earlier) throw notFound('verification.unknown', `there is no verification ${verificationId} at site ${siteId}`);
    return this.viaHttp({
      siteId,
      patientId: earlier.patientId,
      ...(earlier.coverageId ? { coverageId: earlier.coverageId } : {}),
      serviceDate: earlier.serviceDate,
      programType: earlier.programType,
      bypassCache: true,
    });
  }

  @Get('verifications/:verificationId')
  @Access({ roles: [...COORDINATORS, 'intake_coordinator'], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiUuidParam('verificationId', 'The verification')
  @ApiOperation({ summary: 'A verification with its benefit summary (audited)' })
  @Returns(VerificationView, { status: 200, description: 'The verification' })
  get(@UuidParam('siteId') siteId: string, @UuidParam('verificationId') verificationId: string) {
    return this.uow.run((work) => this.readAudited(work, siteId, verificationId, 'verification'));
  }

  @Get('verifications/:verificationId/exchange')
  @Access({ roles: [...COORDINATORS], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiUuidParam('verificationId', 'The verification')
  @ApiOperation({ summary: "The verification's 270s and 271s as exchanged with the payer, to read beside the summary's source lines (audited)" })
  @Returns(ExchangeList, { status: 200, description: 'The X12 messages, oldest first; none for a verification answered by phone or from the cache' })
  exchange(@UuidParam('siteId') siteId: string, @UuidParam('verificationId') verificationId: string) {
    return this.uow.run(async (work) => {
      await this.readAudited(work, siteId, verificationId, 'verification-exchange');
      return verificationRepository.exchanges(work.manager, siteId, verificationId);
    });
  }

  @Get('phone-tasks')
  @Access({ roles: [...COORDINATORS], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiOperation({ summary: "The site's phone-verification work queue (audited per patient)" })
  @Returns(PhoneTaskList, { status: 200, description: 'The tasks' })
  tasks(@UuidParam('siteId') siteId: string, @ValidQuery(PhoneTaskQuery) query: { status: 'open' | 'completed' }) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const tasks = await phoneTaskRepository.list(manager, siteId, query.status);
      // Each task names a patient and their payer: one audit row per patient listed, like any other read of their record.
      for (const patientId of new Set(tasks.map((t) => t.patientId))) {
        await this.audit.record(manager, { principal, requestId }, { action: 'list', resource: 'phone-task', patientId, siteId });
      }
      return tasks;
    });
  }

  @Post('phone-tasks/:taskId/complete')
  @HttpCode(200)
  @Access({ roles: [...COORDINATORS], site: SITE })
  @ApiUuidParam('siteId', 'The site')
  @ApiUuidParam('taskId', 'The phone task')
  @ApiOperation({ summary: 'Record what the payer said on the phone; completes the verification (and answers intake)' })
  @ApiBodyFrom(PhoneAnswerBody)
  @Returns(VerificationView, { status: 200, description: 'The verification, completed by phone' })
  complete(@UuidParam('siteId') siteId: string, @UuidParam('taskId') taskId: string, @ValidBody(PhoneAnswerBody) body: PhoneAnswerBody) {
    return this.completePhone.execute(siteId, taskId, body);
  }

  /** A verification of the site, its read audited as `<resource>:<id>` under the patient; 404 when the site has none. */
  private async readAudited({ manager, principal, requestId }: Work, siteId: string, verificationId: string, resource: string) {
    const v = await verificationRepository.find(manager, siteId, verificationId);
    if (!v) throw notFound('verification.unknown', `there is no verification ${verificationId} at site ${siteId}`);
    await this.audit.record(manager, { principal, requestId }, { action: 'read', resource: `${resource}:${verificationId}`, patientId: v.patientId, siteId });
    return v;
  }
}
