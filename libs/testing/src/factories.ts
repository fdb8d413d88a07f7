import type { PatientDischarged, PayloadOf } from '@iop/contracts';

let counter = 0;

/** A site registration body, distinct on every call. */
export function aSiteRegistration(overrides: Partial<{ name: string; timeZone: string; capacity: number }> = {}) {
  counter += 1;
  return {
    name: overrides.name ?? `Test Site ${counter} ${Math.random().toString(36).slice(2, 7)}`,
    address: { line1: `${counter} Harbor Way`, city: 'Boston', state: 'MA', postalCode: '02110' },
    timeZone: overrides.timeZone ?? 'America/New_York',
    capacity: overrides.capacity ?? 30,
  };
}

/**
 * Aftercare's `aftercare.patient-discharged` for an episode, as aftercare would publish it: a completed discharge
 * signed now, discharged today (UTC date) unless overridden. Other services' tests publish it to drive their reaction.
 */
export function aDischarge(
  episode: { episodeId: string; patientId: string; siteId: string },
  overrides: Partial<PayloadOf<typeof PatientDischarged>> = {},
): PayloadOf<typeof PatientDischarged> {
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  return {
    dischargeId: crypto.randomUUID(),
    ...episode,
    type: 'completed',
    reasonCode: 'goals-met',
    admittedOn: new Date(now.getTime() - 60 * 86_400_000).toISOString().slice(0, 10),
    dischargedOn: today,
    stepDown: null,
    stepUp: null,
    transferToSiteId: null,
    signedAt: now.toISOString(),
    occurredAt: now.toISOString(),
    ...overrides,
  };
}
