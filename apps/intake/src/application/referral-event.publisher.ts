import type { EntityManager } from 'typeorm';
import {
  ReferralAdmitted,
  ReferralAssessed,
  ReferralAssessmentBooked,
  ReferralAssessmentRescheduled,
  ReferralClosed,
  ReferralContacted,
  ReferralPreScreened,
  ReferralReceived,
} from '@iop/contracts';
import type { EventContext, Outbox } from '@iop/messaging';
import { assertNever, type PreScreenRouting, type ReferralEvent } from '../domain';

export interface ReferralEventExtras {
  readonly repeatCaller?: boolean;
  readonly routing?: PreScreenRouting;
  /** A transfer's or a readmission's earlier episode (referral-received only). */
  readonly priorEpisodeId?: string;
}

/** Puts the domain's event for a referral step in the outbox, in the caller's transaction: ids and codes only. */
export async function publishReferralEvent(
  outbox: Outbox,
  manager: EntityManager,
  event: ReferralEvent,
  patientId: string,
  context: EventContext,
  extras: ReferralEventExtras = {},
): Promise<void> {
  const base = { referralId: event.referralId, patientId, siteId: event.siteId, occurredAt: event.occurredAt.toISOString() };
  switch (event.type) {
    case 'intake.referral-received':
      await outbox.add(
        manager,
        ReferralReceived,
        {
          ...base,
          // v1's sources are the callers'; a transfer or readmission says so in `continues` instead (a compatible change).
          source: event.source === 'transfer' || event.source === 'aftercare' ? 'other-provider' : event.source,
          urgency: event.urgency,
          repeatCaller: extras.repeatCaller ?? false,
          ...(extras.priorEpisodeId ? { priorEpisodeId: extras.priorEpisodeId } : {}),
          ...(event.source === 'transfer' ? { continues: 'transfer' as const } : event.source === 'aftercare' ? { continues: 'readmission' as const } : {}),
        },
        context,
      );
      return;
    case 'intake.referral-contacted':
      await outbox.add(manager, ReferralContacted, base, context);
      return;
    case 'intake.referral-pre-screened':
      await outbox.add(manager, ReferralPreScreened, { ...base, routing: extras.routing ?? 'proceed-to-assessment' }, context);
      return;
    case 'intake.referral-assessment-booked':
      await outbox.add(manager, ReferralAssessmentBooked, { ...base, appointmentAt: event.appointmentAt.toISOString() }, context);
      return;
    case 'intake.referral-assessment-rescheduled':
      await outbox.add(
        manager,
        ReferralAssessmentRescheduled,
        { ...base, appointmentAt: event.appointmentAt.toISOString(), previousAppointmentAt: event.previousAppointmentAt.toISOString() },
        context,
      );
      return;
    case 'intake.referral-assessed':
      await outbox.add(manager, ReferralAssessed, base, context);
      return;
    case 'intake.referral-admitted':
      await outbox.add(manager, ReferralAdmitted, base, context);
      return;
    case 'intake.referral-closed':
      await outbox.add(manager, ReferralClosed, { ...base, reason: event.reason, closedAtStage: event.closedAtStage }, context);
      return;
    default:
      assertNever(event, 'referral event');
  }
}
