import type { EntityManager } from 'typeorm';
import type { X12Warning } from '../domain/eligibility';
import type { CoordinatorTask, CoordinatorTaskKind, EligibilityOutcome, ProgramType } from './eligibility-outcome';

export type VerificationStatus = 'queued' | 'in-progress' | 'verified' | 'rejected' | 'failed' | 'awaiting-phone';

export interface Verification {
  readonly verificationId: string;
  readonly siteId: string;
  readonly patientId: string;
  readonly coverageId: string | null;
  readonly payerId: string | null;
  readonly serviceDate: string;
  readonly programType: ProgramType;
  /** The saga request this answers, when intake asked. */
  readonly requestId: string | null;
  readonly status: VerificationStatus;
  readonly method: 'electronic' | 'phone' | null;
  readonly fromCache: boolean;
  readonly reason: string | null;
  readonly outcome: EligibilityOutcome | null;
  /** The coordinator's benefit summary for the patient (PHI). */
  readonly benefits: unknown;
  readonly requestedBy: string;
  /** How many 270s have been recorded for it (a stuck request is claimed again, up to a cap). */
  readonly attempts?: number;
  /** Deviations from the X12 rules in the payer's 271 that were read past (none when it was clean). */
  readonly warnings?: readonly X12Warning[];
}

interface Row {
  verification_id: string;
  site_id: string;
  patient_id: string;
  coverage_id: string | null;
  payer_id: string | null;
  service_date: string;
  program_type: ProgramType;
  request_id: string | null;
  status: VerificationStatus;
  method: 'electronic' | 'phone' | null;
  from_cache: boolean;
  reason: string | null;
  outcome: EligibilityOutcome | null;
  benefits: unknown;
  requested_by: string;
  attempts: number;
  warnings: X12Warning[];
}

const toVerification = (r: Row): Verification => ({
  verificationId: r.verification_id,
  siteId: r.site_id,
  patientId: r.patient_id,
  coverageId: r.coverage_id,
  payerId: r.payer_id,
  serviceDate: r.service_date,
  programType: r.program_type,
  requestId: r.request_id,
  status: r.status,
  method: r.method,
  fromCache: r.from_cache,
  reason: r.reason,
  outcome: r.outcome,
  benefits: r.benefits,
  requestedBy: r.requested_by,
  attempts: r.attempts,
  warnings: r.warnings,
});

const COLUMNS = `verification_id, site_id, patient_id, coverage_id, payer_id, service_date::text AS service_date, program_type, request_id,
  status, method, from_cache, reason, outcome, benefits, requested_by, attempts, warnings`;

export const verificationRepository = {
  async save(manager: EntityManager, v: Verification): Promise<void> {
    const done = v.status === 'verified' || v.status === 'rejected' || v.status === 'failed';
    await manager.query(
      `INSERT INTO insurance.verifications (verification_id, site_id, patient_id, coverage_id, payer_id, service_date, program_type, request_id,
         status, method, from_cache, reason, outcome, benefits, requested_by, completed_at, warnings)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, CASE WHEN $16 THEN now() END, $17)
       ON CONFLICT (verification_id) DO UPDATE SET coverage_id = EXCLUDED.coverage_id, payer_id = EXCLUDED.payer_id, status = EXCLUDED.status,
         method = EXCLUDED.method, from_cache = EXCLUDED.from_cache, reason = EXCLUDED.reason, outcome = EXCLUDED.outcome,
         benefits = EXCLUDED.benefits, completed_at = EXCLUDED.completed_at, warnings = EXCLUDED.warnings`,
      [
        v.verificationId,
        v.siteId,
        v.patientId,
        v.coverageId,
        v.payerId,
        v.serviceDate,
        v.programType,
        v.requestId,
        v.status,
        v.method,
        v.fromCache,
        v.reason,
        v.outcome ? JSON.stringify(v.outcome) : null,
        v.benefits === undefined || v.benefits === null ? null : JSON.stringify(v.benefits),
        v.requestedBy,
        done,
        JSON.stringify(v.warnings ?? []),
      ],
    );
  },
  async find(manager: EntityManager, siteId: string, verificationId: string, lock = false): Promise<Verification | null> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM insurance.verifications WHERE verification_id = $1 AND site_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      [verificationId, siteId],
    )) as Row[];
    return rows[0] ? toVerification(rows[0]) : null;
  },
  /**
   * Claims the oldest queued request, if any; run network-wide by the worker. A claim older than `staleAfter`
   * (its worker died between claiming and answering) is taken again: leaving intake without an answer is not an
   * option, but each 270 counts as an attempt, and past the cap the verification goes to a person (see VerifyCoverage).
   */
  async claimQueued(manager: EntityManager, staleAfterSeconds = 120): Promise<Verification | null> {
    const rows = (await manager.query(
      `UPDATE insurance.verifications SET status = 'in-progress', claimed_at = now()
        WHERE verification_id = (
          SELECT verification_id FROM insurance.verifications
           WHERE (status = 'queued' AND (not_before IS NULL OR not_before <= now()))
              OR (status = 'in-progress' AND claimed_at < now() - make_interval(secs => $1))
           ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING ${COLUMNS}`,
      [staleAfterSeconds],
    )) as [Row[], number];
    const row = rows[0]?.[0];
    return row ? toVerification(row) : null;
  },
  /**
   * Puts a claimed saga request back in the queue for `retryInSeconds` when the consent it names has not reached
   * insurance's read model yet and the request is younger than `waitSeconds`. Returns whether it did.
   */
  async deferForConsent(manager: EntityManager, verificationId: string, waitSeconds: number, retryInSeconds: number): Promise<boolean> {
    const rows = (await manager.query(
      `UPDATE insurance.verifications v SET status = 'queued', claimed_at = NULL, not_before = now() + make_interval(secs => $3)
        WHERE v.verification_id = $1 AND v.consent_id IS NOT NULL AND v.created_at > now() - make_interval(secs => $2)
          AND NOT EXISTS (SELECT 1 FROM insurance.consents c WHERE c.consent_id = v.consent_id)
        RETURNING verification_id`,
      [verificationId, waitSeconds, retryInSeconds],
    )) as [unknown[], number];
    return rows[0].length > 0;
  },
  /** One more 270 is about to leave for this verification. */
  async countAttempt(manager: EntityManager, verificationId: string): Promise<void> {
    await manager.query(`UPDATE insurance.verifications SET attempts = attempts + 1 WHERE verification_id = $1`, [verificationId]);
  },
  /** The 270s sent and 271s received for a verification, oldest first (the raw X12 beside the summary). */
  async exchanges(manager: EntityManager, siteId: string, verificationId: string): Promise<EligibilityExchange[]> {
    const rows = (await manager.query(
      `SELECT direction, at, body, warnings FROM insurance.eligibility_exchanges WHERE verification_id = $1 AND site_id = $2 ORDER BY exchange_id`,
      [verificationId, siteId],
    )) as Array<{ direction: '270' | '271'; at: Date; body: string; warnings: X12Warning[] }>;
    return rows.map((r) => ({ direction: r.direction, at: r.at.toISOString(), body: r.body, warnings: r.warnings }));
  },
  /** Keeps a 270 sent or a 271 received, with the deviations the reader found in it (the audit of the exchange). */
  async recordExchange(manager: EntityManager, v: Verification, direction: '270' | '271', body: string, warnings: readonly X12Warning[] = []): Promise<void> {
    await manager.query(
      `INSERT INTO insurance.eligibility_exchanges (verification_id, site_id, patient_id, payer_id, direction, body, warnings) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [v.verificationId, v.siteId, v.patientId, v.payerId ?? 'unknown', direction, body, JSON.stringify(warnings)],
    );
  },
};

export interface EligibilityExchange {
  readonly direction: '270' | '271';
  readonly at: string;
  readonly body: string;
  readonly warnings: readonly X12Warning[];
}

export interface PhoneTask {
  readonly taskId: string;
  readonly verificationId: string;
  readonly siteId: string;
  readonly patientId: string;
  readonly payerId: string;
  readonly reason: string;
  /** What kind of work it is: call the payer later, correct the member's details, have the clinic enrolled, … */
  readonly kind: CoordinatorTaskKind;
  /** What the coordinator is asked to do, in words (from the payer's rejection when there was one). */
  readonly action: string | null;
  readonly status: 'open' | 'completed';
  readonly answer: unknown;
}

export const phoneTaskRepository = {
  async open(manager: EntityManager, v: Verification, reason: string, task?: CoordinatorTask): Promise<string> {
    const taskId = crypto.randomUUID();
    await manager.query(
      `INSERT INTO insurance.phone_tasks (task_id, verification_id, site_id, patient_id, payer_id, reason, status, kind, action)
       VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8)
       ON CONFLICT (verification_id) DO NOTHING`,
      [taskId, v.verificationId, v.siteId, v.patientId, v.payerId ?? 'unknown', reason, task?.kind ?? 'verify-by-phone', task?.action ?? null],
    );
    return taskId;
  },
  async list(manager: EntityManager, siteId: string, status: 'open' | 'completed'): Promise<PhoneTask[]> {
    const rows = (await manager.query(
      `SELECT task_id AS "taskId", verification_id AS "verificationId", site_id AS "siteId", patient_id AS "patientId", payer_id AS "payerId",
              reason, kind, action, status, answer
         FROM insurance.phone_tasks WHERE site_id = $1 AND status = $2 ORDER BY created_at`,
      [siteId, status],
    )) as PhoneTask[];
    return rows;
  },
  async find(manager: EntityManager, siteId: string, taskId: string): Promise<PhoneTask | null> {
    const rows = (await manager.query(
      `SELECT task_id AS "taskId", verification_id AS "verificationId", site_id AS "siteId", patient_id AS "patientId", payer_id AS "payerId",
              reason, kind, action, status, answer
         FROM insurance.phone_tasks WHERE site_id = $1 AND task_id = $2 FOR UPDATE`,
      [siteId, taskId],
    )) as PhoneTask[];
    return rows[0] ?? null;
  },
  async complete(manager: EntityManager, taskId: string, answer: unknown, by: string): Promise<void> {
    await manager.query(`UPDATE insurance.phone_tasks SET status = 'completed', answer = $2, completed_by = $3, completed_at = now() WHERE task_id = $1`, [
      taskId,
      JSON.stringify(answer),
      by,
    ]);
  },
};
