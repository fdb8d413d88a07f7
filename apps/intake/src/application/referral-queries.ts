import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { UnitOfWork, decodeKeysetCursor, encodeKeysetCursor } from '@iop/platform';
import type { ReferralListFilter } from '../api/referral.schemas';
import { patientRepository, type Patient } from '../infrastructure/patient.repository';
import { referralRepository, toStoredReferral, type ReferralRow } from '../infrastructure/referral.repository';
import { auditPatient } from './audit';
import { cursorInvalid, patientNotFound, referralNotFound } from './intake-errors';
import { referralSummary } from './referral-views';

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

  /**
   * One round trip: the referral, its patient and its progress, and the audit row of the read, in one statement that
   * is its own transaction (the row is written only if the patient is visible, and commits with the read).
   */
  async referral(referralId: string) {
    const resource = `referral:${referralId}`;
    const {
      rows: [row],
    } = await this.uow.statement<ReferralRow & PatientColumns & ProgressColumns>(
      (caller, params) =>
        `WITH found AS (
           SELECT r.*, p.patient_id AS p_patient_id, p.site_id AS p_site_id, p.given_name AS p_given_name, p.family_name AS p_family_name,
                  p.date_of_birth::text AS p_date_of_birth, p.phone AS p_phone, ${PROGRESS_COLUMNS}
             FROM referrals r LEFT JOIN patients p ON p.patient_id = r.patient_id
            WHERE r.referral_id = ${params.add(referralId, 'uuid')}
         ), seen AS (
           SELECT p_patient_id AS patient_id, p_site_id AS site_id FROM found WHERE p_patient_id IS NOT NULL
         ), audited AS (
           ${this.audit.insertFrom('seen', caller, { action: 'read', resource }, params)}
         )
         SELECT * FROM found`,
    );
    if (!row) throw referralNotFound(referralId);
    if (!row.p_patient_id) throw patientNotFound(row.patient_id);
    const stored = toStoredReferral(row);
    const patient = { patientId: row.p_patient_id, siteId: row.p_site_id!, givenName: row.p_given_name!, familyName: row.p_family_name! };
    this.audit.noted([{ action: 'read', resource, patientId: patient.patientId, siteId: patient.siteId }]);
    return {
      ...referralSummary(stored),
      sourceDetail: stored.referral.sourceDetail ?? null,
      concernNotes: stored.concernNotes ?? null,
      repeatCaller: stored.repeatCaller ?? null,
      patient: { ...patient, dateOfBirth: row.p_date_of_birth ?? null, phone: row.p_phone ?? null },
      ...progressOf(row),
    };
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

  /**
   * Newest first, ties by id, read off an index in that order: a page costs the same whatever the site's history. `cursor`
   * continues after the last item of a page (keyset); `page` still skips by number, which costs what it skips. The
   * total comes from the counts the read model keeps per site, stage and source; no count is kept by age, so with
   * an age bound it is null. One round trip: the page, the total and one 'list' audit row per referral shown are one
   * statement, its own transaction (values are validated by the query schema and inlined as literals).
   */
  async list(query: ReferralListFilter) {
    const pageSize = Math.trunc(query.pageSize);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const aged = query.minAgeDays !== undefined || query.maxAgeDays !== undefined;
    type Row = ReferralRow & { given_name: string; family_name: string; received_key: string; total: number | null };
    const { rows } = await this.uow.statement<Row | { referral_id: null; total: number | null }>((caller, params) => {
      // The text varies only with which filters are present, never with their values (parameters).
      const where: string[] = [];
      const counted: string[] = [];
      for (const [column, value] of [
        ['site_id', query.siteId],
        ['stage', query.stage],
        ['source', query.source],
      ] as const) {
        if (value === undefined) continue;
        const param = params.add(value, column === 'site_id' ? 'uuid' : 'text');
        where.push(`r.${column} = ${param}`);
        counted.push(`${column} = ${param}`);
      }
      if (query.minAgeDays !== undefined) where.push(`r.received_at <= now() - make_interval(days => ${params.add(Math.trunc(query.minAgeDays), 'int')})`);
      if (query.maxAgeDays !== undefined) where.push(`r.received_at >= now() - make_interval(days => ${params.add(Math.trunc(query.maxAgeDays), 'int')})`);
      if (after) where.push(`(r.received_at, r.referral_id) < (${params.add(after.receivedAt, 'timestamptz')}, ${params.add(after.referralId, 'uuid')})`);
      const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
      const total = aged ? 'NULL::int' : `(SELECT coalesce(sum(n), 0)::int FROM referral_counts ${counted.length ? `WHERE ${counted.join(' AND ')}` : ''})`;
      const limit = params.add(pageSize + 1, 'bigint');
      const offset = params.add(after ? 0 : (Math.trunc(query.page) - 1) * pageSize, 'bigint');
      const shownRows = params.add(pageSize, 'bigint');
      // The page is taken from referrals alone (off the index in the list's order), then joined to its patients;
      // one row more than the page says whether there is a next one. A page with no items still answers the total.
      return `WITH page AS (
           SELECT r.*, p.given_name, p.family_name, to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS received_key,
                  row_number() OVER (ORDER BY r.received_at DESC, r.referral_id DESC) AS n
             FROM (SELECT * FROM referrals r ${filter} ORDER BY r.received_at DESC, r.referral_id DESC LIMIT ${limit} OFFSET ${offset}) r
             JOIN patients p USING (patient_id)
         ), shown AS (
           SELECT patient_id, site_id FROM page WHERE n <= ${shownRows}
         ), audited AS (
           ${this.audit.insertFrom('shown', caller, { action: 'list', resource: 'referrals' }, params)}
         )
         SELECT page.*, t.total FROM (SELECT ${total} AS total) t LEFT JOIN page ON true ORDER BY page.n`;
    });
    const found = rows.filter((row): row is Row => row.referral_id !== null);
    const more = found.length > pageSize;
    const shown = more ? found.slice(0, pageSize) : found;
    const items = shown.map((row) => {
      const stored = toStoredReferral(row);
      return {
        ...referralSummary(stored),
        givenName: row.given_name,
        familyName: row.family_name,
        ageDays: Math.floor((Date.now() - stored.referral.receivedAt.getTime()) / 86_400_000),
      };
    });
    this.audit.noted(items.map((item) => ({ action: 'list' as const, resource: 'referrals', patientId: item.patientId, siteId: item.siteId })));
    const last = shown[shown.length - 1];
    return {
      items,
      page: after ? 1 : query.page,
      pageSize: query.pageSize,
      total: rows[0]?.total ?? null,
      nextCursor: more && last ? encodeKeysetCursor(last.received_key, last.referral_id) : null,
    };
  }
}

interface PatientColumns {
  p_patient_id: string | null;
  p_site_id: string | null;
  p_given_name: string | null;
  p_family_name: string | null;
  p_date_of_birth: string | null;
  p_phone: string | null;
}

/** The steps after the referral itself, as far as they have happened, as JSON columns of the referral's own row. */
const PROGRESS_COLUMNS = `
  (SELECT json_build_object('preScreenId', pre_screen_id, 'outcome', outcome, 'recordedAt', recorded_at)
     FROM pre_screens WHERE referral_id = r.referral_id ORDER BY recorded_at DESC LIMIT 1) AS progress_pre_screen,
  (SELECT json_build_object('assessmentId', assessment_id, 'ratings', ratings, 'phq9', phq9, 'gad7', gad7, 'recommendation', recommendation,
                            'decision', decision, 'assessedAt', assessed_at)
     FROM assessments WHERE referral_id = r.referral_id) AS progress_assessment,
  (SELECT coalesce(json_agg(json_build_object('requestId', request_id, 'payment', payment, 'payerId', payer_id, 'plannedStart', planned_start::text,
                                              'status', status, 'answerBy', answer_by, 'outcome', outcome, 'createdAt', created_at) ORDER BY created_at), '[]')
     FROM admission_requests WHERE referral_id = r.referral_id) AS progress_admission_requests,
  (SELECT json_build_object('episodeId', episode_id, 'levelOfCare', level_of_care, 'programType', program_type,
                            'plannedWeeklyHours', planned_weekly_hours::float, 'plannedStart', planned_start::text, 'status', status, 'admittedAt', admitted_at)
     FROM episodes WHERE referral_id = r.referral_id) AS progress_episode`;

type Json = Record<string, unknown>;
interface ProgressColumns {
  progress_pre_screen: Json | null;
  progress_assessment: Json | null;
  progress_admission_requests: Json[];
  progress_episode: Json | null;
}

/** Timestamps inside JSON arrive as Postgres writes them (microseconds, `+00:00`); the API answers them as everywhere else. */
function instants<T extends Json | null>(value: T, ...keys: string[]): T {
  if (!value) return value;
  const out: Json = { ...value };
  for (const key of keys) if (typeof out[key] === 'string') out[key] = new Date(out[key]);
  return out as T;
}

function progressOf(row: ProgressColumns) {
  return {
    preScreen: instants(row.progress_pre_screen, 'recordedAt'),
    assessment: instants(row.progress_assessment, 'assessedAt'),
    admissionRequests: row.progress_admission_requests.map((request) => instants(request, 'answerBy', 'createdAt')),
    episode: instants(row.progress_episode, 'admittedAt'),
  };
}

/** The list's position a cursor holds: the last item's received time (to the microsecond) and id. */
function decodeCursor(cursor: string): { receivedAt: string; referralId: string } {
  const at = decodeKeysetCursor(cursor, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  if (!at) throw cursorInvalid();
  return { receivedAt: at.key, referralId: at.id };
}
