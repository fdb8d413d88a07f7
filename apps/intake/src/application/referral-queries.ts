import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditTrail } from '@iop/auth';
import { UnitOfWork } from '@iop/platform';
import type { ReferralListFilter } from '../api/referral.schemas';
import { patientRepository, type Patient } from '../infrastructure/patient.repository';
import { referralRepository, toStoredReferral } from '../infrastructure/referral.repository';
import { auditPatient } from './audit';
import { patientNotFound, referralNotFound } from './intake-errors';
import { referralSummary, type ReferralSummary } from './referral-views';

/** A patient's contact details as coordinators see them. */
export function contactDetails(patient: Patient) {
  return {
    patientId: patient.patientId,
    siteId: patient.siteId,
    givenName: patient.givenName,
    familyName: patient.familyName,
    dateOfBirth: patient.dateOfBirth ?? null,
    phone: patient.phone ?? null,
  };
}

/** What a coordinator reads. Every read of a patient's record writes an audit row in the same transaction. */
@Injectable()
export class ReferralQueries {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  referral(referralId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const stored = await referralRepository.find(manager, referralId);
      if (!stored) throw referralNotFound(referralId);
      const patient = await patientRepository.find(manager, stored.patientId);
      if (!patient) throw patientNotFound(stored.patientId);
      await auditPatient(this.audit, manager, { principal, requestId }, 'read', `referral:${referralId}`, patient);
      return {
        ...referralSummary(stored),
        sourceDetail: stored.referral.sourceDetail ?? null,
        concernNotes: stored.concernNotes ?? null,
        repeatCaller: stored.repeatCaller ?? null,
        patient: contactDetails(patient),
        ...(await this.progress(manager, referralId)),
      };
    });
  }

  patient(patientId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const patient = await patientRepository.find(manager, patientId);
      if (!patient) throw patientNotFound(patientId);
      await auditPatient(this.audit, manager, { principal, requestId }, 'read', `patient:${patientId}`, patient);
      const referrals = await referralRepository.forPatient(manager, patientId);
      return { ...contactDetails(patient), referrals: referrals.map(referralSummary) };
    });
  }

  list(query: ReferralListFilter) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (query.siteId) add('r.site_id = ?', query.siteId);
      if (query.stage) add('r.stage = ?', query.stage);
      if (query.source) add('r.source = ?', query.source);
      if (query.minAgeDays !== undefined) add(`r.received_at <= now() - make_interval(days => ?)`, query.minAgeDays);
      if (query.maxAgeDays !== undefined) add(`r.received_at >= now() - make_interval(days => ?)`, query.maxAgeDays);
      const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
      const [{ total }] = (await manager.query(`SELECT count(*)::int AS total FROM referrals r ${filter}`, params)) as [{ total: number }];
      const rows: Array<Parameters<typeof toStoredReferral>[0] & { given_name: string; family_name: string }> = await manager.query(
        `SELECT r.*, p.given_name, p.family_name FROM referrals r JOIN patients p USING (patient_id) ${filter}
          ORDER BY r.received_at DESC, r.referral_id LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`,
        params,
      );
      const items: Array<ReferralSummary & { givenName: string; familyName: string; ageDays: number }> = [];
      for (const row of rows) {
        const stored = toStoredReferral(row);
        await auditPatient(this.audit, manager, { principal, requestId }, 'list', 'referrals', { patientId: stored.patientId, siteId: stored.referral.siteId });
        items.push({
          ...referralSummary(stored),
          givenName: row.given_name,
          familyName: row.family_name,
          ageDays: Math.floor((Date.now() - stored.referral.receivedAt.getTime()) / 86_400_000),
        });
      }
      return { items, page: query.page, pageSize: query.pageSize, total };
    });
  }

  /** The steps after the referral itself, as far as they have happened. */
  private async progress(manager: EntityManager, referralId: string) {
    const [preScreen] = (await manager.query(
      `SELECT pre_screen_id AS "preScreenId", outcome, recorded_at AS "recordedAt" FROM pre_screens WHERE referral_id = $1 ORDER BY recorded_at DESC LIMIT 1`,
      [referralId],
    )) as Array<Record<string, unknown>>;
    const [assessment] = (await manager.query(
      `SELECT assessment_id AS "assessmentId", ratings, phq9, gad7, recommendation, decision, assessed_at AS "assessedAt"
         FROM assessments WHERE referral_id = $1`,
      [referralId],
    )) as Array<Record<string, unknown>>;
    const admissionRequests = (await manager.query(
      `SELECT request_id AS "requestId", payment, payer_id AS "payerId", planned_start::text AS "plannedStart", status,
              answer_by AS "answerBy", outcome, created_at AS "createdAt"
         FROM admission_requests WHERE referral_id = $1 ORDER BY created_at`,
      [referralId],
    )) as Array<Record<string, unknown>>;
    const [episode] = (await manager.query(
      `SELECT episode_id AS "episodeId", level_of_care AS "levelOfCare", program_type AS "programType",
              planned_weekly_hours::float AS "plannedWeeklyHours", planned_start::text AS "plannedStart", status, admitted_at AS "admittedAt"
         FROM episodes WHERE referral_id = $1`,
      [referralId],
    )) as Array<Record<string, unknown>>;
    return { preScreen: preScreen ?? null, assessment: assessment ?? null, admissionRequests, episode: episode ?? null };
  }
}
