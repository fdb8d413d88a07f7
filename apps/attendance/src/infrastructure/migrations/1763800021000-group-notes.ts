import type { MigrationInterface, QueryRunner } from 'typeorm';
import { siteIsolationSql } from '@iop/persistence';

/**
 * Group documentation: one group note per session (topic, interventions, summary) and one progress note per attendee,
 * tied to the patient's treatment plan by plan id, version and goal number (goals themselves are PHI that scheduling
 * keeps; only the plan's id and version reach attendance). The note and its progress notes go draft → signed →
 * co-signed (when the writer needs it) → locked together; after signing only addenda (append-only) add to them.
 * Sessions still undocumented 24 hours after they ended are a site's work queue.
 */
export class GroupNotes1763800021000 implements MigrationInterface {
  name = 'GroupNotes1763800021000';

  async up(q: QueryRunner): Promise<void> {
    // The read model learns the plan's id with its version, so a progress note names the plan its goal numbers belong to.
    await q.query(`ALTER TABLE attendance.enrolments ADD COLUMN plan_id uuid`);
    await q.query(`CREATE TABLE attendance.group_notes (
      note_id             uuid PRIMARY KEY,
      session_id          uuid NOT NULL UNIQUE REFERENCES attendance.sessions (session_id),
      site_id             uuid NOT NULL,
      topic               text NOT NULL,
      interventions       text[] NOT NULL,
      summary             text NOT NULL,
      status              text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed', 'co-signed', 'locked')),
      revision            integer NOT NULL DEFAULT 1,
      written_by          text NOT NULL,
      updated_by          text NOT NULL,
      created_at          timestamptz NOT NULL DEFAULT now(),
      updated_at          timestamptz NOT NULL DEFAULT now(),
      signed_by           text,
      signer_roles        text,
      signed_at           timestamptz,
      needs_co_signature  boolean,
      co_signed_by        text,
      co_signed_at        timestamptz,
      locked_by           text,
      locked_at           timestamptz,
      attendees           integer,
      CHECK ((status = 'draft') = (signed_at IS NULL)),
      CHECK ((status = 'draft') = (signed_by IS NULL)),
      CHECK ((co_signed_at IS NULL) = (co_signed_by IS NULL)),
      CHECK ((status = 'locked') = (locked_at IS NOT NULL)),
      CHECK (status <> 'co-signed' OR co_signed_at IS NOT NULL),
      CHECK (status <> 'locked' OR NOT needs_co_signature OR co_signed_at IS NOT NULL)
    )`);
    await q.query(`CREATE INDEX group_notes_site ON attendance.group_notes (site_id, status)`);
    await q.query(`CREATE TABLE attendance.progress_notes (
      progress_note_id    uuid PRIMARY KEY,
      note_id             uuid NOT NULL REFERENCES attendance.group_notes (note_id),
      session_id          uuid NOT NULL,
      patient_id          uuid NOT NULL,
      site_id             uuid NOT NULL,
      enrolment_id        uuid,
      episode_id          uuid,
      record_id           uuid NOT NULL REFERENCES attendance.attendance_records (record_id),
      plan_id             uuid,
      plan_version        integer,
      participation       text NOT NULL CHECK (participation IN ('active', 'moderate', 'minimal', 'withdrawn', 'disruptive')),
      response            text NOT NULL,
      goals               jsonb NOT NULL DEFAULT '[]',
      next_steps          text,
      revision            integer NOT NULL DEFAULT 1,
      written_by          text NOT NULL,
      updated_by          text NOT NULL,
      created_at          timestamptz NOT NULL DEFAULT now(),
      updated_at          timestamptz NOT NULL DEFAULT now(),
      UNIQUE (session_id, patient_id),
      CHECK (jsonb_array_length(goals) = 0 OR plan_version IS NOT NULL)
    )`);
    await q.query(`CREATE INDEX progress_notes_patient ON attendance.progress_notes (patient_id, session_id)`);
    // Addenda to signed documentation: to the group note (patient_id null) or to one patient's progress note. Never changed.
    await q.query(`CREATE TABLE attendance.note_addenda (
      addendum_id   uuid PRIMARY KEY,
      note_id       uuid NOT NULL REFERENCES attendance.group_notes (note_id),
      session_id    uuid NOT NULL,
      site_id       uuid NOT NULL,
      patient_id    uuid,
      text          text NOT NULL,
      author        text NOT NULL,
      author_roles  text NOT NULL,
      added_at      timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX note_addenda_note ON attendance.note_addenda (note_id, added_at)`);
    // The work queue: a session with attendees not documented 24 h after it ended; resolved when its documentation is locked.
    await q.query(`CREATE TABLE attendance.undocumented_sessions (
      session_id    uuid PRIMARY KEY REFERENCES attendance.sessions (session_id),
      site_id       uuid NOT NULL,
      ended_at      timestamptz NOT NULL,
      raised_at     timestamptz NOT NULL DEFAULT now(),
      resolved_at   timestamptz
    )`);
    await q.query(`CREATE INDEX sessions_group_ends_at ON attendance.sessions (ends_at) WHERE source = 'group-session'`);
    await q.query(`CREATE INDEX undocumented_sessions_open ON attendance.undocumented_sessions (site_id, ended_at) WHERE resolved_at IS NULL`);
    // Second line behind the use cases: signed documentation never changes in place (only its signatures and lock are added).
    await q.query(`CREATE FUNCTION attendance.refuse_signed_note_edit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status <> 'draft' AND (NEW.topic, NEW.interventions, NEW.summary, NEW.signed_by, NEW.signed_at)
             IS DISTINCT FROM (OLD.topic, OLD.interventions, OLD.summary, OLD.signed_by, OLD.signed_at) THEN
          RAISE EXCEPTION 'group note % is %: signed documentation is not edited', OLD.note_id, OLD.status USING ERRCODE = 'check_violation';
        END IF;
        IF OLD.status = 'locked' THEN
          RAISE EXCEPTION 'group note % is locked', OLD.note_id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER group_notes_signed_are_fixed BEFORE UPDATE ON attendance.group_notes
      FOR EACH ROW EXECUTE FUNCTION attendance.refuse_signed_note_edit()`);
    await q.query(`CREATE FUNCTION attendance.refuse_signed_progress_note_edit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT status FROM attendance.group_notes WHERE note_id = NEW.note_id) <> 'draft' THEN
          RAISE EXCEPTION 'progress note % belongs to signed documentation', NEW.progress_note_id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER progress_notes_signed_are_fixed BEFORE INSERT OR UPDATE ON attendance.progress_notes
      FOR EACH ROW EXECUTE FUNCTION attendance.refuse_signed_progress_note_edit()`);
    for (const table of ['group_notes', 'progress_notes', 'note_addenda', 'undocumented_sessions']) {
      for (const sql of siteIsolationSql('attendance', table)) await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['undocumented_sessions', 'note_addenda', 'progress_notes', 'group_notes']) await q.query(`DROP TABLE attendance.${table}`);
    await q.query(`DROP FUNCTION attendance.refuse_signed_progress_note_edit()`);
    await q.query(`DROP FUNCTION attendance.refuse_signed_note_edit()`);
    await q.query(`DROP INDEX attendance.sessions_group_ends_at`);
    await q.query(`ALTER TABLE attendance.enrolments DROP COLUMN plan_id`);
  }
}
