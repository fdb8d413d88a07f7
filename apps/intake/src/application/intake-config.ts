import type { Principal } from '@iop/auth';

/** Read on every use, so an operator (or a test) can change them without a restart. */
export const intakeConfig = {
  /** How long insurance has to answer a coverage request before it becomes a coordinator's follow-up task. */
  coverageAnswerTimeoutMs(): number {
    return positive(process.env['INTAKE_COVERAGE_ANSWER_TIMEOUT_MS'], 4 * 60 * 60 * 1000);
  },
  coverageSweepIntervalMs(): number {
    return positive(process.env['INTAKE_COVERAGE_SWEEP_INTERVAL_MS'], 60 * 1000);
  },
  /** How long a place offered to the head of the waitlist is held before it passes to the next person. */
  waitlistOfferTtlMs(): number {
    return positive(process.env['INTAKE_WAITLIST_OFFER_TTL_MS'], 48 * 60 * 60 * 1000);
  },
  waitlistOfferSweepIntervalMs(): number {
    return positive(process.env['INTAKE_WAITLIST_OFFER_SWEEP_INTERVAL_MS'], 5 * 60 * 1000);
  },
  /** The network the sites belong to: a consent may let "every programme of the network" disclose. */
  networkId(): string {
    return process.env['IOP_NETWORK_ID'] ?? '00000000-0000-4000-8000-000000000001';
  },
};

function positive(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Who the audit log names when the service acts on an event or a timer rather than a person's request. */
export function systemPrincipal(subject: string): Principal {
  return { subject: `system:${subject}`, roles: [], siteIds: [], allSites: true };
}
