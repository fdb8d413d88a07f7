import { Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody } from '@iop/platform';
import { TreatmentPlans } from '../application/treatment-plans';
import { PlanVersionList, PlanView, UpdatePlanBody } from './plan.schemas';
import { CARE_STAFF, PLAN_AUTHORS } from './roles';

@ApiTags('treatment plans')
@ApiBearerAuth()
@Controller('enrolments/:enrolmentId/plan')
export class PlansController {
  constructor(private readonly plans: TreatmentPlans) {}

  @Get()
  @Access({ roles: CARE_STAFF })
  @ApiUuidParam('enrolmentId', 'The enrolment id')
  @ApiOperation({ summary: "The patient's current treatment plan with its goals (audited read)" })
  @Returns(PlanView, { status: 200, description: 'The current version of the plan' })
  get(@UuidParam('enrolmentId') enrolmentId: string) {
    return this.plans.get(enrolmentId);
  }

  @Put()
  @Access({ roles: PLAN_AUTHORS })
  @ApiUuidParam('enrolmentId', 'The enrolment id')
  @ApiOperation({
    summary: 'A new version of the plan (clinicians): a review that changes weekly group minutes changes the seats booked from next Monday',
  })
  @ApiBodyFrom(UpdatePlanBody)
  @Returns(PlanView, { status: 200, description: 'The new version' })
  update(@UuidParam('enrolmentId') enrolmentId: string, @ValidBody(UpdatePlanBody) body: UpdatePlanBody) {
    return this.plans.update(enrolmentId, body);
  }

  @Get('versions')
  @Access({ roles: CARE_STAFF })
  @ApiUuidParam('enrolmentId', 'The enrolment id')
  @ApiOperation({ summary: 'Every version of the plan, newest first, with who changed it and why (audited read)' })
  @Returns(PlanVersionList, { status: 200, description: 'The versions' })
  versions(@UuidParam('enrolmentId') enrolmentId: string) {
    return this.plans.versions(enrolmentId);
  }
}
