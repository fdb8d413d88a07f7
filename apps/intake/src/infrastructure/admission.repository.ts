import type { EntityManager } from 'typeorm';
import type { ReferralSource, Urgency, WaitlistEntry, WaitlistOffer } from '../domain';

export type AdmissionRequestStatus =
  'awaiting-coverage' | 'timed-out' | 'coverage-rejected' | 'verification-failed' | 'self-pay' | 'admitted' | 'waitlisted' | 'cancelled' | 'superseded';

export interface AdmissionRequest {
  readonly requestId: string;
  readonly referralId: string;
  readonly patientId: string;
  readonly siteId: string;
  readonly payment: 'insurance' | 'self-pay';
  readonly payerId: string | null;
  readonly plannedStart: string;
  readonly status: AdmissionRequestStatus;
  readonly answerBy: Date | null;
}

interface RequestRow {
  request_id: string;
  referral_id: string;
  patient_id: string;
  site_id: string;
  payment: 'insurance' | 'self-pay';
  payer_id: string | null;
  planned_start: string;
  status: AdmissionRequestStatus;
  answer_by: Date | null;
}

const toRequest = (r: RequestRow): AdmissionRequest => ({
  requestId: r.request_id,
  referralId: r.referral_id,
  patientId: r.patient_id,
  siteId: r.site_id,
  payment: r.payment,
  payerId: r.payer_id,
  plannedStart: r.planned_start,
  status: r.status,
  answerBy: r.answer_by,
});

const REQUEST_COLUMNS = `request_id, referral_id, patient_id, site_id, payment, payer_id, planned_start::text AS planned_start, status, answer_by`;

export const admissionRequestRepository = {
  async find(manager: EntityManager, requestId: string, lock = false): Promise<AdmissionRequest | null> {
    const rows: RequestRow[] = await manager.query(`SELECT ${REQUEST_COLUMNS} FROM admission_requests WHERE request_id = $1${lock ? ' FOR UPDATE' : ''}`, [
      requestId,
    ]);
    return rows[0] ? toRequest(rows[0]) : null;
  },

  /** The request still waiting for insurance's answer (at most one: a partial unique index). */
  async openFor(manager: EntityManager, referralId: string, lock = false): Promise<AdmissionRequest | null> {
    const rows: RequestRow[] = await manager.query(
      `SELECT ${REQUEST_COLUMNS} FROM admission_requests WHERE referral_id = $1 AND status IN ('awaiting-coverage', 'timed-out')${lock ? ' FOR UPDATE' : ''}`,
      [referralId],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  },

  async insert(manager: EntityManager, r: AdmissionRequest, requestedBy: string): Promise<void> {
    await manager.query(
      `INSERT INTO admission_requests (request_id, referral_id, patient_id, site_id, payment, payer_id, planned_start, status, answer_by, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [r.requestId, r.referralId, r.patientId, r.siteId, r.payment, r.payerId, r.plannedStart, r.status, r.answerBy, requestedBy],
    );
  },

  async settle(manager: EntityManager, requestId: string, status: AdmissionRequestStatus, outcome: Record<string, unknown>): Promise<void> {
    await manager.query(`UPDATE admission_requests SET status = $2, outcome = $3, updated_at = now() WHERE request_id = $1`, [
      requestId,
      status,
      JSON.stringify(outcome),
    ]);
  },

  /** Requests insurance has not answered in time, claimed so that two sweeping instances never take the same one. */
  async claimOverdue(manager: EntityManager, limit: number): Promise<AdmissionRequest[]> {
    const rows: RequestRow[] = await manager.query(
      `WITH due AS (
         SELECT request_id FROM admission_requests WHERE status = 'awaiting-coverage' AND answer_by <= now()
          ORDER BY answer_by LIMIT $1 FOR UPDATE SKIP LOCKED)
       , claimed AS (
         UPDATE admission_requests a SET status = 'timed-out', updated_at = now() FROM due WHERE a.request_id = due.request_id
         RETURNING a.request_id, a.referral_id, a.patient_id, a.site_id, a.payment, a.payer_id, a.planned_start::text AS planned_start, a.status, a.answer_by)
       SELECT * FROM claimed`,
      [limit],
    );
    return rows.map(toRequest);
  },
};

export interface Episode {
  readonly episodeId: string;
  readonly referralId: string;
  readonly patientId: string;
  readonly siteId: string;
  readonly programType: string;
  readonly levelOfCare: string;
  readonly plannedWeeklyHours: number;
  readonly plannedStart: string;
  readonly payment: 'insurance' | 'self-pay';
  readonly status: 'active' | 'ended';
  readonly admittedAt: Date;
}

export const episodeRepository = {
  async insert(manager: EntityManager, e: Episode, admittedBy: string): Promise<void> {
    await manager.query(
      `INSERT INTO episodes (episode_id, referral_id, patient_id, site_id, program_type, level_of_care, planned_weekly_hours, planned_start, payment, status, admitted_at, admitted_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        e.episodeId,
        e.referralId,
        e.patientId,
        e.siteId,
        e.programType,
        e.levelOfCare,
        e.plannedWeeklyHours,
        e.plannedStart,
        e.payment,
        e.status,
        e.admittedAt,
        admittedBy,
      ],
    );
  },

  async find(manager: EntityManager, episodeId: string, lock = false): Promise<Episode | null> {
    const rows: Episode[] = await manager.query(
      `SELECT episode_id AS "episodeId", referral_id AS "referralId", patient_id AS "patientId", site_id AS "siteId", program_type AS "programType",
              level_of_care AS "levelOfCare", planned_weekly_hours::float AS "plannedWeeklyHours", planned_start::text AS "plannedStart",
              payment, status, admitted_at AS "admittedAt"
         FROM episodes WHERE episode_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [episodeId],
    );
    return rows[0] ?? null;
  },

  /** Ends the episode by aftercare's discharge, keeping which discharge and its site-local date. */
  async discharge(manager: EntityManager, episodeId: string, d: { at: Date; dischargeId: string; dischargedOn: string; type: string }): Promise<void> {
    await manager.query(
      `UPDATE episodes SET status = 'ended', ended_at = $2, discharge_id = $3, discharged_on = $4, discharge_type = $5 WHERE episode_id = $1`,
      [episodeId, d.at, d.dischargeId, d.dischargedOn, d.type],
    );
  },
};

export interface StoredWaitlistEntry extends WaitlistEntry {
  readonly referralId: string;
  readonly siteId: string;
  /** When a pending offer lapses and passes to the next person. */
  readonly offerExpiresAt?: Date | null;
}

interface WaitlistRow {
  entry_id: string;
  referral_id: string;
  patient_id: string;
  site_id: string;
  urgency: Urgency;
  referral_source: ReferralSource;
  added_at: Date;
  offer_status: 'pending' | 'declined' | 'expired' | null;
  offered_at: Date | null;
  place_freed_at: Date | null;
  offer_expires_at: Date | null;
  declined_at: Date | null;
  expired_at: Date | null;
}

function toOffer(r: WaitlistRow): WaitlistOffer | undefined {
  if (!r.offered_at) return undefined;
  const placed = { offeredAt: r.offered_at, placeFreedAt: r.place_freed_at ?? r.offered_at };
  if (r.offer_status === 'pending') return { status: 'pending', ...placed };
  if (r.offer_status === 'declined' && r.declined_at) return { status: 'declined', ...placed, declinedAt: r.declined_at };
  if (r.offer_status === 'expired' && r.expired_at) return { status: 'expired', ...placed, expiredAt: r.expired_at };
  return undefined;
}

function toEntry(r: WaitlistRow): StoredWaitlistEntry {
  const offer = toOffer(r);
  return {
    entryId: r.entry_id,
    referralId: r.referral_id,
    patientId: r.patient_id,
    siteId: r.site_id,
    urgency: r.urgency,
    referralSource: r.referral_source,
    addedAt: r.added_at,
    offerExpiresAt: r.offer_status === 'pending' ? r.offer_expires_at : null,
    ...(offer ? { offer } : {}),
  };
}

export const waitlistRepository = {
  async open(manager: EntityManager, siteId: string): Promise<StoredWaitlistEntry[]> {
    const rows: WaitlistRow[] = await manager.query(`SELECT * FROM waitlist_entries WHERE site_id = $1 AND removed_at IS NULL`, [siteId]);
    return rows.map(toEntry);
  },

  async openFor(manager: EntityManager, referralId: string): Promise<StoredWaitlistEntry | null> {
    const rows: WaitlistRow[] = await manager.query(`SELECT * FROM waitlist_entries WHERE referral_id = $1 AND removed_at IS NULL`, [referralId]);
    return rows[0] ? toEntry(rows[0]) : null;
  },

  async find(manager: EntityManager, entryId: string): Promise<StoredWaitlistEntry | null> {
    const rows: WaitlistRow[] = await manager.query(`SELECT * FROM waitlist_entries WHERE entry_id = $1 AND removed_at IS NULL`, [entryId]);
    return rows[0] ? toEntry(rows[0]) : null;
  },

  async add(manager: EntityManager, entry: StoredWaitlistEntry): Promise<void> {
    await manager.query(
      `INSERT INTO waitlist_entries (entry_id, referral_id, patient_id, site_id, urgency, referral_source, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [entry.entryId, entry.referralId, entry.patientId, entry.siteId, entry.urgency, entry.referralSource, entry.addedAt],
    );
  },

  async remove(manager: EntityManager, entryId: string, reason: string): Promise<void> {
    await manager.query(`UPDATE waitlist_entries SET removed_at = now(), removed_reason = $2 WHERE entry_id = $1`, [entryId, reason]);
  },

  /** Holds a place for this person until `expiresAt`; `placeFreedAt` says which place (see nextWaitlistOffer). */
  async offer(manager: EntityManager, entryId: string, offer: { at: Date; placeFreedAt: Date; expiresAt: Date }): Promise<void> {
    await manager.query(
      `UPDATE waitlist_entries SET offer_status = 'pending', offered_at = $2, place_freed_at = $3, offer_expires_at = $4, declined_at = NULL, expired_at = NULL
        WHERE entry_id = $1`,
      [entryId, offer.at, offer.placeFreedAt, offer.expiresAt],
    );
  },

  async decline(manager: EntityManager, entryId: string, at: Date): Promise<void> {
    await manager.query(`UPDATE waitlist_entries SET offer_status = 'declined', declined_at = $2, offer_expires_at = NULL WHERE entry_id = $1`, [entryId, at]);
  },

  async expire(manager: EntityManager, entryId: string, at: Date): Promise<void> {
    await manager.query(`UPDATE waitlist_entries SET offer_status = 'expired', expired_at = $2, offer_expires_at = NULL WHERE entry_id = $1`, [entryId, at]);
  },

  /** Sites with offers past their time; the sweep then takes each site's lock and looks again. */
  async sitesWithLapsedOffers(manager: EntityManager, now: Date): Promise<string[]> {
    const rows: Array<{ site_id: string }> = await manager.query(
      `SELECT DISTINCT site_id FROM waitlist_entries WHERE offer_status = 'pending' AND removed_at IS NULL AND offer_expires_at <= $1 LIMIT 100`,
      [now],
    );
    return rows.map((r) => r.site_id);
  },

  async lapsedOffers(manager: EntityManager, siteId: string, now: Date): Promise<StoredWaitlistEntry[]> {
    const rows: WaitlistRow[] = await manager.query(
      `SELECT * FROM waitlist_entries WHERE site_id = $1 AND offer_status = 'pending' AND removed_at IS NULL AND offer_expires_at <= $2 ORDER BY offer_expires_at`,
      [siteId, now],
    );
    return rows.map(toEntry);
  },
};

export interface FollowUpTask {
  readonly taskId: string;
  readonly siteId: string;
  readonly referralId: string;
  readonly patientId: string;
  readonly kind:
    'coverage-timeout' | 'coverage-rejected' | 'coverage-verification-failed' | 'site-full' | 'offer-place' | 'transfer-referral' | 'readmission-referral';
  readonly detail: string;
}

export const followUpTaskRepository = {
  async add(manager: EntityManager, task: Omit<FollowUpTask, 'taskId'>): Promise<string> {
    const taskId = crypto.randomUUID();
    await manager.query(`INSERT INTO follow_up_tasks (task_id, site_id, referral_id, patient_id, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)`, [
      taskId,
      task.siteId,
      task.referralId,
      task.patientId,
      task.kind,
      task.detail,
    ]);
    return taskId;
  },

  /** Closes open tasks a later event made moot (e.g. insurance answered after the deadline). */
  async completeOpen(manager: EntityManager, referralId: string, kind: FollowUpTask['kind'], by: string): Promise<void> {
    await manager.query(`UPDATE follow_up_tasks SET completed_at = now(), completed_by = $3 WHERE referral_id = $1 AND kind = $2 AND completed_at IS NULL`, [
      referralId,
      kind,
      by,
    ]);
  },
};
