/**
 * The topic catalogue. Services create missing topics from it at start (leaving existing ones alone),
 * the development broker creates them at launch, and deploy/ generates Kubernetes topics from it.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number;
  /** What the Kafka key is: the aggregate whose events must stay in order. */
  readonly key: string;
  readonly description: string;
  readonly compatibility: 'backward';
  /** Kafka `cleanup.policy`; absent means `delete` (kept for retentionMs). `compact` keeps the latest message per key. */
  readonly cleanupPolicy?: 'delete' | 'compact';
  /**
   * For topics read outside the platform: `limited-data-set` (pseudonymous patients with dates, HIPAA LDS: a data-use
   * agreement is needed) or `de-identified` (aggregates only). Absent: internal to the platform.
   */
  readonly dataClass?: 'limited-data-set' | 'de-identified';
}

const DAY = 24 * 60 * 60 * 1000;

export const TOPICS = {
  schedulingSites: {
    name: 'scheduling.sites',
    partitions: 3,
    retentionMs: -1,
    key: 'siteId',
    description: 'Site registrations and updates; compacted history of every clinic in the network.',
    compatibility: 'backward',
  },
  schedulingPrograms: {
    name: 'scheduling.programs',
    partitions: 3,
    retentionMs: -1,
    key: 'programId',
    description:
      "Programs a site runs (kind, population, level of care, weekly-hour range) and the tracks of recurring group sessions in them. Keyed by program so that a track's events follow its program's.",
    compatibility: 'backward',
  },
  schedulingSessions: {
    name: 'scheduling.sessions',
    partitions: 3,
    retentionMs: 365 * DAY,
    key: 'sessionId',
    description: 'Group sessions scheduled, moved and cancelled: what attendance builds its rosters from. Ids and times only, no patients.',
    compatibility: 'backward',
  },
  intakeConsents: {
    name: 'intake.consents',
    partitions: 3,
    retentionMs: -1,
    key: 'patientId',
    description: 'Disclosure consents granted and revoked (42 CFR Part 2 / HIPAA); other services keep a read model of them.',
    compatibility: 'backward',
  },
  intakeCoverageRequests: {
    name: 'intake.coverage-requests',
    partitions: 3,
    retentionMs: 30 * DAY,
    key: 'patientId',
    description: "Intake's requests that insurance verify a patient's coverage before admission (the admission saga).",
    compatibility: 'backward',
  },
  insuranceCoverageResults: {
    name: 'insurance.coverage-results',
    partitions: 3,
    retentionMs: 30 * DAY,
    key: 'patientId',
    description: "Insurance's answers to coverage verification requests, correlated by requestId.",
    compatibility: 'backward',
  },
  intakeAdmissions: {
    name: 'intake.admissions',
    partitions: 3,
    retentionMs: -1,
    key: 'episodeId',
    description: 'Patients admitted to an episode of care.',
    compatibility: 'backward',
  },
  intakeReferrals: {
    name: 'intake.referrals',
    partitions: 3,
    retentionMs: -1,
    key: 'referralId',
    description: "Each step of a referral's walk through intake (received, contacted, pre-screened, assessment booked, assessed, admitted, closed).",
    compatibility: 'backward',
  },
  intakeSafety: {
    name: 'intake.safety',
    partitions: 3,
    retentionMs: 90 * DAY,
    key: 'referralId',
    description: 'Urgent safety concerns from screens; clinicians must follow up at once.',
    compatibility: 'backward',
  },
  insuranceAuthorizations: {
    name: 'insurance.authorizations',
    partitions: 3,
    retentionMs: 365 * DAY,
    key: 'authorizationId',
    description: 'Warnings that a prior authorisation is running out of units or days, so someone asks the payer for more in time.',
    compatibility: 'backward',
  },
  attendanceSessions: {
    name: 'attendance.sessions',
    partitions: 3,
    retentionMs: -1,
    key: 'patientId',
    description:
      'Attendance recorded and corrected, billable days recorded and voided, weekly hours at risk and outreach needed, with patient ids: internal to the platform (insurance counts authorised units from billable days). Analysts read a pseudonymous stream, not this one.',
    compatibility: 'backward',
  },
  attendanceDocumentation: {
    name: 'attendance.documentation',
    partitions: 3,
    retentionMs: 365 * DAY,
    key: 'sessionId',
    description:
      "Group sessions' clinical documentation: a session's group note and its attendees' progress notes locked, or still undocumented 24 hours after the session. Ids, counts and times only, never note text.",
    compatibility: 'backward',
  },
  schedulingEnrolments: {
    name: 'scheduling.enrolments',
    partitions: 3,
    retentionMs: -1,
    key: 'patientId',
    description:
      "A patient's place in scheduling: enrolments, seats booked and released in group sessions, treatment plan hours, appointments. Ids and dates only.",
    compatibility: 'backward',
  },
  schedulingReminders: {
    name: 'scheduling.reminders',
    partitions: 3,
    retentionMs: 2 * DAY,
    key: 'holderId',
    description: 'Reminders due 24 hours and 2 hours before each commitment of a patient or clinician, for the notification service to send.',
    compatibility: 'backward',
  },
  analyticsAttendance: {
    name: 'analytics.attendance',
    partitions: 6,
    retentionMs: -1,
    key: 'factId',
    description:
      "The analysts' fact stream: one fact per patient per session, re-published with revision + 1 on each correction, kept forever so a consumer can rebuild from the beginning. Keyed by fact so that every revision of a fact stays in order (the patient key changes when the pseudonymisation key rotates). Pseudonymous, with dates.",
    compatibility: 'backward',
    dataClass: 'limited-data-set',
  },
  analyticsAttendanceWeekly: {
    name: 'analytics.attendance-weekly',
    partitions: 6,
    retentionMs: -1,
    key: 'patientKey:isoWeek',
    description:
      "Each patient's week (hours scheduled and attended, billable days, status counts, plan minimum met), latest row per key. Pseudonymous, with dates.",
    compatibility: 'backward',
    cleanupPolicy: 'compact',
    dataClass: 'limited-data-set',
  },
  analyticsSiteWeek: {
    name: 'analytics.site-week',
    partitions: 3,
    retentionMs: -1,
    key: 'siteId:isoWeek',
    description:
      "Each site's week in aggregate (census, attendance and no-show rates, hours per patient), counts under 11 suppressed, latest row per key. De-identified.",
    compatibility: 'backward',
    cleanupPolicy: 'compact',
    dataClass: 'de-identified',
  },
  aftercareDischarges: {
    name: 'aftercare.discharges',
    partitions: 3,
    retentionMs: -1,
    key: 'episodeId',
    description:
      'Episodes ending: a clinician signed a discharge (and later amendments). Every service ends its work for the episode from these. Ids, types and dates only.',
    compatibility: 'backward',
  },
  aftercareReferrals: {
    name: 'aftercare.referrals',
    partitions: 3,
    retentionMs: -1,
    key: 'patientId',
    description: 'Readmission referrals aftercare sends to intake after a follow-up finds relapse or high risk, linked to the prior episode.',
    compatibility: 'backward',
  },
  aftercareAlumni: {
    name: 'aftercare.alumni',
    partitions: 3,
    retentionMs: -1,
    key: 'patientId',
    description: "Discharged patients joining and leaving a site's alumni roster (their consent to alumni contact). Ids only.",
    compatibility: 'backward',
  },
  aftercarePlans: {
    name: 'aftercare.plans',
    partitions: 3,
    retentionMs: -1,
    key: 'episodeId',
    description: "Aftercare plans written and revised for discharged episodes: item kinds, owners and dates, never the plan's text.",
    compatibility: 'backward',
  },
  aftercareFollowUps: {
    name: 'aftercare.follow-ups',
    partitions: 3,
    retentionMs: 365 * DAY,
    key: 'episodeId',
    description: 'Follow-up contacts after discharge (+7, +30, +90 days) falling due, missed and completed. Ids, offsets and dates only.',
    compatibility: 'backward',
  },
  aftercareOutcomes: {
    name: 'aftercare.outcomes',
    partitions: 3,
    retentionMs: -1,
    key: 'episodeId',
    description: 'Outcome check-ins after discharge: PHQ-9, GAD-7 and BAM scores and days abstinent; scores only, never the answers.',
    compatibility: 'backward',
  },
  aftercareSafety: {
    name: 'aftercare.safety',
    partitions: 3,
    retentionMs: 90 * DAY,
    key: 'episodeId',
    description: 'Urgent safety concerns from check-ins after discharge (PHQ-9 item 9); a clinician at the site must follow up at once.',
    compatibility: 'backward',
  },
  analyticsAftercareSiteMonth: {
    name: 'analytics.aftercare-site-month',
    partitions: 3,
    retentionMs: -1,
    key: 'siteId:month',
    description:
      "Each site's month of discharges in aggregate (follow-up within 7 and 30 days, completion and against-advice rates, readmission within 30 and 90 days), counts under 11 suppressed, latest row per key. De-identified.",
    compatibility: 'backward',
    cleanupPolicy: 'compact',
    dataClass: 'de-identified',
  },
  deadLetterIntake: deadLetter('intake'),
  deadLetterInsurance: deadLetter('insurance'),
  deadLetterScheduling: deadLetter('scheduling'),
  deadLetterAttendance: deadLetter('attendance'),
  deadLetterAftercare: deadLetter('aftercare'),
} as const satisfies Record<string, TopicSpec>;

function deadLetter(service: string): TopicSpec {
  return {
    name: deadLetterTopic(service),
    partitions: 1,
    retentionMs: 30 * DAY,
    key: 'original key',
    description: `Events the ${service} service could not process after its retries, with the error and original headers.`,
    compatibility: 'backward',
  };
}

export function deadLetterTopic(consumerService: string): string {
  return `${consumerService}.dead-letter`;
}

export const ALL_TOPICS: readonly TopicSpec[] = Object.values(TOPICS);
