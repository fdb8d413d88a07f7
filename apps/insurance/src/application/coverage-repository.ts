import type { EntityManager } from 'typeorm';

export type Relationship = 'self' | 'spouse' | 'child' | 'other-adult';
export type Gender = 'F' | 'M' | 'U';

export interface Person {
  readonly firstName: string;
  readonly lastName: string;
  readonly birthDate: string;
  readonly gender?: Gender;
}

/** A patient's plan as the coordinator copied it from the card. PHI: never leaves the service. */
export interface Coverage {
  readonly coverageId: string;
  readonly siteId: string;
  readonly patientId: string;
  readonly payerId: string;
  readonly priority: 'primary' | 'secondary';
  readonly memberId: string;
  readonly groupNumber: string | null;
  readonly relationship: Relationship;
  readonly subscriber: Person;
  /** The patient, when they are the subscriber's dependent. */
  readonly patient: Person | null;
  readonly planBegin: string | null;
  readonly planEnd: string | null;
}

interface CoverageRow {
  coverage_id: string;
  site_id: string;
  patient_id: string;
  payer_id: string;
  priority: 'primary' | 'secondary';
  member_id: string;
  group_number: string | null;
  relationship: Relationship;
  subscriber: Person;
  patient: Person | null;
  plan_begin: string | null;
  plan_end: string | null;
}

const toCoverage = (r: CoverageRow): Coverage => ({
  coverageId: r.coverage_id,
  siteId: r.site_id,
  patientId: r.patient_id,
  payerId: r.payer_id,
  priority: r.priority,
  memberId: r.member_id,
  groupNumber: r.group_number,
  relationship: r.relationship,
  subscriber: r.subscriber,
  patient: r.patient,
  planBegin: r.plan_begin,
  planEnd: r.plan_end,
});

// Dates come back as text so that a plan date never shifts with the server's time zone.
const COLUMNS = `coverage_id, site_id, patient_id, payer_id, priority, member_id, group_number, relationship, subscriber, patient,
  plan_begin::text AS plan_begin, plan_end::text AS plan_end`;

/** Coverages as the caller's transaction sees them (row-level security applies). */
export const coverageRepository = {
  async insert(manager: EntityManager, c: Coverage): Promise<void> {
    await manager.query(
      `INSERT INTO insurance.coverages (coverage_id, site_id, patient_id, payer_id, priority, member_id, group_number, relationship, subscriber, patient, plan_begin, plan_end)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        c.coverageId,
        c.siteId,
        c.patientId,
        c.payerId,
        c.priority,
        c.memberId,
        c.groupNumber,
        c.relationship,
        JSON.stringify(c.subscriber),
        c.patient ? JSON.stringify(c.patient) : null,
        c.planBegin,
        c.planEnd,
      ],
    );
  },
  async find(manager: EntityManager, siteId: string, coverageId: string): Promise<Coverage | null> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM insurance.coverages WHERE coverage_id = $1 AND site_id = $2`, [
      coverageId,
      siteId,
    ])) as CoverageRow[];
    return rows[0] ? toCoverage(rows[0]) : null;
  },
  async forPatient(manager: EntityManager, siteId: string, patientId: string): Promise<Coverage[]> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM insurance.coverages WHERE site_id = $1 AND patient_id = $2 ORDER BY priority`, [
      siteId,
      patientId,
    ])) as CoverageRow[];
    return rows.map(toCoverage);
  },
  /** The primary coverage in force on the service date (or with no dates entered), else the secondary. */
  async inForce(manager: EntityManager, siteId: string, patientId: string, serviceDate: string): Promise<Coverage | null> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM insurance.coverages
        WHERE site_id = $1 AND patient_id = $2
          AND (plan_begin IS NULL OR plan_begin <= $3::date) AND (plan_end IS NULL OR plan_end >= $3::date)
        ORDER BY priority LIMIT 1`,
      [siteId, patientId, serviceDate],
    )) as CoverageRow[];
    return rows[0] ? toCoverage(rows[0]) : null;
  },
};
