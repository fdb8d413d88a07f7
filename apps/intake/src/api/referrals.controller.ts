import { Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '@iop/auth';
import { ApiBodyFrom, ApiUuidParam, Returns, UuidParam, ValidBody, ValidQuery } from '@iop/platform';
import { AdvanceReferral } from '../application/advance-referral.use-case';
import { CorrectPatient } from '../application/correct-patient.use-case';
import { CreateReferral } from '../application/create-referral.use-case';
import { ReferralQueries } from '../application/referral-queries';
import { INTAKE_STAFF } from './roles';
import {
  BookAssessmentBody,
  CloseReferralBody,
  CorrectPatientBody,
  CreateReferralBody,
  ListReferralsQuery,
  PatientView,
  ContactDetailsView,
  RecordContactBody,
  ReferralCreatedView,
  ReferralDetailView,
  ReferralPage,
  ReferralView,
  type ReferralListFilter,
} from './referral.schemas';

const at = (body: { at?: string | undefined }) => (body.at ? new Date(body.at) : new Date());

@ApiTags('referrals')
@ApiBearerAuth()
@Controller()
export class ReferralsController {
  constructor(
    private readonly createReferral: CreateReferral,
    private readonly advance: AdvanceReferral,
    private readonly queries: ReferralQueries,
    private readonly correctPatient: CorrectPatient,
  ) {}

  @Post('referrals')
  @HttpCode(201)
  @Access({ roles: INTAKE_STAFF, site: { from: 'body', name: 'siteId' } })
  @ApiOperation({ summary: 'Record a referral from any source; a repeat caller is linked to their existing record' })
  @ApiBodyFrom(CreateReferralBody)
  @Returns(ReferralCreatedView, { status: 201, description: 'The referral, and whether the caller was linked to a patient on file' })
  create(@ValidBody(CreateReferralBody) body: CreateReferralBody) {
    return this.createReferral.execute(body);
  }

  @Get('referrals')
  @Access({ roles: INTAKE_STAFF, site: { from: 'query', name: 'siteId' } })
  @ApiOperation({ summary: 'Referrals, newest first, filtered by site, stage, source and age (paged)' })
  @Returns(ReferralPage, { status: 200, description: 'One page of referrals' })
  list(@ValidQuery(ListReferralsQuery) query: ReferralListFilter) {
    return this.queries.list(query);
  }

  @Get('referrals/:referralId')
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({ summary: "A referral with the patient's contact details and every step so far (audited read)" })
  @Returns(ReferralDetailView, { status: 200, description: 'The referral, the patient’s contact details and every step so far' })
  get(@UuidParam('referralId') referralId: string) {
    return this.queries.referral(referralId);
  }

  @Post('referrals/:referralId/contact')
  @HttpCode(200)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({ summary: 'Record first contact with the person referred' })
  @ApiBodyFrom(RecordContactBody)
  @Returns(ReferralView, { status: 200, description: 'The referral after the step' })
  contact(@UuidParam('referralId') referralId: string, @ValidBody(RecordContactBody) body: RecordContactBody) {
    return this.advance.execute(referralId, { type: 'record-contact', at: at(body) });
  }

  @Post('referrals/:referralId/assessment-booking')
  @HttpCode(200)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({ summary: 'Book (or move) the initial assessment' })
  @ApiBodyFrom(BookAssessmentBody)
  @Returns(ReferralView, { status: 200, description: 'The referral after the step' })
  book(@UuidParam('referralId') referralId: string, @ValidBody(BookAssessmentBody) body: BookAssessmentBody) {
    return this.advance.execute(referralId, { type: 'book-assessment', at: at(body), appointmentAt: new Date(body.appointmentAt) });
  }

  @Post('referrals/:referralId/closure')
  @HttpCode(200)
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('referralId', 'The referral id')
  @ApiOperation({ summary: 'Close a referral (referred elsewhere, declined, unreachable, other with a note)' })
  @ApiBodyFrom(CloseReferralBody)
  @Returns(ReferralView, { status: 200, description: 'The closed referral' })
  close(@UuidParam('referralId') referralId: string, @ValidBody(CloseReferralBody) body: CloseReferralBody) {
    const reason = body.reason.kind === 'referred-elsewhere' && body.reason.to === undefined ? { kind: 'referred-elsewhere' as const } : body.reason;
    return this.advance.execute(referralId, { type: 'close', at: at(body), reason });
  }

  @Get('patients/:patientId')
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('patientId', 'The patient id')
  @ApiOperation({ summary: "A patient's contact details and referrals (audited read)" })
  @Returns(PatientView, { status: 200, description: 'The patient’s contact details and referrals' })
  patient(@UuidParam('patientId') patientId: string) {
    return this.queries.patient(patientId);
  }

  @Patch('patients/:patientId')
  @Access({ roles: INTAKE_STAFF })
  @ApiUuidParam('patientId', 'The patient id')
  @ApiOperation({ summary: "Correct a patient's name, date of birth or phone (audited; the fields changed are recorded, not their values)" })
  @ApiBodyFrom(CorrectPatientBody)
  @Returns(ContactDetailsView, { status: 200, description: 'The patient’s contact details as corrected' })
  correct(@UuidParam('patientId') patientId: string, @ValidBody(CorrectPatientBody) body: CorrectPatientBody) {
    return this.correctPatient.execute(patientId, body);
  }
}
