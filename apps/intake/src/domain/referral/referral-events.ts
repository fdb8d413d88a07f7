import type { CloseReason, OpenStage, ReferralSource, Urgency } from './referral';

/*
 * Events carry identifiers and codes, never free text (a close note, a court's name): the note may hold PHI and
 * the stream is read by services and analysts that must not see it.
 */
interface ReferralEventBase {
  readonly referralId: string;
  readonly siteId: string;
  readonly occurredAt: Date;
}

export type ReferralEvent =
  | (ReferralEventBase & {
      readonly type: 'intake.referral-received';
      readonly source: ReferralSource;
      readonly urgency: Urgency;
    })
  | (ReferralEventBase & { readonly type: 'intake.referral-contacted' })
  | (ReferralEventBase & { readonly type: 'intake.referral-pre-screened' })
  | (ReferralEventBase & { readonly type: 'intake.referral-assessment-booked'; readonly appointmentAt: Date })
  | (ReferralEventBase & {
      readonly type: 'intake.referral-assessment-rescheduled';
      readonly appointmentAt: Date;
      readonly previousAppointmentAt: Date;
    })
  | (ReferralEventBase & { readonly type: 'intake.referral-assessed' })
  | (ReferralEventBase & { readonly type: 'intake.referral-admitted' })
  | (ReferralEventBase & {
      readonly type: 'intake.referral-closed';
      readonly reason: CloseReason['kind'];
      readonly closedAtStage: OpenStage;
    });

export type ReferralEventType = ReferralEvent['type'];

export const REFERRAL_EVENT_TYPES = [
  'intake.referral-received',
  'intake.referral-contacted',
  'intake.referral-pre-screened',
  'intake.referral-assessment-booked',
  'intake.referral-assessment-rescheduled',
  'intake.referral-assessed',
  'intake.referral-admitted',
  'intake.referral-closed',
] as const satisfies readonly ReferralEventType[];
