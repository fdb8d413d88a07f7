import { CoverageRequestCancelled, CoverageVerificationRequested, PatientAdmitted, type PayloadOf } from '@iop/contracts';
import { eventually } from '@iop/testing';
import { MonthlyReverification } from '../src/application/monthly-reverification';
import { aClinic, aPatient, api, grantConsent, publish, recordCoverage, startInsurance, type Answer, type InsuranceKit } from './insurance-test-kit';

describe("insurance answers intake's coverage-verification requests (admission saga)", () => {
  let kit: InsuranceKit;

  beforeAll(async () => {
    // A short wait for consents a request names, so the test of giving up on one stays quick.
    kit = await startInsurance({ VERIFICATION_CONSENT_WAIT_SECONDS: '5' });
  });
  afterAll(async () => {
    await kit?.close();
  });

  async function ask(siteId: string, patientId: string, overrides: Partial<PayloadOf<typeof CoverageVerificationRequested>> = {}) {
    const request = {
      requestId: crypto.randomUUID(),
      patientId,
      referralId: crypto.randomUUID(),
      siteId,
      programType: 'substance-use' as const,
      serviceDate: '2026-12-01',
      answerBy: new Date(Date.now() + 3_600_000).toISOString(),
      occurredAt: new Date().toISOString(),
      ...overrides,
    };
    await publish(kit.producer, CoverageVerificationRequested, request);
    return request;
  }

  const answersTo = (requestId: string, count = 1) =>
    eventually(
      () => {
        const got = kit.answers.get(requestId) ?? [];
        expect(got.length).toBeGreaterThanOrEqual(count);
        return got;
      },
      { timeoutMs: 30_000 },
    );

  it('answers coverage-verified, correlated by requestId, when coverage and consent are on file', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic);
    await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
    const request = await ask(clinic.siteId, coverage.patientId);
    const [answer] = await answersTo(request.requestId);
    expect(answer).toMatchObject<Partial<Answer>>({ type: 'insurance.coverage-verified' });
    expect(answer!.payload).toMatchObject({
      patientId: coverage.patientId,
      siteId: clinic.siteId,
      payerId: 'cigna',
      method: 'electronic',
      authorizationRequired: true,
      carveOut: false,
    });
    // The answer carries no member id or name.
    expect(JSON.stringify(answer!.payload)).not.toContain(coverage.memberId);
    const [row] = await kit.infra.adminQuery<{ status: string }>(`SELECT status FROM insurance.verifications WHERE verification_id = $1`, [
      answer!.payload.verificationId,
    ]);
    expect(row).toEqual({ status: 'verified' });
  });

  it('answers verification-failed (no-coverage-on-file) when the patient has no coverage at the site', async () => {
    const clinic = await aClinic(kit);
    const request = await ask(clinic.siteId, crypto.randomUUID());
    const [answer] = await answersTo(request.requestId);
    expect(answer).toMatchObject({ type: 'insurance.verification-failed', payload: { reason: 'no-coverage-on-file', followUpPending: false } });
  });

  it('answers verification-failed (consent-missing) and sends no 270 without consent', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic);
    const request = await ask(clinic.siteId, coverage.patientId);
    const [answer] = await answersTo(request.requestId);
    expect(answer).toMatchObject({ type: 'insurance.verification-failed', payload: { reason: 'consent-missing', followUpPending: false } });
    expect(kit.simulator.requestsFor(coverage.memberId)).toBe(0);
  });

  it('a request that overtakes the consent it names waits for the consent, then answers coverage-verified', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic);
    const consentId = crypto.randomUUID();
    const request = await ask(clinic.siteId, coverage.patientId, { consentId });
    // The request is picked up and put back while intake's consent is still on its way.
    await eventually(async () =>
      expect(
        await kit.infra.adminQuery(`SELECT 1 FROM insurance.verifications WHERE request_id = $1 AND not_before IS NOT NULL`, [request.requestId]),
      ).toHaveLength(1),
    );
    expect(kit.answers.get(request.requestId)).toBeUndefined();
    await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna', { consentId });
    const [answer] = await answersTo(request.requestId);
    expect(answer).toMatchObject({ type: 'insurance.coverage-verified', payload: { method: 'electronic' } });
    expect(kit.simulator.requestsFor(coverage.memberId)).toBe(1);
  });

  it('a request intake withdraws before it reaches the payer is never sent, even once its consent arrives', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic);
    const consentId = crypto.randomUUID();
    const request = await ask(clinic.siteId, coverage.patientId, { consentId });
    const status = async () =>
      (await kit.infra.adminQuery(`SELECT status, reason FROM insurance.verifications WHERE request_id = $1`, [request.requestId]))[0] as {
        status: string;
        reason: string | null;
      };
    await eventually(async () => expect(await status()).toMatchObject({ status: 'queued' }));
    await publish(kit.producer, CoverageRequestCancelled, {
      requestId: request.requestId,
      patientId: request.patientId,
      referralId: request.referralId,
      siteId: clinic.siteId,
      reason: 'cancelled-by-coordinator',
      occurredAt: new Date().toISOString(),
    });
    await eventually(async () => expect(await status()).toEqual({ status: 'failed', reason: 'withdrawn-by-intake' }));
    await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna', { consentId });
    // A later request for the same patient shares the partition: once it is answered, the withdrawn one had its chance.
    const later = await ask(clinic.siteId, coverage.patientId);
    await answersTo(later.requestId);
    expect(kit.answers.get(request.requestId)).toBeUndefined();
    expect(kit.simulator.requestsFor(coverage.memberId)).toBe(1);
  });

  it('a request naming a consent that never arrives answers consent-missing once the wait is over, and no 270 leaves', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic);
    const asked = Date.now();
    const request = await ask(clinic.siteId, coverage.patientId, { consentId: crypto.randomUUID() });
    const [answer] = await answersTo(request.requestId);
    expect(answer).toMatchObject({ type: 'insurance.verification-failed', payload: { reason: 'consent-missing' } });
    expect(Date.now() - asked).toBeGreaterThanOrEqual(5_000);
    expect(kit.simulator.requestsFor(coverage.memberId)).toBe(0);
  });

  it('answers coverage-rejected when the payer does not know the member', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic, aPatient({ memberId: `AAA72${Math.floor(Math.random() * 1e9)}` }));
    await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
    const request = await ask(clinic.siteId, coverage.patientId);
    const [answer] = await answersTo(request.requestId);
    expect(answer).toMatchObject({ type: 'insurance.coverage-rejected', payload: { reason: 'member-not-found', method: 'electronic' } });
  });

  it('a phone-only payer: verification-failed with a follow-up pending, then coverage-verified by phone for the same request', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic, aPatient({ payerId: 'beech-street' }));
    await grantConsent(kit, clinic.siteId, coverage.patientId, 'beech-street');
    const request = await ask(clinic.siteId, coverage.patientId);
    const [first] = await answersTo(request.requestId);
    expect(first).toMatchObject({ type: 'insurance.verification-failed', payload: { reason: 'not-offered-electronically', followUpPending: true } });

    const tasks = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/phone-tasks`).expect(200);
    expect(tasks.body).toHaveLength(1);
    await api(kit, clinic.coordinator)
      .post(`/sites/${clinic.siteId}/phone-tasks/${tasks.body[0].taskId}/complete`, {
        representative: 'Sam at Beech Street',
        callReference: 'BS-100',
        coverageActive: true,
        authorizationRequired: true,
      })
      .expect(200);
    const answers = await answersTo(request.requestId, 2);
    expect(answers[1]).toMatchObject({
      type: 'insurance.coverage-verified',
      payload: { requestId: request.requestId, verificationId: first!.payload.verificationId, method: 'phone', authorizationRequired: true },
    });
  });

  it('the same request sent twice is answered once', async () => {
    const clinic = await aClinic(kit);
    const patientId = crypto.randomUUID();
    const request = await ask(clinic.siteId, patientId);
    await publish(kit.producer, CoverageVerificationRequested, request);
    // A later request for the same patient shares the partition and the answers' key: once it is answered, the
    // duplicate before it has been handled, and any second answer to it would already be here.
    const later = await ask(clinic.siteId, patientId);
    await answersTo(later.requestId);
    expect(kit.answers.get(request.requestId)).toHaveLength(1);
  });

  it('patients in treatment are re-verified once in each month, asking the payer again rather than the cached answer, without answering intake', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic);
    await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
    const today = new Date().toISOString().slice(0, 10);
    const started = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    const episodeId = crypto.randomUUID();
    await publish(kit.producer, PatientAdmitted, {
      episodeId,
      patientId: coverage.patientId,
      referralId: crypto.randomUUID(),
      siteId: clinic.siteId,
      programType: 'substance-use',
      levelOfCare: '2.1',
      plannedWeeklyHours: 9,
      plannedStart: started,
      occurredAt: new Date().toISOString(),
    });
    await eventually(async () => expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.episodes WHERE episode_id = $1`, [episodeId])).toHaveLength(1));
    const scheduler = kit.app.get(MonthlyReverification);
    expect(await scheduler.queueDue(today)).toBeGreaterThanOrEqual(1);
    await eventually(async () => {
      const rows = await kit.infra.adminQuery<{ status: string; requested_by: string }>(
        `SELECT status, requested_by FROM insurance.verifications WHERE patient_id = $1`,
        [coverage.patientId],
      );
      expect(rows).toEqual([{ status: 'verified', requested_by: 'monthly-reverification' }]);
    });
    expect(kit.simulator.requestsFor(coverage.memberId)).toBe(1);
    await scheduler.queueDue(today);
    expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.verifications WHERE patient_id = $1`, [coverage.patientId])).toHaveLength(1);

    // The next month: one more verification, sent to the payer although this month's answer is minutes old.
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    expect(await scheduler.queueDue(nextMonth)).toBeGreaterThanOrEqual(1);
    await scheduler.queueDue(nextMonth);
    await eventually(async () => {
      const rows = await kit.infra.adminQuery<{ status: string; service_date: string }>(
        `SELECT status, to_char(service_date, 'YYYY-MM-DD') AS service_date FROM insurance.verifications WHERE patient_id = $1 ORDER BY service_date`,
        [coverage.patientId],
      );
      expect(rows).toEqual([
        { status: 'verified', service_date: today },
        { status: 'verified', service_date: nextMonth },
      ]);
    });
    expect(kit.simulator.requestsFor(coverage.memberId)).toBe(2);
    expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.outbox WHERE key = $1`, [coverage.patientId])).toHaveLength(0);
  });

  it('a request whose worker died mid-way is taken up again and answered', async () => {
    const clinic = await aClinic(kit);
    const requestId = crypto.randomUUID();
    await kit.infra.adminQuery(
      `INSERT INTO insurance.verifications (verification_id, site_id, patient_id, service_date, program_type, request_id, status, requested_by, claimed_at)
       VALUES ($1, $2, $3, '2026-12-01', 'substance-use', $4, 'in-progress', 'intake.admission-saga', now() - interval '10 minutes')`,
      [crypto.randomUUID(), clinic.siteId, crypto.randomUUID(), requestId],
    );
    const [answer] = await answersTo(requestId);
    expect(answer).toMatchObject({ type: 'insurance.verification-failed', payload: { reason: 'no-coverage-on-file' } });
  });
});
