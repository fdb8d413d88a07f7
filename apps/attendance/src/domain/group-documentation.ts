/**
 * Group documentation: the leader's group note for a session and each attendee's progress note, signed, co-signed
 * when the writer needs it, then locked. Pure rules: who must co-sign, which step may follow which, and what may
 * still change. The group note and its progress notes move through the states together (the writer signs the whole
 * session's documentation at once), so a signed record never has a progress note that someone can still edit.
 */

export const NOTE_STATUSES = ['draft', 'signed', 'co-signed', 'locked'] as const;
export type NoteStatus = (typeof NOTE_STATUSES)[number];

/** The interventions a group may name unless `ATTENDANCE_GROUP_INTERVENTIONS` configures the site network's own list. */
export const DEFAULT_INTERVENTIONS = [
  'cbt',
  'dbt-skills',
  'motivational-interviewing',
  'psychoeducation',
  'relapse-prevention',
  'mindfulness',
  'twelve-step-facilitation',
] as const;

/** A patient's participation in the group, as the leader saw it. */
export const PARTICIPATION = ['active', 'moderate', 'minimal', 'withdrawn', 'disruptive'] as const;
export type Participation = (typeof PARTICIPATION)[number];

/** Progress toward one treatment-plan goal in this session. */
export const PROGRESS_RATINGS = ['regressed', 'no-change', 'some-progress', 'significant-progress', 'goal-met'] as const;
export type ProgressRating = (typeof PROGRESS_RATINGS)[number];

/** The attendance statuses of someone who was in the room (or on the call): each of them needs a progress note. */
export const ATTENDEE_STATUSES = ['attended', 'late', 'left-early'] as const;
export const isAttendee = (status: string | null | undefined): boolean => (ATTENDEE_STATUSES as readonly string[]).includes(status ?? '');

/** A session is overdue for documentation this long after it ended. */
export const DOCUMENTATION_DUE_MS = 24 * 60 * 60 * 1000;

/** Roles that may write and sign notes, and the role whose signature needs no co-signature and who co-signs. */
export const SUPERVISOR_ROLE = 'clinical_supervisor';

/**
 * Who needs a co-signature: anyone signing without the `clinical_supervisor` role. Tokens say what someone may do, not
 * whether they are licensed, so the safe reading is that a plain `clinician` (a counsellor in training, an associate,
 * a licensed clinician alike) has their group documentation co-signed by a supervisor; a supervisor's own needs none.
 */
export function needsCoSignature(signerRoles: readonly string[]): boolean {
  return !signerRoles.includes(SUPERVISOR_ROLE);
}

export interface NoteState {
  readonly status: NoteStatus;
  readonly signedBy: string | null;
  readonly needsCoSignature: boolean;
}

/** Why a step is refused: a code and a message the caller can act on. `forbidden` is a 403, everything else a 409. */
export interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly forbidden?: boolean;
}

const LOCKED_HINT = 'add an addendum with POST /sessions/{sessionId}/group-note/addenda';

/** A draft may be edited; a signed record never changes again except by addenda. */
export function refuseEdit(state: NoteState): Refusal | undefined {
  if (state.status === 'draft') return undefined;
  return {
    code: state.status === 'locked' ? 'group-note.locked' : 'group-note.signed',
    message: `the group documentation is ${state.status}: signed notes cannot be edited; ${LOCKED_HINT}`,
  };
}

export function refuseSign(state: NoteState): Refusal | undefined {
  if (state.status === 'draft') return undefined;
  return { code: 'group-note.already-signed', message: `the group documentation is already ${state.status} by ${state.signedBy ?? 'its writer'}` };
}

export function refuseCoSign(state: NoteState, coSigner: { subject: string; roles: readonly string[] }): Refusal | undefined {
  if (state.status === 'draft') return { code: 'group-note.not-signed', message: 'the group documentation is a draft: its writer signs it first' };
  if (state.status !== 'signed') return { code: 'group-note.already-co-signed', message: `the group documentation is already ${state.status}` };
  if (!state.needsCoSignature) return { code: 'group-note.no-co-signature-needed', message: "the writer's signature needs no co-signature: lock it" };
  if (!coSigner.roles.includes(SUPERVISOR_ROLE)) {
    return { code: 'group-note.co-signer-not-supervisor', message: `a co-signature needs the ${SUPERVISOR_ROLE} role`, forbidden: true };
  }
  if (coSigner.subject === state.signedBy) {
    return { code: 'group-note.own-signature', message: 'the writer cannot co-sign their own documentation', forbidden: true };
  }
  return undefined;
}

export function refuseLock(state: NoteState): Refusal | undefined {
  if (state.status === 'draft') return { code: 'group-note.not-signed', message: 'the group documentation is a draft: sign it first' };
  if (state.status === 'locked') return { code: 'group-note.locked', message: 'the group documentation is already locked' };
  if (state.status === 'signed' && state.needsCoSignature) {
    return { code: 'group-note.awaiting-co-signature', message: `the writer's signature needs a co-signature by a ${SUPERVISOR_ROLE} before it is locked` };
  }
  return undefined;
}

/** Addenda add to signed documentation; a draft is simply edited. */
export function refuseAddendum(state: NoteState): Refusal | undefined {
  if (state.status !== 'draft') return undefined;
  return { code: 'group-note.draft', message: 'the group documentation is still a draft: edit it (PUT) instead of adding an addendum' };
}

export interface GoalRating {
  readonly goalNumber: number;
  readonly rating: ProgressRating;
  readonly comment?: string | undefined;
}

/**
 * Before signing: every attendee has a progress note, and nobody who did not attend has one (a correction to no-show
 * after the note was written). Returns the patients each way, empty when the record is complete.
 */
export function documentationGaps(attendees: readonly string[], withProgressNote: readonly string[]): { missing: string[]; notAttending: string[] } {
  const written = new Set(withProgressNote);
  const present = new Set(attendees);
  return {
    missing: attendees.filter((p) => !written.has(p)).sort(),
    notAttending: withProgressNote.filter((p) => !present.has(p)).sort(),
  };
}
