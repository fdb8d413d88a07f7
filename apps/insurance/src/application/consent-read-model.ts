import type { EntityManager } from 'typeorm';
import { ConsentGranted, ConsentRevoked, type PayloadOf } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';

type Granted = PayloadOf<typeof ConsentGranted>;
type Recipient = Granted['recipients'][number];

/**
 * Intake's consents as insurance needs them: enough to answer "may this site disclose this patient's records to
 * this payer, for payment, now?" (42 CFR Part 2). Written by the consumer; read before every 270.
 */
export const consentReadModelHandlers: readonly EventHandler[] = [
  onEvent(ConsentGranted, async (c, _meta, manager) => {
    await manager.query(
      `INSERT INTO insurance.consents (consent_id, site_id, patient_id, discloser, recipients, purposes, information, signed_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (consent_id) DO NOTHING`,
      [
        c.consentId,
        c.siteId,
        c.patientId,
        JSON.stringify(c.discloser),
        JSON.stringify(c.recipients),
        c.purposes,
        JSON.stringify(c.information),
        c.signedAt,
        c.expiresAt ?? null,
      ],
    );
  }),
  onEvent(ConsentRevoked, async (r, _meta, manager) => {
    await manager.query(
      `INSERT INTO insurance.consent_revocations (consent_id, site_id, patient_id, revoked_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (consent_id) DO UPDATE SET revoked_at = LEAST(consent_revocations.revoked_at, EXCLUDED.revoked_at)`,
      [r.consentId, r.siteId, r.patientId, r.revokedAt],
    );
  }),
];

export interface DisclosureQuestion {
  readonly siteId: string;
  readonly patientId: string;
  readonly payerId: string;
  readonly at: Date;
}

export type DisclosureAnswer = { readonly allowed: true; readonly consentId: string } | { readonly allowed: false; readonly missing: string };

interface ConsentRow {
  consent_id: string;
  discloser: Granted['discloser'];
  recipients: Recipient[];
  purposes: string[];
  information: Granted['information'];
  signed_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** An eligibility inquiry tells the payer the patient seeks this care: billing records, for payment. */
function coversEligibilityInquiry(row: ConsentRow, q: DisclosureQuestion): boolean {
  const discloserOk = row.discloser.kind === 'network' || row.discloser.id === q.siteId;
  const recipientOk = row.recipients.some(
    (r) => (r.kind === 'payer' && r.payerId === q.payerId) || (r.kind === 'class' && r.recipientClass === 'health-plans'),
  );
  const purposeOk = row.purposes.includes('payment');
  const informationOk = row.information === 'all-sud-records' || row.information.includes('billing-and-claims');
  const inForce = row.signed_at <= q.at && (row.expires_at === null || row.expires_at > q.at) && (row.revoked_at === null || row.revoked_at > q.at);
  return discloserOk && recipientOk && purposeOk && informationOk && inForce;
}

/** May site S disclose patient P's records to payer X for payment at this moment? */
export async function mayDiscloseForPayment(manager: EntityManager, q: DisclosureQuestion, payerName: string): Promise<DisclosureAnswer> {
  const rows = (await manager.query(
    `SELECT c.consent_id, c.discloser, c.recipients, c.purposes, c.information, c.signed_at, c.expires_at, r.revoked_at
       FROM insurance.consents c LEFT JOIN insurance.consent_revocations r USING (consent_id)
      WHERE c.patient_id = $1 AND c.site_id = $2`,
    [q.patientId, q.siteId],
  )) as ConsentRow[];
  const found = rows.find((row) => coversEligibilityInquiry(row, q));
  if (found) return { allowed: true, consentId: found.consent_id };
  return {
    allowed: false,
    missing:
      `no consent in force lets this site disclose the patient's records to ${payerName} (${q.payerId}) for payment ` +
      `(purpose "payment", recipient ${payerName} or "health-plans", information including billing and claims): ` +
      `record the patient's written consent in intake, then verify again`,
  };
}
