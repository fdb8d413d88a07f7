import type { EntityManager } from 'typeorm';
import { ConsentGranted, ConsentRevoked, type PayloadOf } from '@iop/contracts';
import { onEvent, type EventHandler } from '@iop/messaging';

import { decidePaymentDisclosure, type ConsentCopy } from '../domain/consent/payment-disclosure';

type Granted = PayloadOf<typeof ConsentGranted>;

/**
 * Intake's consents as insurance needs them: enough to answer "may this site disclose this patient's records to
 * this payer, for payment, now?" (42 CFR Part 2). Written by the consumer; read before every 270.
 */
export const consentReadModelHandlers: readonly EventHandler[] = [
  onEvent(ConsentGranted, async (c, _meta, manager) => {
    await manager.query(
      `INSERT INTO insurance.consents (consent_id, site_id, patient_id, discloser, disclosers, recipients, purposes, information, signed_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (consent_id) DO NOTHING`,
      [
        c.consentId,
        c.siteId,
        c.patientId,
        JSON.stringify(c.discloser),
        // Events from before `disclosers` existed name one discloser: that one is all insurance knows.
        JSON.stringify(c.disclosers ?? [c.discloser]),
        JSON.stringify(c.recipients),
        c.purposes,
        JSON.stringify(c.information),
        c.signedAt,
        c.expiresAt ?? null,
      ],
    );
  }),
  onEvent(ConsentRevoked, async (r, _meta, manager) => {
    // Waits for a disclosure being recorded under this consent (it holds the row FOR SHARE) and blocks new ones until
    // the revocation commits: a 270 either left before insurance knew of the revocation, or sees it.
    await manager.query(`SELECT 1 FROM insurance.consents WHERE consent_id = $1 FOR UPDATE`, [r.consentId]);
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
  patient_id: string;
  disclosers: ConsentCopy['disclosers'];
  recipients: Granted['recipients'];
  purposes: Granted['purposes'];
  information: Granted['information'];
  signed_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** The network the sites belong to, as intake knows it (the same setting): a consent may name a whole network. */
export function networkId(): string {
  return process.env['IOP_NETWORK_ID'] ?? '00000000-0000-4000-8000-000000000001';
}

/**
 * May site S disclose patient P's records to payer X for payment at this moment? Decided by the platform's one
 * consent rule (libs/domain). With `lock`, the patient's consents at the site are held FOR SHARE until the caller's
 * transaction ends, so a revocation being recorded meanwhile either waits for the disclosure or is seen by it:
 * use it in the transaction that records what leaves.
 */
export async function mayDiscloseForPayment(
  manager: EntityManager,
  q: DisclosureQuestion,
  payerName: string,
  opts: { lock?: boolean } = {},
): Promise<DisclosureAnswer> {
  if (opts.lock) {
    // Its own statement: once a pending revocation commits, the read below (a new snapshot) sees it.
    await manager.query(`SELECT 1 FROM insurance.consents WHERE patient_id = $1 AND site_id = $2 FOR SHARE`, [q.patientId, q.siteId]);
  }
  const rows = (await manager.query(
    `SELECT c.consent_id, c.patient_id, c.disclosers, c.recipients, c.purposes, c.information, c.signed_at, c.expires_at, r.revoked_at
       FROM insurance.consents c LEFT JOIN insurance.consent_revocations r USING (consent_id)
      WHERE c.patient_id = $1 AND c.site_id = $2`,
    [q.patientId, q.siteId],
  )) as ConsentRow[];
  const copies: ConsentCopy[] = rows.map((row) => ({
    consentId: row.consent_id,
    patientId: row.patient_id,
    disclosers: row.disclosers,
    recipients: row.recipients,
    purposes: row.purposes,
    information: row.information,
    signedAt: new Date(row.signed_at),
    expiresAt: row.expires_at ? new Date(row.expires_at) : null,
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
  }));
  const decision = decidePaymentDisclosure(copies, { ...q, networkId: networkId(), payerName });
  if (decision.allowed) return { allowed: true, consentId: decision.consentId };
  return {
    allowed: false,
    missing:
      `no consent in force lets this site disclose the patient's records to ${payerName} (${q.payerId}) for payment ` +
      `(purpose "payment", recipient ${payerName} or "health-plans", information including billing and claims): ` +
      `record the patient's written consent in intake, then verify again. ${decision.reason}`,
  };
}
