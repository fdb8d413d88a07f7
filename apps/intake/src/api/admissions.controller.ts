import { Controller, Get, HttpCode, HttpStatus, Post, Res, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, DomainError, RESPONSE_SCHEMA, Returns, UuidParam, ValidBody, openApiSchema } from '@iop/platform';
import { CancelAdmissionRequest } from '../application/cancel-admission.use-case';
import { FollowUpTasks } from '../application/follow-up-tasks';
import { RequestAdmission } from '../application/request-admission.use-case';
import {
  AdmissionAnswerView,
  AdmittedView,
  AwaitingCoverageView,
  CancelAdmissionAnswer,
  CancelAdmissionBody,
  FollowUpTaskCompleted,
  FollowUpTaskList,
  RequestAdmissionBody,
} from './admission.schemas';
import { INTAKE_STAFF } from './roles';

@ApiTags('admission')
@ApiBearerAuth()
@Controller()
export class AdmissionsController {
  constructor(
    private readonly requestAdmission: RequestAdmission,
    private readonly tasks: FollowUpTasks,
    private readonly cancelAdmission: CancelAdmissionRequest,
  ) {}

  @Post('referrals/:referralId/admission')
  @HttpCode(201)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({
    summary: 'Admit an assessed patient to IOP',
    description:
      'Self-pay: admitted at once (201) if the site has a place. Insurance: needs a consent allowing disclosure to the payer for payment; ' +
      'intake asks insurance to verify coverage and answers 202, and the admission completes when insurance answers. ' +
      'No place left: 409, and the patient is on the waitlist. While a coverage request waits for insurance, a new request is 409; ' +
      'once it is past its deadline, a self-pay request supersedes it (insurance is told; its late answer is ignored).',
  })
  @ApiBodyFrom(RequestAdmissionBody)
  // Two success statuses with different bodies: each documented on its own, the answer shaped by their union.
  @SetMetadata(RESPONSE_SCHEMA, AdmissionAnswerView)
  @ApiResponse({ status: 201, description: 'Admitted at once (self-pay, a place was free)', schema: openApiSchema(AdmittedView, 'output') })
  @ApiResponse({
    status: 202,
    description: 'Insurance is verifying coverage; the admission completes when it answers',
    schema: openApiSchema(AwaitingCoverageView, 'output'),
  })
  async admit(
    @UuidParam('referralId') referralId: string,
    @ValidBody(RequestAdmissionBody) body: RequestAdmissionBody,
    @Res({ passthrough: true }) res: { status(code: number): void },
  ) {
    const answer = await this.requestAdmission.execute(referralId, body);
    if (answer.status === 'waitlisted' && answer.kind === 'waitlisted') {
      // The waitlist entry is committed; the caller still hears plainly that the admission did not happen.
      throw new DomainError('admission.site-full', answer.message, HttpStatus.CONFLICT);
    }
    if (answer.status === 'awaiting-coverage') res.status(HttpStatus.ACCEPTED);
    return answer;
  }

  @Post('referrals/:referralId/admission/cancellation')
  @HttpCode(200)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({
    summary: 'Withdraw the admission request waiting for insurance (within or past its deadline)',
    description:
      'The request is settled as cancelled, its follow-up tasks are closed and insurance is told (intake.coverage-request-cancelled); ' +
      'an answer insurance sends for it later is ignored. The referral stays assessed: request the admission again, self-pay or with a payer. ' +
      'After a timeout a self-pay admission request does this itself. 409 when nothing is waiting.',
  })
  @ApiBodyFrom(CancelAdmissionBody)
  @Returns(CancelAdmissionAnswer)
  cancel(@UuidParam('referralId') referralId: string, @ValidBody(CancelAdmissionBody) body: CancelAdmissionBody) {
    return this.cancelAdmission.execute(referralId, body);
  }

  @Get('sites/:siteId/follow-up-tasks')
  @Access({ roles: INTAKE_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "Open follow-up tasks for the site's coordinators (coverage timeouts, rejections, places to offer)" })
  @Returns(FollowUpTaskList, { status: 200, description: 'The open tasks, oldest first' })
  followUps(@UuidParam('siteId') siteId: string) {
    return this.tasks.open(siteId);
  }

  @Post('follow-up-tasks/:taskId/completion')
  @HttpCode(200)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('taskId', 'The task id')
  @ApiOperation({ summary: 'Mark a follow-up task done' })
  @Returns(FollowUpTaskCompleted, { status: 200, description: 'The task, done' })
  complete(@UuidParam('taskId') taskId: string) {
    return this.tasks.complete(taskId);
  }
}
