import { eventually } from '@iop/testing';
import { CLEARINGHOUSE } from '../src/application/clearinghouse.port';
import type { HttpClearinghouse } from '../src/infrastructure/http-clearinghouse';
import { DataSource } from 'typeorm';
import { CoverageVerificationRequested } from '@iop/contracts';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { CoverageRequestWorker } from '../src/application/coverage-request.saga';
import { verificationRepository } from '../src/application/verification-repository';
import { aClinic, aPatient, api, grantConsent, publish, recordCoverage, startInsurance, type InsuranceKit } from './insurance-test-kit';

describe('when the clearinghouse is slow or down', () => {
  let kit: InsuranceKit;

  beforeAll(async () => {
    kit = await startInsurance(
      { CLEARINGHOUSE_TIMEOUT_MS: '300', CLEARINGHOUSE_RETRIES: '1', CLEARINGHOUSE_BREAKER_FAILURES: '2', CLEARINGHOUSE_BREAKER_OPEN_MS: '6000' },
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

    const sagaPatient = await consentedCoverage('ACTIVE');
    const down = await consentedCoverage('ERROR');
    await verify(down.clinic, down.coverage.coverageId).expect(201);
    expect(kit.simulator.requestsFor(down.coverage.memberId)).toBe(2);

    // Two failed exchanges: the breaker is open, and a healthy member is not even tried (what the payer saw, not how fast we answered).
    const healthy = await consentedCoverage('ACTIVE');
    const refused = await verify(healthy.clinic, healthy.coverage.coverageId).expect(201);
    expect(refused.body).toMatchObject({ status: 'awaiting-phone', reason: 'payer-unavailable' });
    expect(refused.body.outcome.messages[0]).toContain('circuit open');
    expect(kit.simulator.requestsFor(healthy.coverage.memberId)).toBe(0);

    // The open breaker reaches intake's saga too: an answer saying why and that a person follows up, and no 270 leaves.
    const requestId = crypto.randomUUID();
    await publish(kit.producer, CoverageVerificationRequested, {
      requestId,
      patientId: sagaPatient.coverage.patientId,
      referralId: crypto.randomUUID(),
      siteId: sagaPatient.clinic.siteId,
      programType: 'substance-use',
      serviceDate: '2026-12-01',
      answerBy: new Date(Date.now() + 3_600_000).toISOString(),
      occurredAt: new Date().toISOString(),
    });
    const [answer] = await eventually(() => {
      const got = kit.answers.get(requestId) ?? [];
      expect(got).toHaveLength(1);
      return got;
    });
    expect(answer).toMatchObject({ type: 'insurance.verification-failed', payload: { reason: 'payer-unavailable', followUpPending: true } });
    expect(kit.simulator.requestsFor(sagaPatient.coverage.memberId)).toBe(0);

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

  it('stores each 270 before sending it, so a send that times out is still on record', async () => {
    const slow = await consentedCoverage('SLOW');
    const res = await verify(slow.clinic, slow.coverage.coverageId).expect(201);
    expect(res.body).toMatchObject({ status: 'awaiting-phone', reason: 'payer-unavailable' });
    const exchanges = await kit.infra.adminQuery<{ direction: string; body: string }>(
      `SELECT direction, body FROM insurance.eligibility_exchanges WHERE verification_id = $1 ORDER BY exchange_id`,
      [res.body.verificationId],
    );
    // What was sent to the payer is evidence even with no answer: the 270 (sent again by the transport's retry), no 271.
    expect(exchanges.map((e) => e.direction)).toEqual(['270']);
    expect(kit.simulator.requestsFor(slow.coverage.memberId)).toBe(2);
    for (const e of exchanges) expect(e.body).toContain(slow.coverage.memberId);
  });

  it('two workers share the queue: each claims a different request, never the same one (SKIP LOCKED)', async () => {
    // The two workers are this test's transactions; the service's own worker stands down so it takes neither request.
    await kit.app.get(CoverageRequestWorker).onModuleDestroy();
    const clinic = await aClinic(kit);
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    for (const id of ids) {
      await kit.infra.adminQuery(
        `INSERT INTO insurance.verifications (verification_id, site_id, patient_id, service_date, program_type, request_id, status, requested_by, created_at, not_before)
         VALUES ($1, $2, $3, '2026-12-01', 'substance-use', $4, 'queued', 'intake.admission-saga', now() - interval '1 hour', now() + interval '1 hour')`,
        [id, clinic.siteId, crypto.randomUUID(), crypto.randomUUID()],
      );
    }
    // Due now, in one statement, so the running worker has no chance to take one between them.
    await kit.infra.adminQuery(`UPDATE insurance.verifications SET not_before = NULL WHERE verification_id = ANY($1)`, [ids]);
    const dataSource = kit.app.get(DataSource);
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstClaimed!: (id: string | undefined) => void;
    const firstClaim = new Promise<string | undefined>((r) => (firstClaimed = r));
    // Worker one claims and keeps its transaction open; worker two claims meanwhile.
    const one = inScopedTransaction(dataSource, ALL_SITES, async (m) => {
      firstClaimed((await verificationRepository.claimQueued(m))?.verificationId);
      await firstHolds;
    });
    const first = await firstClaim;
    const second = await inScopedTransaction(dataSource, ALL_SITES, async (m) => (await verificationRepository.claimQueued(m))?.verificationId);
    releaseFirst();
    await one;
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(first).not.toBe(second);
  });
});
