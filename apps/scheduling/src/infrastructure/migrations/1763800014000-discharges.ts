import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Aftercare's discharges as scheduling applied them: the date the episode's seats and appointments were released after
 * (an amendment to an earlier date releases from there), and, for a step-down to a program of the network, the
 * enrolment made there, once per discharge. A step-down naming a program scheduling does not know is kept here
 * (`step_down = 'program-unknown'`) for someone to look at, not dead-lettered: the end of the episode must still apply.
 */
export class Discharges1763800014000 implements MigrationInterface {
  name = 'Discharges1763800014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE scheduling.discharges (
      discharge_id            uuid PRIMARY KEY,
      episode_id              uuid NOT NULL,
      site_id                 uuid NOT NULL,
      patient_id              uuid NOT NULL,
      discharged_on           date NOT NULL,
      amendment               integer NOT NULL DEFAULT 0,
      step_down               text NOT NULL CHECK (step_down IN ('none', 'enrolled', 'program-unknown', 'no-enrolment')),
      step_down_program_id    uuid,
      step_down_enrolment_id  uuid REFERENCES scheduling.enrolments (enrolment_id),
      recorded_at             timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX discharges_episode ON scheduling.discharges (episode_id)`);
    for (const sql of siteIsolationSql('scheduling', 'discharges')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scheduling.discharges`);
  }
}
