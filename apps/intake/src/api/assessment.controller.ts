import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody } from '@iop/platform';
import { OverrideLevelOfCare, RecordAssessment } from '../application/assessment.use-cases';
import { LEVEL_OF_CARE_RULES, PHQ9_BANDS, GAD7_BANDS, WEEKLY_HOURS_PLANS } from '../domain';
import { AssessmentRulesView, AssessmentView, OverrideLevelBody, RecordAssessmentBody } from './assessment.schemas';
import { CLINICIANS, INTAKE_STAFF } from './roles';

@ApiTags('assessment')
@ApiBearerAuth()
@Controller()
export class AssessmentController {
  constructor(
    private readonly recordAssessment: RecordAssessment,
    private readonly overrideLevel: OverrideLevelOfCare,
  ) {}

  @Get('assessment/rules')
  @Access({ roles: INTAKE_STAFF })
  @ApiOperation({ summary: 'The level-of-care rule table, weekly hours and PHQ-9/GAD-7 bands the recommendation uses' })
  @Returns(AssessmentRulesView, { status: 200, description: 'The rules' })
  rules() {
    return { levelOfCareRules: LEVEL_OF_CARE_RULES, weeklyHours: WEEKLY_HOURS_PLANS, phq9Bands: PHQ9_BANDS, gad7Bands: GAD7_BANDS };
  }

  @Post('referrals/:referralId/assessment')
  @HttpCode(201)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({ summary: 'Record the assessment: six ASAM dimensions 0-4, PHQ-9, GAD-7; returns the recommended level of care' })
  @ApiBodyFrom(RecordAssessmentBody)
  @Returns(AssessmentView, { status: 201, description: 'The assessment with its scores, the recommended level of care and the decision' })
  record(@UuidParam('referralId') referralId: string, @ValidBody(RecordAssessmentBody) body: RecordAssessmentBody) {
    return this.recordAssessment.execute(referralId, body);
  }

  @Post('referrals/:referralId/assessment/override')
  @HttpCode(200)
  @Access({ roles: CLINICIANS })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({ summary: 'A clinician overrides the recommended level of care, with a reason (audited as an override)' })
  @ApiBodyFrom(OverrideLevelBody)
  @Returns(AssessmentView, { status: 200, description: 'The assessment with the overriding decision' })
  override(@UuidParam('referralId') referralId: string, @ValidBody(OverrideLevelBody) body: OverrideLevelBody) {
    return this.overrideLevel.execute(referralId, body);
  }
}
