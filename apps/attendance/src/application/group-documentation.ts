import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { GroupSessionDocumented } from '@iop/contracts';
import { AuditTrail, type Actor, type AuditEntry } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { DomainError, SiteDirectory, UnitOfWork, conflict, notFound } from '@iop/platform';
import {
  ATTENDEE_STATUSES,
  documentationGaps,
  isAttendee,
  needsCoSignature,
  refuseAddendum,
  refuseCoSign,
  refuseEdit,
  refuseLock,
  refuseSign,
  type GoalRating,
  type NoteState,
  type NoteStatus,
  type Participation,
  type Refusal,
} from '../domain/group-documentation';
import { notOnRoster, sessionCancelled } from './attendance-errors';
import { loadSession, type SessionRow } from './seats';

export interface GroupNoteInput {
  readonly topic: string;
  readonly interventions: readonly string[];
  readonly summary: string;
}

export interface ProgressNoteInput {
  readonly participation: Participation;
  readonly response: string;
  readonly goals: readonly GoalRating[];
  readonly nextSteps?: string | undefined;
  /** The plan version the goal numbers were read from; required when goals are rated. */
  readonly planVersion?: number | undefined;
}

interface NoteRow {
  note_id: string;
  session_id: string;
  site_id: string;
  topic: string;
  interventions: string[];
  summary: string;
  status: NoteStatus;
  revision: number;
  written_by: string;
  updated_by: string;
  updated_at: Date;
  signed_by: string | null;
  signed_at: Date | null;
  needs_co_signature: boolean | null;
  co_signed_by: string | null;
  co_signed_at: Date | null;
  locked_by: string | null;
  locked_at: Date | null;
}

interface AttendeeRow {
  patient_id: string;
  record_id: string;
  status: string;
  attended_minutes: number;
  progress_note_id: string | null;
}

interface ProgressNoteRow {
  progress_note_id: string;
  note_id: string;
  patient_id: string;
  record_id: string;
  plan_id: string | null;
  plan_version: number | null;
  participation: Participation;
  response: string;
  goals: GoalRating[];
  next_steps: string | null;
  revision: number;
  written_by: string;
  updated_by: string;
  updated_at: Date;
}

interface AddendumRow {
  addendum_id: string;
  patient_id: string | null;
  text: string;
  author: string;
  added_at: Date;
}

const groupNoteNotFound = (sessionId: string) =>
  notFound('group-note.not-found', `session ${sessionId} has no group note yet: write it with PUT /sessions/${sessionId}/group-note`);
const notAttended = (sessionId: string, patientId: string, status: string | null) =>
  new DomainError(
    'progress-note.not-attended',
    `patient ${patientId} ${status ? `is recorded as ${status}` : 'has no attendance record'} in session ${sessionId}: progress notes are written for attendees (attended, late, left early)`,
    HttpStatus.UNPROCESSABLE_ENTITY,
  );
const refused = (r: Refusal) => new DomainError(r.code, r.message, r.forbidden ? HttpStatus.FORBIDDEN : HttpStatus.CONFLICT);

const NOTE_COLUMNS = `note_id, session_id, site_id, topic, interventions, summary, status, revision, written_by, updated_by, updated_at,
  signed_by, signed_at, needs_co_signature, co_signed_by, co_signed_at, locked_by, locked_at`;

const stateOf = (n: NoteRow): NoteState => ({ status: n.status, signedBy: n.signed_by, needsCoSignature: n.needs_co_signature ?? false });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Group documentation: the leader's group note, each attendee's progress note built on it and tied to their treatment
 * plan, the signatures and the lock, and addenda after signing. Every write locks the session's row first, so two
 * signatures (or a signature and an edit) of one session never interleave: the second sees what the first did.
 * Note text is PHI: it is audited when read or written and never leaves attendance in an event or a log line.
 */
@Injectable()
export class GroupDocumentation {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
  ) {}

  /**
   * The site's work queue: group sessions with attendees still not documented 24 hours after they ended, oldest first.
   * Session ids, times and counts only (no patients, no note text), so nothing here is audited.
   */
  undocumented(siteId: string) {
    return this.uow.run(async ({ manager }) => {
      await this.sites.require(manager, siteId, 'attendance');
      const rows = (await manager.query(
        `SELECT u.session_id, s.starts_at, s.ends_at, s.local_date::text AS local_date, s.leader_id, u.raised_at, coalesce(n.status, 'none') AS note_status,
                (SELECT count(*) FROM attendance.attendance_records r WHERE r.session_id = u.session_id AND r.status = ANY($2))::int AS attendees
           FROM attendance.undocumented_sessions u
           JOIN attendance.sessions s ON s.session_id = u.session_id
           LEFT JOIN attendance.group_notes n ON n.session_id = u.session_id
          WHERE u.site_id = $1 AND u.resolved_at IS NULL AND (n.status IS NULL OR n.status <> 'locked')
          ORDER BY s.ends_at, u.session_id`,
        [siteId, [...ATTENDEE_STATUSES]],
      )) as Array<{
        session_id: string;
        starts_at: Date;
        ends_at: Date;
        local_date: string;
        leader_id: string | null;
        raised_at: Date;
        note_status: 'none' | 'draft' | 'signed' | 'co-signed';
        attendees: number;
      }>;
      return {
        siteId,
        items: rows.map((r) => ({
          sessionId: r.session_id,
          localDate: r.local_date,
          startsAt: r.starts_at.toISOString(),
          endsAt: r.ends_at.toISOString(),
          leaderId: r.leader_id,
          attendees: r.attendees,
          noteStatus: r.note_status,
          raisedAt: r.raised_at.toISOString(),
        })),
      };
    });
  }

  /** Writes (or rewrites, while a draft) the session's group note. */
  writeGroupNote(sessionId: string, input: GroupNoteInput) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await this.groupSession(manager, sessionId);
      const existing = await findNote(manager, sessionId, true);
      let noteId: string;
      if (existing) {
        const refusal = refuseEdit(stateOf(existing));
        if (refusal) throw refused(refusal);
        noteId = existing.note_id;
        await manager.query(
          `UPDATE attendance.group_notes SET topic = $2, interventions = $3, summary = $4, revision = revision + 1, updated_by = $5, updated_at = now()
            WHERE note_id = $1`,
          [noteId, input.topic, input.interventions, input.summary, principal.subject],
        );
      } else {
        noteId = randomUUID();
        await manager.query(
          `INSERT INTO attendance.group_notes (note_id, session_id, site_id, topic, interventions, summary, written_by, updated_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
          [noteId, sessionId, session.site_id, input.topic, input.interventions, input.summary, principal.subject],
        );
      }
      const actor = { principal, requestId };
      await this.audit.record(manager, actor, { action: existing ? 'update' : 'create', resource: `group-note:${noteId}`, siteId: session.site_id });
      return this.groupNoteView(manager, actor, session, await requireNote(manager, sessionId));
    });
  }

  /** The group note with its attendees and whether each has a progress note. Audited: one row per attendee listed. */
  groupNote(sessionId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await loadSession(manager, sessionId);
      const note = await requireNote(manager, sessionId);
      return this.groupNoteView(manager, { principal, requestId }, session, note);
    });
  }

  /**
   * The writer signs the session's documentation: the group note and every attendee's progress note at once. A
   * writer without the supervisor role needs a co-signature before the lock. Refused while an attendee has no
   * progress note, or a progress note belongs to someone who did not attend.
   */
  sign(sessionId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await loadSession(manager, sessionId, true);
      const note = await requireNote(manager, sessionId, true);
      const refusal = refuseSign(stateOf(note));
      if (refusal) throw refused(refusal);
      const attendees = await attendeesOf(manager, sessionId);
      const gaps = documentationGaps(
        attendees.filter((a) => isAttendee(a.status)).map((a) => a.patient_id),
        attendees.filter((a) => a.progress_note_id).map((a) => a.patient_id),
      );
      if (gaps.missing.length > 0 || gaps.notAttending.length > 0) {
        const parts = [
          ...(gaps.missing.length > 0 ? [`every attendee needs a progress note: none yet for patients ${gaps.missing.join(', ')}`] : []),
          ...(gaps.notAttending.length > 0
            ? [`patients ${gaps.notAttending.join(', ')} have progress notes but did not attend: delete those drafts or correct the attendance`]
            : []),
        ];
        throw new DomainError('group-note.incomplete', `the documentation cannot be signed yet: ${parts.join('; ')}`, HttpStatus.UNPROCESSABLE_ENTITY, {
          missing: gaps.missing,
          notAttending: gaps.notAttending,
        });
      }
      const present = attendees.filter((a) => isAttendee(a.status));
      await manager.query(
        `UPDATE attendance.group_notes SET status = 'signed', signed_by = $2, signer_roles = $3, signed_at = now(), needs_co_signature = $4, attendees = $5
          WHERE note_id = $1`,
        [note.note_id, principal.subject, principal.roles.join(','), needsCoSignature(principal.roles), present.length],
      );
      await this.auditStep(manager, { principal, requestId }, note, present, 'signed');
      return this.groupNoteView(manager, { principal, requestId }, session, await requireNote(manager, sessionId));
    });
  }

  /** A supervisor co-signs documentation whose writer needs it (never their own). */
  coSign(sessionId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await loadSession(manager, sessionId, true);
      const note = await requireNote(manager, sessionId, true);
      const refusal = refuseCoSign(stateOf(note), principal);
      if (refusal) throw refused(refusal);
      await manager.query(`UPDATE attendance.group_notes SET status = 'co-signed', co_signed_by = $2, co_signed_at = now() WHERE note_id = $1`, [
        note.note_id,
        principal.subject,
      ]);
      const present = (await attendeesOf(manager, sessionId)).filter((a) => a.progress_note_id);
      await this.auditStep(manager, { principal, requestId }, note, present, 'co-signed');
      return this.groupNoteView(manager, { principal, requestId }, session, await requireNote(manager, sessionId));
    });
  }

  /**
   * Locks signed (and, when needed, co-signed) documentation: the session is documented. Its undocumented task is
   * resolved and `attendance.group-session-documented` (ids, a count and times) is published in the same transaction.
   */
  lock(sessionId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await loadSession(manager, sessionId, true);
      const note = await requireNote(manager, sessionId, true);
      const refusal = refuseLock(stateOf(note));
      if (refusal) throw refused(refusal);
      // An UPDATE's result is [rows, affected count].
      const row = (
        (await manager.query(
          `UPDATE attendance.group_notes SET status = 'locked', locked_by = $2, locked_at = now() WHERE note_id = $1
           RETURNING locked_at, signed_at, co_signed_at, attendees`,
          [note.note_id, principal.subject],
        )) as [{ locked_at: Date; signed_at: Date; co_signed_at: Date | null; attendees: number }[], number]
      )[0][0]!;
      await manager.query(`UPDATE attendance.undocumented_sessions SET resolved_at = now() WHERE session_id = $1 AND resolved_at IS NULL`, [sessionId]);
      await this.outbox.add(
        manager,
        GroupSessionDocumented,
        {
          sessionId,
          siteId: session.site_id,
          noteId: note.note_id,
          attendees: row.attendees,
          signedAt: row.signed_at.toISOString(),
          coSignedAt: iso(row.co_signed_at),
          lockedAt: row.locked_at.toISOString(),
          occurredAt: new Date().toISOString(),
        },
        { correlationId: requestId },
      );
      const present = (await attendeesOf(manager, sessionId)).filter((a) => a.progress_note_id);
      await this.auditStep(manager, { principal, requestId }, note, present, 'locked');
      return this.groupNoteView(manager, { principal, requestId }, session, await requireNote(manager, sessionId));
    });
  }

  /** An addendum to signed documentation: to the group note, or to one patient's progress note. Append-only. */
  addAddendum(sessionId: string, input: { text: string; patientId?: string | undefined }) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await loadSession(manager, sessionId, true);
      const note = await requireNote(manager, sessionId, true);
      const refusal = refuseAddendum(stateOf(note));
      if (refusal) throw refused(refusal);
      if (input.patientId) {
        const progress = await findProgressNote(manager, sessionId, input.patientId);
        if (!progress) {
          throw new DomainError(
            'progress-note.not-found',
            `patient ${input.patientId} has no progress note in session ${sessionId}: an addendum adds to an existing note`,
            HttpStatus.UNPROCESSABLE_ENTITY,
          );
        }
      }
      const [row] = (await manager.query(
        `INSERT INTO attendance.note_addenda (addendum_id, note_id, session_id, site_id, patient_id, text, author, author_roles)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING addendum_id, patient_id, text, author, added_at`,
        [randomUUID(), note.note_id, sessionId, session.site_id, input.patientId ?? null, input.text, principal.subject, principal.roles.join(',')],
      )) as AddendumRow[];
      await this.audit.record(
        manager,
        { principal, requestId },
        {
          action: 'update',
          resource: input.patientId ? `progress-note:${sessionId}:addendum` : `group-note:${note.note_id}:addendum`,
          siteId: session.site_id,
          ...(input.patientId ? { patientId: input.patientId } : {}),
        },
      );
      return { noteId: note.note_id, sessionId, ...addendumView(row!) };
    });
  }

  /** A patient's progress note: saved, or pre-filled from the group note when not written yet. Audited. */
  progressNote(sessionId: string, patientId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await loadSession(manager, sessionId);
      const note = await requireNote(manager, sessionId);
      const saved = await findProgressNote(manager, sessionId, patientId);
      const attendance = await attendanceOf(manager, sessionId, patientId);
      if (!saved && !isAttendee(attendance?.status)) await requireAttendee(manager, sessionId, patientId, attendance);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `progress-note:${sessionId}`, patientId, siteId: session.site_id },
      );
      return this.progressNoteView(manager, session, note, patientId, saved, attendance);
    });
  }

  /** Writes (or rewrites, while the documentation is a draft) an attendee's individual section. */
  writeProgressNote(sessionId: string, patientId: string, input: ProgressNoteInput) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await this.groupSession(manager, sessionId);
      const note = await findNote(manager, sessionId, true);
      if (!note) {
        throw conflict('group-note.missing', `session ${sessionId} has no group note yet: write it first with PUT /sessions/${sessionId}/group-note`);
      }
      const refusal = refuseEdit(stateOf(note));
      if (refusal) throw refused(refusal);
      const attendance = await attendanceOf(manager, sessionId, patientId);
      if (!attendance || !isAttendee(attendance.status)) await requireAttendee(manager, sessionId, patientId, attendance);
      const plan = await currentPlan(manager, attendance!.enrolment_id, patientId, session.site_id);
      if (input.goals.length > 0) {
        if (!plan) {
          throw new DomainError(
            'progress-note.no-plan',
            `no treatment plan is known for patient ${patientId} yet: goals can be rated once scheduling's plan reaches attendance`,
            HttpStatus.UNPROCESSABLE_ENTITY,
          );
        }
        if (input.planVersion !== plan.plan_version) {
          throw conflict(
            'progress-note.plan-changed',
            `the goals were numbered from plan version ${input.planVersion ?? '(none)'}, but the patient's plan is at version ${plan.plan_version}: check the goal numbers against the current plan`,
          );
        }
      }
      const existing = await findProgressNote(manager, sessionId, patientId);
      const values = [
        input.participation,
        input.response,
        JSON.stringify(input.goals),
        input.nextSteps ?? null,
        input.goals.length > 0 || !existing ? (plan?.plan_id ?? null) : existing.plan_id,
        input.goals.length > 0 || !existing ? (plan?.plan_version ?? null) : existing.plan_version,
        principal.subject,
        attendance!.record_id,
      ];
      if (existing) {
        await manager.query(
          `UPDATE attendance.progress_notes SET participation = $2, response = $3, goals = $4::jsonb, next_steps = $5, plan_id = $6, plan_version = $7,
             updated_by = $8, record_id = $9, revision = revision + 1, updated_at = now() WHERE progress_note_id = $1`,
          [existing.progress_note_id, ...values],
        );
      } else {
        await manager.query(
          `INSERT INTO attendance.progress_notes (progress_note_id, note_id, session_id, patient_id, site_id, enrolment_id, episode_id,
             participation, response, goals, next_steps, plan_id, plan_version, written_by, updated_by, record_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $14, $15)`,
          [randomUUID(), note.note_id, sessionId, patientId, session.site_id, attendance!.enrolment_id, attendance!.episode_id, ...values],
        );
      }
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: existing ? 'update' : 'create', resource: `progress-note:${sessionId}`, patientId, siteId: session.site_id },
      );
      return this.progressNoteView(manager, session, note, patientId, await findProgressNote(manager, sessionId, patientId), attendance);
    });
  }

  /** Removes a draft progress note (written for someone whose attendance was then corrected to an absence). */
  deleteProgressNote(sessionId: string, patientId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await loadSession(manager, sessionId, true);
      const note = await requireNote(manager, sessionId, true);
      const refusal = refuseEdit(stateOf(note));
      if (refusal) throw refused(refusal);
      const existing = await findProgressNote(manager, sessionId, patientId);
      if (!existing) throw notFound('progress-note.not-found', `patient ${patientId} has no progress note in session ${sessionId}`);
      await manager.query(`DELETE FROM attendance.progress_notes WHERE progress_note_id = $1`, [existing.progress_note_id]);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'delete', resource: `progress-note:${sessionId}`, patientId, siteId: session.site_id },
      );
    });
  }

  private async groupSession(manager: EntityManager, sessionId: string): Promise<SessionRow> {
    const session = await loadSession(manager, sessionId, true);
    if (session.source !== 'group-session') {
      throw new DomainError(
        'group-note.not-a-group',
        `session ${sessionId} is an individual appointment, not a group session`,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    if (session.status === 'cancelled') throw sessionCancelled(sessionId);
    if (session.starts_at.getTime() > Date.now() + 5 * 60 * 1000) {
      throw new DomainError(
        'group-note.before-session',
        `session ${sessionId} has not started yet: document it once it has run`,
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    return session;
  }

  private async auditStep(manager: EntityManager, actor: Actor, note: NoteRow, attendees: readonly AttendeeRow[], step: string): Promise<void> {
    const entries: AuditEntry[] = [
      { action: 'update', resource: `group-note:${note.note_id}`, siteId: note.site_id, reason: step },
      ...attendees.map((a): AuditEntry => ({
        action: 'update',
        resource: `progress-note:${note.session_id}`,
        patientId: a.patient_id,
        siteId: note.site_id,
        reason: step,
      })),
    ];
    await this.audit.recordMany(manager, actor, entries);
  }

  private async groupNoteView(manager: EntityManager, actor: Actor, session: SessionRow, note: NoteRow) {
    const attendees = await attendeesOf(manager, session.session_id);
    await this.audit.recordMany(
      manager,
      actor,
      attendees.map((a) => ({ action: 'list' as const, resource: `group-note:${note.note_id}`, patientId: a.patient_id, siteId: session.site_id })),
    );
    const addenda = (await manager.query(
      `SELECT addendum_id, patient_id, text, author, added_at FROM attendance.note_addenda WHERE note_id = $1 AND patient_id IS NULL ORDER BY added_at, addendum_id`,
      [note.note_id],
    )) as AddendumRow[];
    return {
      noteId: note.note_id,
      sessionId: session.session_id,
      siteId: session.site_id,
      status: note.status,
      revision: note.revision,
      topic: note.topic,
      interventions: note.interventions,
      summary: note.summary,
      writtenBy: note.written_by,
      updatedBy: note.updated_by,
      updatedAt: note.updated_at.toISOString(),
      signatures: signaturesOf(note),
      attendees: attendees.map((a) => ({
        patientId: a.patient_id,
        recordId: a.record_id,
        attendanceStatus: a.status,
        attendedMinutes: a.attended_minutes,
        progressNoteId: a.progress_note_id,
      })),
      addenda: addenda.map(addendumView),
    };
  }

  private async progressNoteView(
    manager: EntityManager,
    session: SessionRow,
    note: NoteRow,
    patientId: string,
    saved: ProgressNoteRow | undefined,
    attendance: AttendanceRow | undefined,
  ) {
    const plan = saved?.plan_version
      ? { planId: saved.plan_id, planVersion: saved.plan_version }
      : await currentPlan(manager, attendance?.enrolment_id ?? null, patientId, session.site_id).then((p) =>
          p ? { planId: p.plan_id, planVersion: p.plan_version } : null,
        );
    const addenda = (await manager.query(
      `SELECT addendum_id, patient_id, text, author, added_at FROM attendance.note_addenda WHERE note_id = $1 AND patient_id = $2 ORDER BY added_at, addendum_id`,
      [note.note_id, patientId],
    )) as AddendumRow[];
    return {
      progressNoteId: saved?.progress_note_id ?? null,
      noteId: note.note_id,
      sessionId: session.session_id,
      patientId,
      siteId: session.site_id,
      status: note.status,
      // Pre-filled from the group note: what the group did is written once, by the leader, and shown in every attendee's note.
      group: { topic: note.topic, interventions: note.interventions, summary: note.summary, localDate: session.local_date },
      attendance: attendance ? { recordId: attendance.record_id, status: attendance.status, attendedMinutes: attendance.attended_minutes } : null,
      plan,
      individual: saved ? { participation: saved.participation, response: saved.response, goals: saved.goals, nextSteps: saved.next_steps } : null,
      revision: saved?.revision ?? 0,
      writtenBy: saved?.written_by ?? null,
      updatedAt: iso(saved?.updated_at ?? null),
      signatures: signaturesOf(note),
      addenda: addenda.map(addendumView),
    };
  }
}

function signaturesOf(note: NoteRow) {
  return {
    signedBy: note.signed_by,
    signedAt: iso(note.signed_at),
    needsCoSignature: note.needs_co_signature,
    coSignedBy: note.co_signed_by,
    coSignedAt: iso(note.co_signed_at),
    lockedBy: note.locked_by,
    lockedAt: iso(note.locked_at),
  };
}

function addendumView(a: AddendumRow) {
  return { addendumId: a.addendum_id, patientId: a.patient_id, text: a.text, author: a.author, addedAt: a.added_at.toISOString() };
}

async function findNote(manager: EntityManager, sessionId: string, lock = false): Promise<NoteRow | undefined> {
  const rows = (await manager.query(`SELECT ${NOTE_COLUMNS} FROM attendance.group_notes WHERE session_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
    sessionId,
  ])) as NoteRow[];
  return rows[0];
}

async function requireNote(manager: EntityManager, sessionId: string, lock = false): Promise<NoteRow> {
  const note = await findNote(manager, sessionId, lock);
  if (!note) throw groupNoteNotFound(sessionId);
  return note;
}

async function findProgressNote(manager: EntityManager, sessionId: string, patientId: string): Promise<ProgressNoteRow | undefined> {
  const rows = (await manager.query(
    `SELECT progress_note_id, note_id, patient_id, record_id, plan_id, plan_version, participation, response, goals, next_steps, revision,
            written_by, updated_by, updated_at
       FROM attendance.progress_notes WHERE session_id = $1 AND patient_id = $2`,
    [sessionId, patientId],
  )) as ProgressNoteRow[];
  return rows[0];
}

/** Everyone recorded in the session who attended, and anyone with a progress note (an attendance corrected since). */
async function attendeesOf(manager: EntityManager, sessionId: string): Promise<AttendeeRow[]> {
  return (await manager.query(
    `SELECT r.patient_id, r.record_id, r.status, r.attended_minutes, pn.progress_note_id
       FROM attendance.attendance_records r
       LEFT JOIN attendance.progress_notes pn ON pn.session_id = r.session_id AND pn.patient_id = r.patient_id
      WHERE r.session_id = $1 AND (r.status = ANY($2) OR pn.progress_note_id IS NOT NULL)
      ORDER BY r.patient_id`,
    [sessionId, [...ATTENDEE_STATUSES]],
  )) as AttendeeRow[];
}

interface AttendanceRow {
  record_id: string;
  status: string;
  attended_minutes: number;
  enrolment_id: string | null;
  episode_id: string | null;
}

async function attendanceOf(manager: EntityManager, sessionId: string, patientId: string): Promise<AttendanceRow | undefined> {
  const rows = (await manager.query(
    `SELECT record_id, status, attended_minutes, enrolment_id, episode_id FROM attendance.attendance_records WHERE session_id = $1 AND patient_id = $2`,
    [sessionId, patientId],
  )) as AttendanceRow[];
  return rows[0];
}

/** Not on the roster at all: the roster's 422; on it but absent (or not recorded yet): not an attendee. Always throws. */
async function requireAttendee(manager: EntityManager, sessionId: string, patientId: string, attendance: AttendanceRow | undefined): Promise<never> {
  if (!attendance) {
    const seat = (await manager.query(`SELECT 1 FROM attendance.seats WHERE session_id = $1 AND patient_id = $2 AND state = 'booked'`, [
      sessionId,
      patientId,
    ])) as unknown[];
    if (seat.length === 0) throw notOnRoster(sessionId, patientId);
  }
  throw notAttended(sessionId, patientId, attendance?.status ?? null);
}

/** The patient's current treatment plan as the read model knows it (id and version; goals stay in scheduling). */
async function currentPlan(
  manager: EntityManager,
  enrolmentId: string | null,
  patientId: string,
  siteId: string,
): Promise<{ plan_id: string | null; plan_version: number } | undefined> {
  const rows = (await manager.query(
    `SELECT plan_id, plan_version FROM attendance.enrolments
      WHERE plan_version > 0 AND (enrolment_id = $1 OR ($1::uuid IS NULL AND patient_id = $2 AND site_id = $3))
      ORDER BY (status <> 'ended') DESC, updated_at DESC LIMIT 1`,
    [enrolmentId, patientId, siteId],
  )) as { plan_id: string | null; plan_version: number }[];
  return rows[0];
}
