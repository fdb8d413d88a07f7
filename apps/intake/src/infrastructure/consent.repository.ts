import type { EntityManager } from 'typeorm';
import type { Consent, ConsentDraft, RecipientDesignation, Revocation } from '../domain';
import type { RecordConsentBody } from '../api/consent.schemas';

/** The form as the coordinator entered it (payer or organisation recipients kept apart), plus any revocation. */
export interface ConsentDocument extends RecordConsentBody {
  readonly revocation?: Omit<Revocation, 'revokedAt'> & { readonly revokedAt: string };
}

export interface StoredConsent {
  readonly consentId: string;
  readonly patientId: string;
  readonly siteId: string;
  readonly document: ConsentDocument;
}

interface ConsentRow {
  consent_id: string;
  patient_id: string;
  site_id: string;
  document: ConsentDocument;
}

/** The domain's draft from the stored form; the payer or organisation id becomes the named recipient's id. */
export function consentDraft(consentId: string, patient: { patientId: string; name: string }, doc: RecordConsentBody): ConsentDraft {
  const recipients = doc.recipients?.map((r): RecipientDesignation => {
    switch (r.kind) {
      case 'payer':
        return { kind: 'named', recipientId: r.payerId, name: r.name };
      case 'organisation':
        return { kind: 'named', recipientId: r.organisationId, name: r.name };
      case 'class':
        return { kind: 'class', recipientClass: r.recipientClass, description: r.description };
    }
  });
  return {
    id: consentId,
    patient,
    ...(doc.disclosers ? { disclosers: doc.disclosers } : {}),
    ...(recipients ? { recipients } : {}),
    ...(doc.purposes ? { purposes: doc.purposes } : {}),
    ...(doc.information ? { information: doc.information } : {}),
    ...(doc.expiry ? { expiry: doc.expiry.kind === 'date' ? { kind: 'date', expiresAt: new Date(doc.expiry.expiresAt) } : doc.expiry } : {}),
    ...(doc.signedAt ? { signedAt: new Date(doc.signedAt) } : {}),
    ...(doc.signatureMethod ? { signatureMethod: doc.signatureMethod } : {}),
    ...(doc.signer ? { signer: doc.signer } : {}),
    ...(doc.formStatements ? { formStatements: doc.formStatements } : {}),
  };
}

/** A stored consent as the domain's Consent; stored consents were validated when recorded. */
export function toDomainConsent(stored: StoredConsent): Consent {
  const draft = consentDraft(stored.consentId, { patientId: stored.patientId, name: stored.document.signer?.name ?? 'patient' }, stored.document);
  const revocation = stored.document.revocation;
  return {
    ...(draft as Consent),
    ...(revocation ? { revocation: { ...revocation, revokedAt: new Date(revocation.revokedAt) } } : {}),
  };
}

export const consentRepository = {
  async forPatient(manager: EntityManager, patientId: string): Promise<StoredConsent[]> {
    const rows: ConsentRow[] = await manager.query(`SELECT consent_id, patient_id, site_id, document FROM consents WHERE patient_id = $1 ORDER BY signed_at`, [
      patientId,
    ]);
    return rows.map((r) => ({ consentId: r.consent_id, patientId: r.patient_id, siteId: r.site_id, document: r.document }));
  },

  async find(manager: EntityManager, consentId: string, lock = false): Promise<StoredConsent | null> {
    const rows: ConsentRow[] = await manager.query(
      `SELECT consent_id, patient_id, site_id, document FROM consents WHERE consent_id = $1${lock ? ' FOR UPDATE' : ''}`,
      [consentId],
    );
    const row = rows[0];
    return row ? { consentId: row.consent_id, patientId: row.patient_id, siteId: row.site_id, document: row.document } : null;
  },

  async insert(manager: EntityManager, stored: StoredConsent, consent: Consent, recordedBy: string): Promise<void> {
    await manager.query(
      `INSERT INTO consents (consent_id, patient_id, site_id, document, signed_at, expires_at, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())`,
      [
        stored.consentId,
        stored.patientId,
        stored.siteId,
        JSON.stringify(stored.document),
        consent.signedAt,
        consent.expiry.kind === 'date' ? consent.expiry.expiresAt : null,
        recordedBy,
      ],
    );
  },

  async saveRevocation(manager: EntityManager, stored: StoredConsent, revokedAt: Date): Promise<void> {
    await manager.query(`UPDATE consents SET document = $2, revoked_at = $3 WHERE consent_id = $1`, [
      stored.consentId,
      JSON.stringify(stored.document),
      revokedAt,
    ]);
  },
};
