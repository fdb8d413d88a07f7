import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';
import { ProgramType } from './coverage.events';

export const PatientAdmitted = defineEvent({
  type: 'intake.patient-admitted',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeAdmissions.name,
  schema: z.object({
    episodeId: Id,
    patientId: Id,
    referralId: Id,
    siteId: Id,
    programType: ProgramType,
    levelOfCare: z.enum(['1', '2.1', '2.5', '3.1', '3.3', '3.5', '3.7', '4', 'withdrawal-management']),
    plannedWeeklyHours: z.number().min(0).max(40),
    plannedStart: z.iso.date(),
    /**
     * Added in a compatible change: the episode this admission is a readmission of, when the referral came from
     * aftercare (`aftercare.readmission-referred`), so that readmission rates can be computed. Absent otherwise, and
     * on every admission published before it.
     */
    readmissionOf: Id.optional(),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
  key: (p) => p.episodeId,
  site: (p) => p.siteId,
  description:
    'A patient was admitted to an episode of care; scheduling enrols them in a track. `readmissionOf` names the earlier episode when this is a readmission.',
});

export const SafetyConcernRaised = defineEvent({
  type: 'intake.safety-concern-raised',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeSafety.name,
  schema: z.object({
    concernId: Id,
    referralId: Id,
    siteId: Id,
    riskLevel: z.enum(['low', 'moderate', 'high']),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
  key: (p) => p.referralId,
  site: (p) => p.siteId,
  description: 'A safety screen was positive: a clinician at the site must follow up at once.',
});
