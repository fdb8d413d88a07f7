import { eventually } from '@iop/testing';
import { CLEARINGHOUSE } from '../src/application/clearinghouse.port';
import type { HttpClearinghouse } from '../src/infrastructure/http-clearinghouse';
import { aClinic, aPatient, api, grantConsent, recordCoverage, startInsurance, type InsuranceKit } from './insurance-test-kit';

describe('when the clearinghouse is slow or down', () => {
  let kit: InsuranceKit;

  beforeAll(async () => {
    kit = await startInsurance(
      { CLEARINGHOUSE_TIMEOUT_MS: '300', CLEARINGHOUSE_RETRIES: '1', CLEARINGHOUSE_BREAKER_FAILURES: '2', CLEARINGHOUSE_BREAKER_OPEN_MS: '2000' },
      { slowMs: 2000 },
    );
  });
  afterAll(async () => {
    await kit?.close();
  });

  async function consentedCoverage(memberPrefix: string) {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic, aPatient({ memberId: `${memberPrefix}${Math.floor(Math.random() * 1e9)}` }));
    await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
    return { clinic, coverage };
  }
  const verify = (clinic: { siteId: string; coordinator: string }, coverageId: string) =>
    api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/coverages/${coverageId}/verifications`, {
      serviceDate: '2026-12-01',
      programType: 'co-occurring',
    });

  it('times out, retries once, opens a phone task; after repeated failures the breaker opens and later closes again', async () => {
    const slow = await consentedCoverage('SLOW');
    const first = await verify(slow.clinic, slow.coverage.coverageId).expect(201);
    expect(first.body).toMatchObject({ status: 'awaiting-phone', reason: 'payer-unavailable', phoneTaskId: expect.any(String) });
    expect(first.body.outcome.messages[0]).toContain('did not answer within 300 ms');
    expect(kit.simulator.requestsFor(slow.coverage.memberId)).toBe(2); // the attempt and one retry

    const down = await consentedCoverage('ERROR');
    await verify(down.clinic, down.coverage.coverageId).expect(201);
    expect(kit.simulator.requestsFor(down.coverage.memberId)).toBe(2);

    // Two failed exchanges: the breaker is open, and a healthy member is not even tried (what the payer saw, not how fast we answered).
    const healthy = await consentedCoverage('ACTIVE');
    const refused = await verify(healthy.clinic, healthy.coverage.coverageId).expect(201);
    expect(refused.body).toMatchObject({ status: 'awaiting-phone', reason: 'payer-unavailable' });
    expect(refused.body.outcome.messages[0]).toContain('circuit open');
    expect(kit.simulator.requestsFor(healthy.coverage.memberId)).toBe(0);

    // After the open period one trial goes through, succeeds, and closes the breaker.
    const clearinghouse = kit.app.get<HttpClearinghouse>(CLEARINGHOUSE);
    expect(clearinghouse.breakerState).toBe('open');
    await eventually(() => expect(clearinghouse.breakerState).toBe('half-open'), { timeoutMs: 10_000 });
    const again = await api(kit, healthy.clinic.coordinator)
      .post(`/sites/${healthy.clinic.siteId}/verifications/${refused.body.verificationId}/reverify`, {})
      .expect(201);
    expect(again.body).toMatchObject({ status: 'verified' });
    expect(clearinghouse.breakerState).toBe('closed');
    expect(kit.simulator.requestsFor(healthy.coverage.memberId)).toBe(1);
  });
});
