import { assertNever, err, ok, type DomainError, type Result } from '../shared';
import {
  CLOSE_REASON_LABELS,
  REFERRAL_PROGRESSION,
  REFERRAL_STAGE_LABELS,
  isOpenStage,
  type CloseReason,
  type OpenStage,
  type ProgressStage,
  type Referral,
  type ReferralSource,
  type Urgency,
} from './referral';
import type { ReferralEvent } from './referral-events';

export type ReferralErrorCode =
  | 'referral.missing-field'
  | 'referral.out-of-order'
  | 'referral.already-done'
  | 'referral.closed'
  | 'referral.admitted'
  | 'referral.time-before-last-step'
  | 'referral.appointment-before-booking'
  | 'referral.close-note-required';

export type ReferralError = DomainError<ReferralErrorCode>;

export interface ReferralChange {
  readonly referral: Referral;
  readonly event: ReferralEvent;
}

export interface NewReferral {
  readonly id: string;
  readonly siteId: string;
  readonly source: ReferralSource;
  readonly sourceDetail?: string;
  readonly urgency: Urgency;
  readonly receivedAt: Date;
}

export function receiveReferral(input: NewReferral): Result<ReferralChange, ReferralError> {
  if (input.id.trim() === '' || input.siteId.trim() === '') {
    return err({ code: 'referral.missing-field', message: 'A referral needs an id and the site it was made to.' });
  }
  // Records go back to the referring provider and questions go to them, so "other provider" must say who.
  if (input.source === 'other-provider' && (input.sourceDetail ?? '').trim() === '') {
    return err({
      code: 'referral.missing-field',
      message: 'Name the referring provider: records and questions go back to them.',
    });
  }
  const referral: Referral = {
    ...input,
    stage: 'new',
    lastChangedAt: input.receivedAt,
  };
  return ok({
    referral,
    event: {
      type: 'intake.referral-received',
      referralId: referral.id,
      siteId: referral.siteId,
      occurredAt: referral.receivedAt,
      source: referral.source,
      urgency: referral.urgency,
    },
  });
}

export type ReferralCommand =
  | { readonly type: 'record-contact'; readonly at: Date }
  | { readonly type: 'record-pre-screen'; readonly at: Date }
  | { readonly type: 'book-assessment'; readonly at: Date; readonly appointmentAt: Date }
  | { readonly type: 'record-assessment'; readonly at: Date }
  | { readonly type: 'admit'; readonly at: Date }
  | { readonly type: 'close'; readonly at: Date; readonly reason: CloseReason };

export type ReferralCommandType = ReferralCommand['type'];

interface StepRule {
  /** Stages the command may be applied in. */
  readonly from: readonly ProgressStage[];
  /** Completes "cannot …". */
  readonly action: string;
  /** Said when the step has already been passed. */
  readonly alreadyDone: string;
}

/**
 * Which stage each step needs, as data so the allowed path can be read (and printed) in one place.
 * Booking from `assessment-booked` is a reschedule: no-shows and changed appointments are routine.
 */
export const REFERRAL_STEP_RULES: Readonly<Record<Exclude<ReferralCommandType, 'close'>, StepRule>> = {
  'record-contact': {
    from: ['new'],
    action: 'record first contact',
    alreadyDone: 'First contact is already recorded',
  },
  'record-pre-screen': {
    from: ['contacted'],
    action: 'record the pre-screen',
    alreadyDone: 'The pre-screen is already recorded',
  },
  'book-assessment': {
    from: ['pre-screened', 'assessment-booked'],
    action: 'book an assessment',
    alreadyDone: 'The assessment has already taken place',
  },
  'record-assessment': {
    from: ['assessment-booked'],
    action: 'record the assessment',
    alreadyDone: 'The assessment is already recorded',
  },
  admit: {
    from: ['assessed'],
    action: 'admit the patient',
    alreadyDone: 'The patient is already admitted',
  },
};

/** What reaching a stage means, to finish "… before …". */
const STAGE_REACHED: Readonly<Record<ProgressStage, string>> = {
  new: 'the referral is received',
  contacted: 'first contact is recorded',
  'pre-screened': 'the pre-screen is recorded',
  'assessment-booked': 'an assessment is booked',
  assessed: 'the assessment is recorded',
  admitted: 'the patient is admitted',
};

const NEXT_STEP: Readonly<Record<OpenStage, string>> = {
  new: 'record the first contact',
  contacted: 'record the pre-screen',
  'pre-screened': 'book the assessment',
  'assessment-booked': 'record the assessment (or rebook it)',
  assessed: 'admit the patient or close the referral',
};

function stageIndex(stage: ProgressStage): number {
  return REFERRAL_PROGRESSION.indexOf(stage);
}

function where(referral: Referral): string {
  return `this referral is ${REFERRAL_STAGE_LABELS[referral.stage]}`;
}

function nextStepHint(stage: OpenStage): string {
  return `Next step: ${NEXT_STEP[stage]}.`;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function finishedReferralError(referral: Referral, stage: 'admitted' | 'closed'): ReferralError {
  switch (stage) {
    case 'admitted':
      return {
        code: 'referral.admitted',
        message: 'This referral is already admitted; changes now belong to the patient’s episode of care.',
      };
    case 'closed': {
      const closure = referral.closure;
      const why = closure ? ` (${CLOSE_REASON_LABELS[closure.reason.kind]}, ${day(closure.closedAt)})` : '';
      return {
        code: 'referral.closed',
        message: `This referral was closed${why}. If the person is back in touch, open a new referral.`,
      };
    }
    default:
      return assertNever(stage, 'finished stage');
  }
}

/**
 * Applies one step of the intake path. Refuses anything out of order with a message that says what is
 * missing and what to do next, and names the event the step raises.
 */
export function transitionReferral(referral: Referral, command: ReferralCommand): Result<ReferralChange, ReferralError> {
  const stage = referral.stage;
  if (!isOpenStage(stage)) return err(finishedReferralError(referral, stage));

  if (command.at.getTime() < referral.lastChangedAt.getTime()) {
    return err({
      code: 'referral.time-before-last-step',
      message:
        `The time given (${command.at.toISOString()}) is before this referral's last recorded step ` +
        `(${referral.lastChangedAt.toISOString()}). Check the date and time.`,
    });
  }

  if (command.type === 'close') return close(referral, stage, command);

  const rule = REFERRAL_STEP_RULES[command.type];
  if (!rule.from.includes(stage)) {
    const earliest = Math.min(...rule.from.map(stageIndex));
    if (stageIndex(stage) < earliest) {
      const needed = REFERRAL_PROGRESSION[earliest] ?? 'new';
      return err({
        code: 'referral.out-of-order',
        message: `Cannot ${rule.action} before ${STAGE_REACHED[needed]}: ${where(referral)}. ${nextStepHint(stage)}`,
      });
    }
    return err({
      code: 'referral.already-done',
      message: `${rule.alreadyDone}: ${where(referral)}. ${nextStepHint(stage)}`,
    });
  }

  const base = { referralId: referral.id, siteId: referral.siteId, occurredAt: command.at };
  const moved = (to: ProgressStage): Referral => ({ ...referral, stage: to, lastChangedAt: command.at });

  switch (command.type) {
    case 'record-contact':
      return ok({ referral: moved('contacted'), event: { ...base, type: 'intake.referral-contacted' } });
    case 'record-pre-screen':
      return ok({ referral: moved('pre-screened'), event: { ...base, type: 'intake.referral-pre-screened' } });
    case 'book-assessment': {
      if (command.appointmentAt.getTime() < command.at.getTime()) {
        return err({
          code: 'referral.appointment-before-booking',
          message: 'The assessment appointment is earlier than the time it was booked. Check the appointment date.',
        });
      }
      const booked: Referral = { ...moved('assessment-booked'), assessmentAppointmentAt: command.appointmentAt };
      const previous = referral.assessmentAppointmentAt;
      if (stage === 'assessment-booked' && previous) {
        return ok({
          referral: booked,
          event: {
            ...base,
            type: 'intake.referral-assessment-rescheduled',
            appointmentAt: command.appointmentAt,
            previousAppointmentAt: previous,
          },
        });
      }
      return ok({
        referral: booked,
        event: { ...base, type: 'intake.referral-assessment-booked', appointmentAt: command.appointmentAt },
      });
    }
    case 'record-assessment':
      return ok({ referral: moved('assessed'), event: { ...base, type: 'intake.referral-assessed' } });
    case 'admit':
      return ok({ referral: moved('admitted'), event: { ...base, type: 'intake.referral-admitted' } });
    default:
      return assertNever(command, 'referral command');
  }
}

function close(referral: Referral, stage: OpenStage, command: Extract<ReferralCommand, { type: 'close' }>): Result<ReferralChange, ReferralError> {
  const reason = command.reason;
  switch (reason.kind) {
    case 'other':
      if (reason.note.trim() === '') {
        return err({
          code: 'referral.close-note-required',
          message: 'Closing for "other" needs a note saying why, so the next coordinator understands.',
        });
      }
      break;
    case 'referred-elsewhere':
    case 'declined':
    case 'unreachable':
      break;
    default:
      return assertNever(reason, 'close reason');
  }
  return ok({
    referral: {
      ...referral,
      stage: 'closed',
      lastChangedAt: command.at,
      closure: { reason, closedAt: command.at, closedAtStage: stage },
    },
    event: {
      type: 'intake.referral-closed',
      referralId: referral.id,
      siteId: referral.siteId,
      occurredAt: command.at,
      reason: reason.kind,
      closedAtStage: stage,
    },
  });
}
