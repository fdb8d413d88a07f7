import type { EntityManager } from 'typeorm';
import { normalisePhone, type KnownCaller } from '../domain';

export interface Patient {
  readonly patientId: string;
  readonly siteId: string;
  readonly givenName: string;
  readonly familyName: string;
  /** ISO calendar date. */
  readonly dateOfBirth?: string;
  readonly phone?: string;
  readonly createdAt: Date;
}

interface PatientRow {
  patient_id: string;
  site_id: string;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  phone: string | null;
  created_at: Date;
}

// Dates of birth leave the database as text: a `date` read into a JS Date shifts with the server's time zone.
const COLUMNS = `patient_id, site_id, given_name, family_name, date_of_birth::text AS date_of_birth, phone, created_at`;

function toPatient(row: PatientRow): Patient {
  return {
    patientId: row.patient_id,
    siteId: row.site_id,
    givenName: row.given_name,
    familyName: row.family_name,
    ...(row.date_of_birth ? { dateOfBirth: row.date_of_birth } : {}),
    ...(row.phone ? { phone: row.phone } : {}),
    createdAt: row.created_at,
  };
}

/** Patients as the caller's transaction sees them (row-level security applies). */
export const patientRepository = {
  async find(manager: EntityManager, patientId: string): Promise<Patient | null> {
    const rows: PatientRow[] = await manager.query(`SELECT ${COLUMNS} FROM patients WHERE patient_id = $1`, [patientId]);
    return rows[0] ? toPatient(rows[0]) : null;
  },

  /**
   * People at the site who could be this caller. A possible match needs the same date of birth or phone (names
   * alone score at most 40 of the 60 points needed), so only those are fetched and scored.
   */
  async candidates(manager: EntityManager, siteId: string, caller: { dateOfBirth?: string; phone?: string }): Promise<KnownCaller[]> {
    const phone = caller.phone === undefined ? null : (normalisePhone(caller.phone) ?? null);
    const rows: PatientRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM patients
        WHERE site_id = $1 AND (($2::text IS NOT NULL AND phone_normalised = $2) OR ($3::date IS NOT NULL AND date_of_birth = $3::date))
        LIMIT 200`,
      [siteId, phone, caller.dateOfBirth ?? null],
    );
    return rows.map(toPatient).map((p) => ({
      id: p.patientId,
      givenName: p.givenName,
      familyName: p.familyName,
      ...(p.dateOfBirth ? { dateOfBirth: p.dateOfBirth } : {}),
      ...(p.phone ? { phone: p.phone } : {}),
    }));
  },

  async insert(manager: EntityManager, patient: Omit<Patient, 'createdAt'>): Promise<void> {
    await manager.query(
      `INSERT INTO patients (patient_id, site_id, given_name, family_name, date_of_birth, phone, phone_normalised)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        patient.patientId,
        patient.siteId,
        patient.givenName,
        patient.familyName,
        patient.dateOfBirth ?? null,
        patient.phone ?? null,
        patient.phone === undefined ? null : (normalisePhone(patient.phone) ?? null),
      ],
    );
  },

  /** Replaces the contact details given; the others stay. */
  async correct(manager: EntityManager, patientId: string, changes: PatientCorrection): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [patientId];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (changes.givenName !== undefined) set('given_name', changes.givenName);
    if (changes.familyName !== undefined) set('family_name', changes.familyName);
    if (changes.dateOfBirth !== undefined) set('date_of_birth', changes.dateOfBirth);
    if (changes.phone !== undefined) {
      set('phone', changes.phone);
      set('phone_normalised', changes.phone === null ? null : (normalisePhone(changes.phone) ?? null));
    }
    if (sets.length > 0) await manager.query(`UPDATE patients SET ${sets.join(', ')} WHERE patient_id = $1`, values);
  },
};

/** A coordinator's correction of a patient's contact details; `null` clears an optional one. */
export interface PatientCorrection {
  readonly givenName?: string;
  readonly familyName?: string;
  readonly dateOfBirth?: string | null;
  readonly phone?: string | null;
}
