import { Client } from 'pg';
import { AuthorizationExpiring, CoverageVerificationRequested, PatientAdmitted, PatientDischarged, ReferralClosed } from '@iop/contracts';
import { aDischarge, eventually } from '@iop/testing';
import { AuthorizationSweep } from '../src/application/authorization-watch';
import { MonthlyReverification } from '../src/application/monthly-reverification';
import { aClinic, aPatient, api, grantConsent, publish, recordCoverage, revokeConsent, startInsurance, type InsuranceKit } from './insurance-test-kit';

/* Issue 8, E6-E8: consent checked at each disclosure; no endless 270s and no duplicate re-verifications; an ended episode's work stops. */
describe('insurance: consent at the moment of disclosure, bounded verification work, and episodes that end', () => {
  let kit: InsuranceKit;

  beforeAll(async () => {
    // A stalled claim is taken again after 1 s (not 120 s), so the attempt cap is reached within the test.
    kit = await startInsurance({ VERIFICATION_STALE_AFTER_SECONDS: '1', VERIFICATION_MAX_ATTEMPTS: '3' });
  });
  afterAll(async () => {
    await kit?.close();
  });

  const verify = (clinic: { siteId: string; coordinator: string }, coverageId: string) =>
    api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/coverages/${coverageId}/verifications`, {
      serviceDate: '2026-12-01',
      programType: 'substance-use',
    });

  async function admit(siteId: string, patientId: string): Promise<{ episodeId: string; referralId: string }> {
    const episodeId = crypto.randomUUID();
    const referralId = crypto.randomUUID();
    await publish(kit.producer, PatientAdmitted, {
      episodeId,
      patientId,
      referralId,
      siteId,
      programType: 'substance-use',
      levelOfCare: '2.1',
      plannedWeeklyHours: 9,
      plannedStart: new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10),
      occurredAt: new Date().toISOString(),
    });
    await eventually(async () => expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.episodes WHERE episode_id = $1`, [episodeId])).toHaveLength(1));
    return { episodeId, referralId };
  }

  const monthlyRows = (patientId: string) =>
    kit.infra.adminQuery(`SELECT status FROM insurance.verifications WHERE patient_id = $1 AND requested_by = 'monthly-reverification'`, [patientId]);

  describe('consent at the moment of disclosure (E6)', () => {
    it('a revocation recorded while the 270 is being prepared stops it: nothing leaves and the refusal is a 422', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic);
      const consentId = await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
      // The revocation's transaction (as insurance's consumer runs it) is open, not yet committed, when the verification starts.
      const revoking = new Client({ connectionString: kit.infra.databaseUrl });
      await revoking.connect();
      try {
        await revoking.query('BEGIN');
        await revoking.query(`SELECT 1 FROM insurance.consents WHERE consent_id = $1 FOR UPDATE`, [consentId]);
        await revoking.query(`INSERT INTO insurance.consent_revocations (consent_id, site_id, patient_id, revoked_at) VALUES ($1, $2, $3, $4)`, [
          consentId,
          clinic.siteId,
          coverage.patientId,
          new Date().toISOString(),
        ]);
        const pending = verify(clinic, coverage.coverageId).then((res) => res);
        // Either the verification waits on the consent row (checked at disclosure), or it finishes without waiting (checked earlier).
        await Promise.race([
          pending,
          eventually(async () =>
            expect(
              await kit.infra.adminQuery(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`),
            ).not.toHaveLength(0),
          ),
        ]);
        await revoking.query('COMMIT');
        const res = await pending;
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ code: 'consent.missing' });
        expect(res.body.detail).toContain('revoked consent');
      } finally {
        await revoking.end();
      }
      expect(kit.simulator.requestsFor(coverage.memberId)).toBe(0);
      expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.eligibility_exchanges WHERE patient_id = $1`, [coverage.patientId])).toHaveLength(0);
    });

    it('completing a phone verification after the consent was revoked is refused with a 422, and the task stays open', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic, aPatient({ payerId: 'multiplan' }));
      const consentId = await grantConsent(kit, clinic.siteId, coverage.patientId, 'multiplan');
      const opened = await verify(clinic, coverage.coverageId).expect(201);
      expect(opened.body).toMatchObject({ status: 'awaiting-phone', phoneTaskId: expect.any(String) });
      await revokeConsent(kit, clinic.siteId, coverage.patientId, consentId);
      const res = await api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/phone-tasks/${opened.body.phoneTaskId}/complete`, {
        representative: 'Dana at MultiPlan',
        callReference: 'REF-1',
        coverageActive: true,
        authorizationRequired: false,
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: 'consent.missing' });
      expect(res.body.detail).toContain('no longer allows');
      const [task] = await kit.infra.adminQuery(`SELECT status FROM insurance.phone_tasks WHERE task_id = $1`, [opened.body.phoneTaskId]);
      expect(task).toEqual({ status: 'open' });
      const [verification] = await kit.infra.adminQuery(`SELECT status FROM insurance.verifications WHERE verification_id = $1`, [opened.body.verificationId]);
      expect(verification).toEqual({ status: 'awaiting-phone' });
    });
  });

  describe('bounded verification work (E7)', () => {
    it('a verification whose worker keeps failing sends at most 3 270s, then becomes a phone task and intake is told', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic);
      await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
      // Every 271 for this patient fails to be stored: the worker dies after each 270, leaving the claim to go stale.
      await kit.infra.adminQuery(`CREATE OR REPLACE FUNCTION insurance.test_fail_271() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.direction = '271' AND NEW.patient_id = '${coverage.patientId}' THEN RAISE EXCEPTION 'simulated crash'; END IF; RETURN NEW; END $$`);
      await kit.infra.adminQuery(
        `CREATE TRIGGER test_fail_271 BEFORE INSERT ON insurance.eligibility_exchanges FOR EACH ROW EXECUTE FUNCTION insurance.test_fail_271()`,
      );
      try {
        const requestId = crypto.randomUUID();
        await publish(kit.producer, CoverageVerificationRequested, {
          requestId,
          patientId: coverage.patientId,
          referralId: crypto.randomUUID(),
          siteId: clinic.siteId,
          programType: 'substance-use',
          serviceDate: '2026-12-01',
          answerBy: new Date(Date.now() + 3_600_000).toISOString(),
          occurredAt: new Date().toISOString(),
        });
        const [answer] = await eventually(
          () => {
            const got = kit.answers.get(requestId) ?? [];
            expect(got.length).toBeGreaterThanOrEqual(1);
            return got;
          },
          { timeoutMs: 40_000 },
        );
        expect(answer).toMatchObject({ type: 'insurance.verification-failed', payload: { reason: 'payer-unavailable', followUpPending: true } });
        expect(kit.simulator.requestsFor(coverage.memberId)).toBe(3);
        const [row] = await kit.infra.adminQuery(`SELECT status, attempts FROM insurance.verifications WHERE request_id = $1`, [requestId]);
        expect(row).toEqual({ status: 'awaiting-phone', attempts: 3 });
        expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.phone_tasks WHERE patient_id = $1 AND status = 'open'`, [coverage.patientId])).toHaveLength(
          1,
        );
        // No further 270 once it is a person's task.
        await new Promise((r) => setTimeout(r, 2_000));
        expect(kit.simulator.requestsFor(coverage.memberId)).toBe(3);
      } finally {
        await kit.infra.adminQuery(`DROP TRIGGER test_fail_271 ON insurance.eligibility_exchanges`);
      }
    });

    it('monthly re-verification run by several replicas at once queues one re-verification per patient in treatment', async () => {
      const clinic = await aClinic(kit);
      const patients: string[] = [];
      for (let i = 0; i < 3; i++) {
        const coverage = await recordCoverage(kit, clinic);
        await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
        await admit(clinic.siteId, coverage.patientId);
        patients.push(coverage.patientId);
      }
      const scheduler = kit.app.get(MonthlyReverification);
      const today = new Date().toISOString().slice(0, 10);
      await Promise.all(Array.from({ length: 4 }, () => scheduler.queueDue(today)));
      for (const patientId of patients) expect(await monthlyRows(patientId)).toHaveLength(1);
    });
  });

  describe('an episode that ends (E8)', () => {
    it("a discharge (aftercare.patient-discharged over Kafka) stops the episode's monthly re-verification", async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic);
      await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
      const { episodeId } = await admit(clinic.siteId, coverage.patientId);
      await publish(kit.producer, PatientDischarged, aDischarge({ episodeId, patientId: coverage.patientId, siteId: clinic.siteId }));
      await eventually(async () =>
        expect(await kit.infra.adminQuery(`SELECT end_reason FROM insurance.episodes WHERE episode_id = $1`, [episodeId])).toEqual([
          { end_reason: 'discharged' },
        ]),
      );
      await kit.app.get(MonthlyReverification).queueDue(new Date().toISOString().slice(0, 10));
      expect(await monthlyRows(coverage.patientId)).toHaveLength(0);
      expect(kit.simulator.requestsFor(coverage.memberId)).toBe(0);
    });

    it('after the discharge, the authorisation sweep raises no more warnings for the patient', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic);
      const { episodeId } = await admit(clinic.siteId, coverage.patientId);
      const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
      const recorded = await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/authorizations`, {
          patientId: coverage.patientId,
          payerId: 'cigna',
          serviceCode: 'H0015',
          payerReference: `AUTH-${Math.floor(Math.random() * 1e6)}`,
          unitsApproved: 24,
          startDate: inDays(0),
          endDate: inDays(30),
        })
        .expect(201);
      await publish(kit.producer, PatientDischarged, aDischarge({ episodeId, patientId: coverage.patientId, siteId: clinic.siteId }));
      await eventually(async () =>
        expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.episodes WHERE episode_id = $1 AND ended_at IS NOT NULL`, [episodeId])).toHaveLength(1),
      );
      const sweep = kit.app.get(AuthorizationSweep);
      await sweep.sweep(inDays(25));
      await sweep.sweep(inDays(31));
      expect(
        await kit.infra.adminQuery(`SELECT 1 FROM insurance.outbox WHERE type = $1 AND payload->>'authorizationId' = $2`, [
          AuthorizationExpiring.type,
          recorded.body.authorizationId,
        ]),
      ).toHaveLength(0);
      expect(
        await kit.infra.adminQuery(`SELECT 1 FROM insurance.verifications WHERE patient_id = $1 AND requested_by = 'authorization-review'`, [
          coverage.patientId,
        ]),
      ).toHaveLength(0);
    });

    it('a referral closed (intake.referral-closed) ends its episode by the same path', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic);
      const { episodeId, referralId } = await admit(clinic.siteId, coverage.patientId);
      await publish(kit.producer, ReferralClosed, {
        referralId,
        patientId: coverage.patientId,
        siteId: clinic.siteId,
        reason: 'declined',
        closedAtStage: 'assessed',
        occurredAt: new Date().toISOString(),
      });
      await eventually(async () =>
        expect(await kit.infra.adminQuery(`SELECT end_reason FROM insurance.episodes WHERE episode_id = $1`, [episodeId])).toEqual([
          { end_reason: 'referral-closed' },
        ]),
      );
      await kit.app.get(MonthlyReverification).queueDue(new Date().toISOString().slice(0, 10));
      expect(await monthlyRows(coverage.patientId)).toHaveLength(0);
    });
  });
});
