import { z } from 'zod';
import { Id } from '@iop/contracts';
import { ResponseDate, ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';
import { NOTE_STATUSES, PARTICIPATION, PROGRESS_RATINGS } from '../domain/group-documentation';
import { interventionsFromEnv } from '../application/documentation-config';

const INTERVENTIONS = interventionsFromEnv();

const text = (what: string, max: number) => z.string().trim().min(1, `write the ${what}`).max(max, `the ${what} is at most ${max} characters`);

export const GroupNoteBody = z.strictObject({
  topic: text('topic', 200).describe("The group's topic, e.g. 'Coping with cravings at work'"),
  interventions: z
    .array(z.enum(INTERVENTIONS, { message: `one of: ${INTERVENTIONS.join(', ')}` }))
    .min(1, 'name at least one intervention used')
    .max(INTERVENTIONS.length)
    .refine((list) => new Set(list).size === list.length, { message: 'name each intervention once' })
    .describe(`Interventions used (configurable with ATTENDANCE_GROUP_INTERVENTIONS): ${INTERVENTIONS.join(', ')}`),
  summary: text('summary', 8000).describe('What the group did, as the leader summarises it; every attendee’s progress note shows it'),
});
export type GroupNoteBody = z.infer<typeof GroupNoteBody>;

/** The interventions a group note may name here: the console offers exactly these. */
export const InterventionsView = z.object({
  interventions: z.array(z.string()).describe('Intervention codes, in the configured order (ATTENDANCE_GROUP_INTERVENTIONS, else the default list)'),
});
export const groupNoteInterventions = (): z.infer<typeof InterventionsView> => ({ interventions: [...INTERVENTIONS] });

const GoalRatingBody = z.strictObject({
  goalNumber: z.number().int().min(1).max(20).describe("The goal's number in the treatment plan (its position, from 1, in the plan version named)"),
  rating: z.enum(PROGRESS_RATINGS),
  comment: text('comment', 1000).optional(),
});

export const ProgressNoteBody = z
  .strictObject({
    participation: z.enum(PARTICIPATION).describe("The patient's participation in the group"),
    response: text('response', 4000).describe("The patient's response to the interventions"),
    goals: z
      .array(GoalRatingBody)
      .max(20)
      .default([])
      .refine((list) => new Set(list.map((g) => g.goalNumber)).size === list.length, { message: 'rate each goal once' })
      .describe('Treatment-plan goals addressed in this session, with progress'),
    planVersion: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'The plan version the goal numbers come from (GET the plan in scheduling); required when goals are rated, refused with 409 when the plan has moved on',
      ),
    nextSteps: text('next steps', 2000).optional().describe('The plan for the next sessions'),
  })
  .refine((b) => b.goals.length === 0 || b.planVersion !== undefined, { message: 'name the planVersion the goal numbers come from', path: ['planVersion'] });
export type ProgressNoteBody = z.infer<typeof ProgressNoteBody>;

export const AddendumBody = z.strictObject({
  text: text('addendum', 4000),
  patientId: Id.optional().describe("To add to one patient's progress note; absent: to the group note"),
});
export type AddendumBody = z.infer<typeof AddendumBody>;

const Status = z.enum(NOTE_STATUSES);

const Signatures = z.object({
  signedBy: z.string().nullable(),
  signedAt: ResponseInstant.nullable(),
  needsCoSignature: z.boolean().nullable().describe('Set at signing: true when the writer signed without the clinical_supervisor role'),
  coSignedBy: z.string().nullable(),
  coSignedAt: ResponseInstant.nullable(),
  lockedBy: z.string().nullable(),
  lockedAt: ResponseInstant.nullable(),
});

export const AddendumView = z.object({
  addendumId: ResponseId,
  patientId: ResponseId.nullable(),
  text: z.string(),
  author: z.string(),
  addedAt: ResponseInstant,
});

export const GroupNoteView = z.object({
  noteId: ResponseId,
  sessionId: ResponseId,
  siteId: ResponseId,
  status: Status,
  revision: z.number().int(),
  topic: z.string(),
  interventions: z.array(z.string()),
  summary: z.string(),
  writtenBy: z.string(),
  updatedBy: z.string(),
  updatedAt: ResponseInstant,
  signatures: Signatures,
  attendees: z
    .array(
      z.object({
        patientId: ResponseId,
        recordId: ResponseId,
        attendanceStatus: z.string(),
        attendedMinutes: z.number().int(),
        progressNoteId: ResponseId.nullable().describe('null: no progress note written yet'),
      }),
    )
    .describe('Attendees (attended, late, left early), and anyone with a progress note whose attendance was corrected since'),
  addenda: z.array(AddendumView).describe('Addenda to the group note, oldest first'),
});

export const ProgressNoteView = z.object({
  progressNoteId: ResponseId.nullable().describe('null: not written yet; the note is pre-filled from the group note'),
  noteId: ResponseId,
  sessionId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  status: Status.describe("The session's documentation status (the group note and its progress notes are signed together)"),
  group: z.object({ topic: z.string(), interventions: z.array(z.string()), summary: z.string(), localDate: ResponseDate }),
  attendance: z.object({ recordId: ResponseId, status: z.string(), attendedMinutes: z.number().int() }).nullable(),
  plan: z
    .object({ planId: ResponseId.nullable(), planVersion: z.number().int() })
    .nullable()
    .describe("The treatment plan the goal numbers refer to: the note's own once written, else the patient's current one"),
  individual: z
    .object({
      participation: z.enum(PARTICIPATION),
      response: z.string(),
      goals: z.array(z.object({ goalNumber: z.number().int(), rating: z.enum(PROGRESS_RATINGS), comment: z.string().optional() })),
      nextSteps: z.string().nullable(),
    })
    .nullable(),
  revision: z.number().int().describe('0 until written; + 1 on each save'),
  writtenBy: z.string().nullable(),
  updatedAt: ResponseInstant.nullable(),
  signatures: Signatures,
  addenda: z.array(AddendumView).describe("Addenda to this patient's progress note, oldest first"),
});

export const AddendumCreatedView = AddendumView.extend({ noteId: ResponseId, sessionId: ResponseId });

export const UndocumentedSessionsView = z.object({
  siteId: ResponseId,
  items: z.array(
    z.object({
      sessionId: ResponseId,
      localDate: ResponseDate,
      startsAt: ResponseInstant,
      endsAt: ResponseInstant,
      leaderId: ResponseId.nullable(),
      attendees: z.number().int(),
      noteStatus: z.enum(['none', 'draft', 'signed', 'co-signed']).describe('How far the documentation got'),
      raisedAt: ResponseInstant,
    }),
  ),
});

nameSchemas({ GroupNote: GroupNoteView, ProgressNote: ProgressNoteView, NoteAddendum: AddendumView, UndocumentedSessions: UndocumentedSessionsView });
