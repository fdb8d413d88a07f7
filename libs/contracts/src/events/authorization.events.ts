import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';
import { PerDiemCode } from './attendance.events';

export const AuthorizationWarning = z.enum(['units-low', 'units-exhausted', 'ending-soon', 'ended']);

export const AuthorizationExpiring = defineEvent({
  type: 'insurance.authorization-expiring',
  version: 1,
  producer: 'insurance',
  topic: TOPICS.insuranceAuthorizations.name,
  schema: z.object({
    authorizationId: Id,
    patientId: Id,
    siteId: Id,
    payerId: z.string().min(1).max(80),
    serviceCode: PerDiemCode,
    unitsApproved: z.number().int().positive(),
    unitsUsed: z.number().int().min(0),
    unitsRemaining: z.number().int().min(0),
    endDate: z.iso.date(),
    /** Every warning now in force; `raised` are the ones this event is the first to report. */
    warnings: z.array(AuthorizationWarning).min(1),
    raised: z.array(AuthorizationWarning).min(1),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
  key: (p) => p.authorizationId,
  site: (p) => p.siteId,
  description:
    'A prior authorisation has five or fewer units left, none left, a week or less to run, or has ended: request a concurrent review or an extension before the next session. Raised once per warning.',
});
