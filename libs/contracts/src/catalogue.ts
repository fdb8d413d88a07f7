import { z } from 'zod';
import type { EventDefinition } from './event-definition';
import {
  ProgramChanged,
  ProgramDefined,
  SessionCancelled,
  SessionRescheduled,
  SessionScheduled,
  SiteRegistered,
  SiteUpdated,
  TrackChanged,
  TrackDefined,
} from './events/scheduling.events';
import {
  AppointmentBooked,
  AppointmentCancelled,
  AppointmentRescheduled,
  EnrolmentChanged,
  PatientEnrolled,
  ReminderDue,
  SeatsBooked,
  SeatsReleased,
  TreatmentPlanUpdated,
} from './events/enrolment.events';
import { ConsentGranted, ConsentRevoked } from './events/consent.events';
import {
  CoverageRejected,
  CoverageRequestCancelled,
  CoverageVerificationFailed,
  CoverageVerificationRequested,
  CoverageVerified,
} from './events/coverage.events';
import { PatientAdmitted, SafetyConcernRaised } from './events/admission.events';
import {
  AttendanceCorrected,
  AttendanceRecorded,
  BillableDayRecorded,
  BillableDayVoided,
  GroupSessionDocumented,
  GroupSessionUndocumented,
  OutreachNeeded,
  WeeklyHoursAtRisk,
} from './events/attendance.events';
import { AttendanceFactRecorded, AttendanceWeekComputed, SiteWeekComputed } from './events/analytics.events';
import { AuthorizationExpiring } from './events/authorization.events';
import { DischargeAmended, PatientDischarged, ReadmissionReferred } from './events/discharge.events';
import { AlumniJoined, AlumniLeft } from './events/alumni.events';
import {
  AftercarePlanCreated,
  AftercarePlanUpdated,
  AftercareSafetyConcernRaised,
  AftercareSiteMonthComputed,
  FollowUpCompleted,
  FollowUpDue,
  FollowUpMissed,
  OutcomeRecorded,
} from './events/follow-up.events';
import {
  ReferralAdmitted,
  ReferralAssessed,
  ReferralAssessmentBooked,
  ReferralAssessmentRescheduled,
  ReferralClosed,
  ReferralContacted,
  ReferralPreScreened,
  ReferralReceived,
} from './events/referral.events';

/** Every event definition the platform produces. Consumers look definitions up here by type and version. */
export const EVENT_CATALOGUE: readonly EventDefinition[] = [
  SiteRegistered,
  SiteUpdated,
  ProgramDefined,
  ProgramChanged,
  TrackDefined,
  TrackChanged,
  SessionScheduled,
  SessionRescheduled,
  SessionCancelled,
  PatientEnrolled,
  EnrolmentChanged,
  SeatsBooked,
  SeatsReleased,
  TreatmentPlanUpdated,
  AppointmentBooked,
  AppointmentRescheduled,
  AppointmentCancelled,
  ReminderDue,
  ConsentGranted,
  ConsentRevoked,
  CoverageVerificationRequested,
  CoverageRequestCancelled,
  CoverageVerified,
  CoverageRejected,
  CoverageVerificationFailed,
  PatientAdmitted,
  SafetyConcernRaised,
  ReferralReceived,
  ReferralContacted,
  ReferralPreScreened,
  ReferralAssessmentBooked,
  ReferralAssessmentRescheduled,
  ReferralAssessed,
  ReferralAdmitted,
  ReferralClosed,
  AuthorizationExpiring,
  PatientDischarged,
  DischargeAmended,
  ReadmissionReferred,
  AlumniJoined,
  AlumniLeft,
  AftercarePlanCreated,
  AftercarePlanUpdated,
  FollowUpDue,
  FollowUpMissed,
  FollowUpCompleted,
  OutcomeRecorded,
  AftercareSafetyConcernRaised,
  AftercareSiteMonthComputed,
  AttendanceRecorded,
  AttendanceCorrected,
  BillableDayRecorded,
  BillableDayVoided,
  WeeklyHoursAtRisk,
  OutreachNeeded,
  GroupSessionDocumented,
  GroupSessionUndocumented,
  AttendanceFactRecorded,
  AttendanceWeekComputed,
  SiteWeekComputed,
];

export class EventRegistry {
  private readonly byKey = new Map<string, EventDefinition>();

  constructor(definitions: readonly EventDefinition[] = EVENT_CATALOGUE) {
    for (const d of definitions) this.add(d);
  }

  add(definition: EventDefinition): void {
    const key = `${definition.type}@${definition.version}`;
    if (this.byKey.has(key)) throw new Error(`event ${key} is defined twice`);
    this.byKey.set(key, definition);
  }

  find(type: string, version: number): EventDefinition | undefined {
    return this.byKey.get(`${type}@${version}`);
  }

  all(): EventDefinition[] {
    return [...this.byKey.values()];
  }
}

/** JSON Schema (draft 2020-12) of one event payload, for outsiders (analysts, other teams). */
export function payloadJsonSchema(definition: EventDefinition): Record<string, unknown> {
  return z.toJSONSchema(definition.schema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
}
