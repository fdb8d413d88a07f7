import { Injectable } from '@nestjs/common';
import { ConsentGranted, ConsentRevoked, type PayloadOf } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { UnitOfWork } from '@iop/platform';
import { decideDisclosure, revokeConsent, validateConsent, type Consent, type DisclosureDecision } from '../domain';
import type { DisclosureQuestion, RecordConsentBody, RevokeConsentBody } from '../api/consent.schemas';
import { consentDraft, consentRepository, toDomainConsent, type StoredConsent } from '../infrastructure/consent.repository';
import { patientRepository } from '../infrastructure/patient.repository';
import { auditPatient } from './audit';
import { intakeConfig } from './intake-config';
import { patientNotFound, refuse } from './intake-errors';

export interface ConsentView {
  readonly consentId: string;
  readonly patientId: string;
  readonly siteId: string;
  readonly signedAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly writtenConfirmationNeeded: boolean;
  readonly form: RecordConsentBody;
}

function consentView(stored: StoredConsent, consent: Consent): ConsentView {
  const { revocation, ...form } = stored.document;
  return {
    consentId: stored.consentId,
    patientId: stored.patientId,
    siteId: stored.siteId,
    signedAt: consent.signedAt.toISOString(),
    expiresAt: consent.expiry.kind === 'date' ? consent.expiry.expiresAt.toISOString() : null,
    revokedAt: revocation?.revokedAt ?? null,
    writtenConfirmationNeeded: revocation?.writtenConfirmationNeeded ?? false,
    form,
  };
}

/** The consent's scope for other services' read models: codes and ids, never the signed document. */
function grantedEvent(stored: StoredConsent, consent: Consent): PayloadOf<typeof ConsentGranted> {
  const doc = stored.document;
  // The event names one discloser: a network designation covers its programmes, so it wins over a single programme.
  const network = doc.disclosers?.find((d) => d.kind === 'network');
  const program = doc.disclosers?.find((d) => d.kind === 'program');
  const discloser =
    network?.kind === 'network'
      ? { kind: 'network' as const, id: network.networkId }
      : { kind: 'site' as const, id: program?.kind === 'program' ? program.programId : stored.siteId };
  // Every designation too, so a reader applies the same rule as intake (libs/domain) to all of them.
  const disclosers = consent.disclosers.map((d) =>
    d.kind === 'network' ? { kind: 'network' as const, id: d.networkId } : { kind: 'site' as const, id: d.programId },
  );
  return {
    consentId: stored.consentId,
    patientId: stored.patientId,
    siteId: stored.siteId,
    discloser,
    disclosers,
    recipients: (doc.recipients ?? []).map((r) => {
      switch (r.kind) {
        case 'payer':
          return { kind: 'payer' as const, payerId: r.payerId };
        case 'organisation':
          return { kind: 'organisation' as const, organisationId: r.organisationId };
        case 'class':
          return { kind: 'class' as const, recipientClass: r.recipientClass };
      }
    }),
    purposes: [...new Set(consent.purposes.map((p) => p.kind))],
    information: consent.information.kind === 'all-sud-records' ? 'all-sud-records' : [...consent.information.categories],
    signedAt: consent.signedAt.toISOString(),
    ...(consent.expiry.kind === 'date' ? { expiresAt: consent.expiry.expiresAt.toISOString() } : {}),
    occurredAt: new Date().toISOString(),
  };
}

@Injectable()
export class RecordConsent {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  execute(patientId: string, body: RecordConsentBody): Promise<ConsentView> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const patient = await patientRepository.find(manager, patientId);
      if (!patient) throw patientNotFound(patientId);
      const consentId = crypto.randomUUID();
      const validated = validateConsent(consentDraft(consentId, { patientId, name: `${patient.givenName} ${patient.familyName}` }, body));
      if (!validated.ok)
        throw refuse(
          validated.error,
          validated.error.issues.map((i) => i.message),
        );
      const consent = validated.value;
      if (consent.expiry.kind === 'date' && consent.expiry.expiresAt.getTime() <= Date.now()) {
        throw refuse({
          code: 'consent.expired',
          message: `This consent expired on ${consent.expiry.expiresAt.toISOString().slice(0, 10)}; collect a current one.`,
        });
      }
      const stored: StoredConsent = { consentId, patientId, siteId: patient.siteId, document: body };
      await consentRepository.insert(manager, stored, consent, principal.subject);
      await this.outbox.add(manager, ConsentGranted, grantedEvent(stored, consent), { correlationId: consentId });
      await auditPatient(this.audit, manager, { principal, requestId }, 'create', `consent:${consentId}`, patient);
      return consentView(stored, consent);
    });
  }
}

@Injectable()
export class RevokeConsent {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  execute(patientId: string, consentId: string, body: RevokeConsentBody): Promise<ConsentView> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const stored = await consentRepository.find(manager, consentId, true);
      if (!stored || stored.patientId !== patientId) throw refuse({ code: 'consent.unknown', message: `patient ${patientId} has no consent ${consentId}` });
      const revokedAt = body.revokedAt ? new Date(body.revokedAt) : new Date();
      const revoked = revokeConsent(toDomainConsent(stored), { revokedAt, method: body.method, recordedBy: principal.subject });
      if (!revoked.ok) throw refuse(revoked.error);
      const revocation = revoked.value.revocation!;
      const updated: StoredConsent = {
        ...stored,
        document: { ...stored.document, revocation: { ...revocation, revokedAt: revocation.revokedAt.toISOString() } },
      };
      await consentRepository.saveRevocation(manager, updated, revokedAt);
      await this.outbox.add(
        manager,
        ConsentRevoked,
        { consentId, patientId, siteId: stored.siteId, revokedAt: revokedAt.toISOString(), occurredAt: new Date().toISOString() },
        { correlationId: consentId },
      );
      await auditPatient(this.audit, manager, { principal, requestId }, 'update', `consent:${consentId}`, { patientId, siteId: stored.siteId }, 'revoked');
      return consentView(updated, revoked.value);
    });
  }
}

@Injectable()
export class ConsentQueries {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  list(patientId: string): Promise<ConsentView[]> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const patient = await patientRepository.find(manager, patientId);
      if (!patient) throw patientNotFound(patientId);
      await auditPatient(this.audit, manager, { principal, requestId }, 'read', 'consents', patient);
      return (await consentRepository.forPatient(manager, patientId)).map((s) => consentView(s, toDomainConsent(s)));
    });
  }

  /** "May this site disclose this patient's records of this kind to this recipient for this purpose now?" */
  mayDisclose(patientId: string, question: DisclosureQuestion): Promise<DisclosureDecision> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const patient = await patientRepository.find(manager, patientId);
      if (!patient) throw patientNotFound(patientId);
      if (question.purpose === 'other' && !question.purposeDescription) {
        throw refuse({
          code: 'disclosure.purpose-description-required',
          message: 'Describe the purpose when it is "other": a consent covers only the purpose it states.',
        });
      }
      const consents = (await consentRepository.forPatient(manager, patientId)).map(toDomainConsent);
      await auditPatient(
        this.audit,
        manager,
        { principal, requestId },
        'read',
        'consents',
        patient,
        `disclosure check: ${question.purpose} to ${question.recipientKind}`,
      );
      return decideDisclosure(consents, {
        patientId,
        discloser: { programId: question.discloserSiteId, networkId: intakeConfig.networkId() },
        recipient: { recipientId: question.recipientId, name: `${question.recipientKind} ${question.recipientId}`, classes: question.recipientClasses },
        recordKind: question.recordKind,
        purpose: question.purpose === 'other' ? { kind: 'other', description: question.purposeDescription ?? '' } : { kind: question.purpose },
        at: question.at ? new Date(question.at) : new Date(),
      });
    });
  }
}
