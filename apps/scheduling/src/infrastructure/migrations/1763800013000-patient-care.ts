import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * The patient's side of the week: a reminder id for each reminder sent (the event names it), a note on an enrolment
 * whose plan asks for more group hours than its track offers, and admissions parked because they name a site
 * scheduling does not know (kept, not dead-lettered: someone has to look at them).
 */
export class PatientCare1763800013000 implements MigrationInterface {
  name = 'PatientCare1763800013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE scheduling.reminders_sent ADD COLUMN reminder_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE`);
    await q.query(`ALTER TABLE scheduling.enrolments ADD COLUMN placement_note text`);
    await q.query(`CREATE TABLE scheduling.parked_admissions (
      episode_id  uuid PRIMARY KEY,
      site_id     uuid NOT NULL,
      patient_id  uuid NOT NULL,
      state       text NOT NULL CHECK (state IN ('site-unknown', 'released')),
      admission   jsonb NOT NULL,
      parked_at   timestamptz NOT NULL DEFAULT now()
    )`);
    for (const sql of siteIsolationSql('scheduling', 'parked_admissions')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduling.parked_admissions`);
    await q.query(`ALTER TABLE scheduling.enrolments DROP COLUMN placement_note`);
    await q.query(`ALTER TABLE scheduling.reminders_sent DROP COLUMN reminder_id`);
  }
}
