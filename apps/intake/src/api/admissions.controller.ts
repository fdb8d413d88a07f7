import { Controller, Get, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, DomainError, UuidParam, ValidBody } from '@iop/platform';
import { FollowUpTasks } from '../application/follow-up-tasks';
import { RequestAdmission } from '../application/request-admission.use-case';
import { RequestAdmissionBody } from './admission.schemas';
import { INTAKE_STAFF } from './roles';

@ApiTags('admission')
@ApiBearerAuth()
@Controller()
export class AdmissionsController {
  constructor(
    private readonly requestAdmission: RequestAdmission,
    private readonly tasks: FollowUpTasks,
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
      'No place left: 409, and the patient is on the waitlist.',
  })
  @ApiBodyFrom(RequestAdmissionBody)
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

  @Get('sites/:siteId/follow-up-tasks')
  @Access({ roles: INTAKE_STAFF, site: { from: 'param', name: 'siteId' } })
  @ApiUuidParam('siteId', 'The site id')
  @ApiOperation({ summary: "Open follow-up tasks for the site's coordinators (coverage timeouts, rejections, places to offer)" })
  followUps(@UuidParam('siteId') siteId: string) {
    return this.tasks.open(siteId);
  }

  @Post('follow-up-tasks/:taskId/completion')
  @HttpCode(200)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('taskId', 'The task id')
  @ApiOperation({ summary: 'Mark a follow-up task done' })
  complete(@UuidParam('taskId') taskId: string) {
    return this.tasks.complete(taskId);
  }
}
