import { z } from 'zod';
import { CONSENT_PURPOSE_KINDS, RECORD_KINDS } from '@iop/domain';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';

/**
 * The parts of a written consent other services need to decide whether a disclosure is allowed:
 * who may disclose, to whom, for what, what information, until when. Codes and ids only: the
 * consent document itself (names, signature, free text) stays in intake.
 */
// The vocabulary is the consent rule's own (libs/domain): an event cannot name a purpose or record kind the rule does not know.
export const ConsentPurposeCode = z.enum(CONSENT_PURPOSE_KINDS);
export const RecordKindCode = z.enum(RECORD_KINDS);

/** A programme (a site, by id) or a network of programmes (by network id). */
export const ConsentDiscloser = z.object({ kind: z.enum(['site', 'network']), id: Id });

export const ConsentRecipient = z.discriminatedUnion('kind', [
  /** A named organisation the platform knows by id, e.g. a payer in insurance's directory. */
  z.object({ kind: z.literal('payer'), payerId: z.string().min(1).max(80) }),
  z.object({ kind: z.literal('organisation'), organisationId: Id }),
  z.object({ kind: z.literal('class'), recipientClass: z.enum(['treating-providers', 'health-plans']) }),
]);

export const ConsentGranted = defineEvent({
  type: 'intake.consent-granted',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeConsents.name,
  schema: z.object({
    consentId: Id,
    patientId: Id,
    siteId: Id,
    /** The programme or network allowed to disclose (one of `disclosers`: a network designation when there is one). */
    discloser: ConsentDiscloser,
    /**
     * Every programme and network the consent lets disclose. Added in a compatible change: absent from events
     * published before it, when `discloser` is the only one known.
     */
    disclosers: z.array(ConsentDiscloser).min(1).optional(),
    recipients: z.array(ConsentRecipient).min(1),
    purposes: z.array(ConsentPurposeCode).min(1),
    information: z.union([z.literal('all-sud-records'), z.array(RecordKindCode).min(1)]),
    signedAt: z.iso.datetime({ offset: true }),
    /** Absent when the consent ends on an event or never (treatment, payment and operations only). */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: "A patient signed a written consent to disclose their records; carries the consent's scope, not the document.",
});

export const ConsentRevoked = defineEvent({
  type: 'intake.consent-revoked',
  version: 1,
  producer: 'intake',
  topic: TOPICS.intakeConsents.name,
  schema: z.object({
    consentId: Id,
    patientId: Id,
    siteId: Id,
    revokedAt: z.iso.datetime({ offset: true }),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: 'A patient revoked a consent; disclosures under it stop from revokedAt.',
});
