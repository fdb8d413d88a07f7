import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody } from '@iop/platform';
import { RecordPreScreen } from '../application/record-pre-screen.use-case';
import { PRE_SCREEN_QUESTIONS } from '../domain';
import { INTAKE_STAFF } from './roles';
import { PreScreenQuestionList, PreScreenRecordedView, RecordPreScreenBody } from './pre-screen.schemas';

@ApiTags('pre-screen')
@ApiBearerAuth()
@Controller()
export class PreScreenController {
  constructor(private readonly recordPreScreen: RecordPreScreen) {}

  @Get('pre-screen/questions')
  @Access({ roles: INTAKE_STAFF })
  @ApiOperation({ summary: 'The pre-screen questions (withdrawal, 24-hour supervision, C-SSRS-style safety screen)' })
  @Returns(PreScreenQuestionList, { status: 200, description: 'The questions, in the order asked' })
  questions() {
    return PRE_SCREEN_QUESTIONS;
  }

  @Post('referrals/:referralId/pre-screen')
  @HttpCode(201)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({ summary: 'Record the first-call pre-screen; a positive safety screen raises an urgent safety event at once' })
  @ApiBodyFrom(RecordPreScreenBody)
  @Returns(PreScreenRecordedView, { status: 201, description: 'The scored pre-screen: routing, reasons and the safety screen' })
  record(@UuidParam('referralId') referralId: string, @ValidBody(RecordPreScreenBody) body: RecordPreScreenBody) {
    return this.recordPreScreen.execute(referralId, body.answers, body.at ? new Date(body.at) : new Date());
  }
}
