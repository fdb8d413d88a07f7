import { DataSource } from 'typeorm';
import { ALL_SITES, inScopedTransaction, sitesScope } from '@iop/persistence';
import { tokenFor } from '@iop/testing';
import { aClinic, aPatient, api, grantConsent, recordCoverage, revokeConsent, startInsurance, type InsuranceKit } from './insurance-test-kit';

describe('insurance: payers, coverages and verification of benefits', () => {
  let kit: InsuranceKit;
  let networkAdmin: string;

  beforeAll(async () => {
    kit = await startInsurance({ VERIFICATION_CACHE_TTL_SECONDS: '600' });
    networkAdmin = await tokenFor('network_admin');
  });
  afterAll(async () => {
    await kit?.close();
  });

  const verify = (
    clinic: { siteId: string; coordinator: string },
    coverageId: string,
    body: object = { serviceDate: '2026-12-01', programType: 'substance-use' },
  ) => api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/coverages/${coverageId}/verifications`, body);

  describe('payer directory', () => {
    it('lists the PPO payers the network accepts, with electronic ids and routing', async () => {
      const res = await api(kit, networkAdmin).get('/payers').expect(200);
      const names = (res.body as Array<{ name: string }>).map((p) => p.name);
      for (const name of [
        'Aetna',
        'Anthem',
        'Beech Street',
        'Blue Cross Blue Shield',
        'Cigna',
        'Harvard Pilgrim Health Care',
        'Magellan Healthcare',
        'MultiPlan',
        'Tufts Health Plan',
      ]) {
        expect(names).toContain(name);
      }
      expect(res.body).toHaveLength(13);
      expect(res.body).toContainEqual(expect.objectContaining({ payerId: 'multiplan', routing: 'phone', electronicPayerId: null }));
    });

    it('a network admin changes a payer; a coordinator may not', async () => {
      const res = await api(kit, networkAdmin).patch('/payers/tufts', { phone: '800-555-0199' }).expect(200);
      expect(res.body).toMatchObject({ payerId: 'tufts', phone: '800-555-0199', revision: 2 });
      const clinic = await aClinic(kit);
      await api(kit, clinic.coordinator).patch('/payers/tufts', { phone: '1' }).expect(403);
    });

    it('routing through the clearinghouse without an electronic id is refused and nothing changes', async () => {
      const res = await api(kit, networkAdmin).patch('/payers/multiplan', { routing: 'clearinghouse' }).expect(422);
      expect(res.body.detail).toContain('electronic payer id');
      expect((await api(kit, networkAdmin).get('/payers/multiplan').expect(200)).body).toMatchObject({ routing: 'phone', revision: 1 });
    });
  });

  describe('coverages', () => {
    it('a coordinator records a coverage and reads it back; every read is audited', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic);
      const res = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/patients/${coverage.patientId}/coverages`).expect(200);
      expect(res.body).toEqual([
        expect.objectContaining({ coverageId: coverage.coverageId, memberId: coverage.memberId, priority: 'primary', relationship: 'self' }),
      ]);
      await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/coverages/${coverage.coverageId}`).expect(200);
      const audit = await kit.infra.adminQuery<{ action: string }>(`SELECT action FROM insurance.audit_log WHERE patient_id = $1 ORDER BY id`, [
        coverage.patientId,
      ]);
      expect(audit.map((a) => a.action)).toEqual(['create', 'list', 'read']);
    });

    it('a dependent coverage needs the patient as well as the subscriber', async () => {
      const clinic = await aClinic(kit);
      const res = await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/coverages`, aPatient({ relationship: 'child' }))
        .expect(400);
      expect(res.body.detail).toContain("patient's name and birth date");
    });

    it('bad input is refused with the field named, and nothing is written', async () => {
      const clinic = await aClinic(kit);
      const body = { ...aPatient(), memberId: 'ABC*123', planBegin: '2026-02-30' };
      const res = await api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/coverages`, body).expect(400);
      expect(res.body.detail).toMatch(/memberId/);
      expect(res.body.detail).toMatch(/planBegin/);
      expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.coverages WHERE patient_id = $1`, [body.patientId])).toHaveLength(0);
    });

    it('an unknown payer is a 404 naming it', async () => {
      const clinic = await aClinic(kit);
      const res = await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/coverages`, aPatient({ payerId: 'acme-health' }))
        .expect(404);
      expect(res.body.detail).toContain('acme-health');
    });

    it("a coordinator of site A cannot read or verify site B's coverages, and row-level security backs the guard", async () => {
      const a = await aClinic(kit);
      const b = await aClinic(kit);
      const theirs = await recordCoverage(kit, b);
      const mine = await recordCoverage(kit, a);
      await api(kit, a.coordinator).get(`/sites/${b.siteId}/coverages/${theirs.coverageId}`).expect(403);
      await verify(a, theirs.coverageId).expect(404); // asked under A's site, B's coverage is not there
      await api(kit, a.coordinator)
        .post(`/sites/${b.siteId}/coverages/${theirs.coverageId}/verifications`, { serviceDate: '2026-12-01', programType: 'substance-use' })
        .expect(403);
      const rows = await inScopedTransaction(kit.app.get(DataSource), sitesScope([a.siteId]), (m) => m.query('SELECT coverage_id FROM insurance.coverages'));
      expect(rows.map((r: { coverage_id: string }) => r.coverage_id)).toEqual([mine.coverageId]);
    });
  });

  describe('the consent gate', () => {
    it('without a consent for that payer, no 270 leaves and the refusal names the missing consent', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic);
      // A consent for another payer does not count.
      await grantConsent(kit, clinic.siteId, coverage.patientId, 'aetna');
      const res = await verify(clinic, coverage.coverageId).expect(422);
      expect(res.body).toMatchObject({ code: 'consent.missing' });
      expect(res.body.detail).toContain('Cigna (cigna) for payment');
      expect(kit.simulator.requestsFor(coverage.memberId)).toBe(0);
      expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.eligibility_exchanges WHERE patient_id = $1`, [coverage.patientId])).toHaveLength(0);
    });

    it('a consent for treatment only, or an expired one, does not allow the disclosure', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic);
      await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna', { purposes: ['treatment'] });
      await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna', { expiresAt: new Date(Date.now() - 1000).toISOString() });
      await verify(clinic, coverage.coverageId).expect(422);
      expect(kit.simulator.requestsFor(coverage.memberId)).toBe(0);
    });

    it('with a consent the 270 goes out; once it is revoked, verification is refused again', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic);
      const consentId = await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
      const res = await verify(clinic, coverage.coverageId).expect(201);
      expect(res.body).toMatchObject({ status: 'verified', method: 'electronic', outcome: { kind: 'verified', authorizationRequired: true, carveOut: false } });
      await revokeConsent(kit, clinic.siteId, coverage.patientId, consentId);
      await api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/verifications/${res.body.verificationId}/reverify`, {}).expect(422);
      expect(kit.simulator.requestsFor(coverage.memberId)).toBe(1);
    });

    it('a coordinator can ask beforehand whether the gate is open for a payer', async () => {
      const clinic = await aClinic(kit);
      const patientId = crypto.randomUUID();
      const check = () => api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/patients/${patientId}/disclosure-check?payerId=aetna`).expect(200);
      expect((await check()).body).toMatchObject({ allowed: false, missing: expect.stringContaining('Aetna') });
      const consentId = await grantConsent(kit, clinic.siteId, patientId, 'aetna');
      expect((await check()).body).toEqual({ allowed: true, consentId });
    });

    it("the disclosure check reads the patient's consents, and is audited in the reader's name", async () => {
      const clinic = await aClinic(kit);
      const patientId = crypto.randomUUID();
      const reader = await tokenFor('intake_coordinator', [clinic.siteId], `reader-${patientId.slice(0, 8)}`);
      await api(kit, reader).get(`/sites/${clinic.siteId}/patients/${patientId}/disclosure-check?payerId=aetna`).expect(200);
      const audit = await kit.infra.adminQuery(`SELECT actor, role, site_id, action, resource, reason FROM insurance.audit_log WHERE patient_id = $1`, [
        patientId,
      ]);
      expect(audit).toEqual([
        {
          actor: `reader-${patientId.slice(0, 8)}`,
          role: 'intake_coordinator',
          site_id: clinic.siteId,
          action: 'read',
          resource: 'consent',
          reason: 'disclosure check: payment to aetna',
        },
      ]);
    });

    it('a consent naming the class "health plans" covers any payer', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic);
      await grantConsent(kit, clinic.siteId, coverage.patientId, 'unused', { recipients: [{ kind: 'class', recipientClass: 'health-plans' }] });
      await verify(clinic, coverage.coverageId).expect(201);
    });
  });

  describe('electronic verification', () => {
    const consented = async (overrides = {}) => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic, aPatient(overrides));
      await grantConsent(kit, clinic.siteId, coverage.patientId, coverage.payerId);
      return { clinic, coverage };
    };

    it('keeps the 270 sent and the 271 received, and the benefits a coordinator acts on', async () => {
      const { clinic, coverage } = await consented();
      const res = await verify(clinic, coverage.coverageId).expect(201);
      const exchanges = await kit.infra.adminQuery<{ direction: string; body: string }>(
        `SELECT direction, body FROM insurance.eligibility_exchanges WHERE verification_id = $1 ORDER BY exchange_id`,
        [res.body.verificationId],
      );
      expect(exchanges.map((e) => e.direction)).toEqual(['270', '271']);
      expect(exchanges[0]!.body).toContain(`NM1*IL*1*Quill*Avery****MI*${coverage.memberId}~`);
      expect(exchanges[0]!.body).toContain('EQ*AI~');
      expect(exchanges[0]!.body).not.toContain('EQ*MH~');
      // What went to the payer and came back is evidence: the service itself cannot rewrite or remove it.
      const asService = kit.app.get(DataSource);
      for (const sql of [
        `UPDATE insurance.eligibility_exchanges SET body = '' WHERE verification_id = $1`,
        `DELETE FROM insurance.eligibility_exchanges WHERE verification_id = $1`,
      ]) {
        await expect(inScopedTransaction(asService, ALL_SITES, (m) => m.query(sql, [res.body.verificationId]))).rejects.toThrow(
          /permission denied for table eligibility_exchanges/,
        );
      }
      const got = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/verifications/${res.body.verificationId}`).expect(200);
      const ai = got.body.benefits.serviceTypes.find((s: { code: string }) => s.code === 'AI');
      expect(ai.inNetwork).toMatchObject({ coinsurance: { basisPoints: 2000 }, authorization: 'required' });
      expect(ai.inNetwork.deductible.individual).toMatchObject({ totalCents: 150000, remainingCents: 60000 });
    });

    it("a coordinator reads the 270 and 271 as exchanged, whose segments the summary's source lines count; another site's gets 404", async () => {
      const { clinic, coverage } = await consented();
      const res = await verify(clinic, coverage.coverageId).expect(201);
      const read = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/verifications/${res.body.verificationId}/exchange`).expect(200);
      expect(read.body.map((e: { direction: string }) => e.direction)).toEqual(['270', '271']);
      const [sent, received] = read.body as Array<{ body: string; warnings: unknown[] }>;
      expect(sent!.body).toContain(`MI*${coverage.memberId}~`);
      // The coinsurance figure's source line is the 271's segment of that number (ISA = 1).
      const ai = res.body.benefits.serviceTypes.find((s: { code: string }) => s.code === 'AI');
      const segments = received!.body.split('~').map((s) => s.trim());
      expect(segments[ai.inNetwork.coinsurance.origin.segmentNumber - 1]).toMatch(/^EB\*A\*/);
      expect(received!.warnings).toEqual([]);

      const elsewhere = await aClinic(kit);
      await api(kit, elsewhere.coordinator).get(`/sites/${elsewhere.siteId}/verifications/${res.body.verificationId}/exchange`).expect(404);
      await api(kit, elsewhere.coordinator).get(`/sites/${clinic.siteId}/verifications/${res.body.verificationId}/exchange`).expect(403);
    });

    it('a mental-health programme does not ask the payer about substance use', async () => {
      const { clinic, coverage } = await consented();
      const res = await verify(clinic, coverage.coverageId, { serviceDate: '2026-12-01', programType: 'mental-health' }).expect(201);
      const [sent] = await kit.infra.adminQuery<{ body: string }>(
        `SELECT body FROM insurance.eligibility_exchanges WHERE verification_id = $1 AND direction = '270'`,
        [res.body.verificationId],
      );
      expect(sent!.body).toContain('EQ*MH~');
      expect(sent!.body).not.toMatch(/EQ\*(AI|CH)~/);
    });

    it('a second verification of the same member and date comes from the cache; re-verify asks the payer again', async () => {
      const { clinic, coverage } = await consented();
      const first = await verify(clinic, coverage.coverageId).expect(201);
      const second = await verify(clinic, coverage.coverageId).expect(201);
      expect(second.body).toMatchObject({ status: 'verified', fromCache: true });
      expect(second.body.verificationId).not.toBe(first.body.verificationId);
      expect(kit.simulator.requestsFor(coverage.memberId)).toBe(1);
      const again = await api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/verifications/${first.body.verificationId}/reverify`, {}).expect(201);
      expect(again.body).toMatchObject({ status: 'verified', fromCache: false });
      expect(kit.simulator.requestsFor(coverage.memberId)).toBe(2);
    });

    it('a dependent is verified in the dependent loop', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic, {
        ...aPatient({ relationship: 'child' }),
        patient: { firstName: 'Skyler', lastName: 'Quill', birthDate: '2009-08-17', gender: 'M' },
      } as ReturnType<typeof aPatient>);
      await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
      const res = await verify(clinic, coverage.coverageId).expect(201);
      expect(res.body).toMatchObject({ status: 'verified', benefits: { role: 'dependent', firstName: 'Skyler' } });
    });

    it.each([
      ['AAA72', 'member-not-found', 'check'],
      ['AAA75', 'member-not-found', ''],
      ['INACTIVE', 'coverage-inactive', 'inactive'],
    ])('a %s answer is a rejection the coordinator can act on (%s)', async (prefix, reason, words) => {
      const { clinic, coverage } = await consented({ memberId: `${prefix}${Math.floor(Math.random() * 1e9)}` });
      const res = await verify(clinic, coverage.coverageId).expect(201);
      expect(res.body).toMatchObject({ status: 'rejected', reason, outcome: { kind: 'rejected', reason } });
      expect(res.body.outcome.messages.join(' ')).toContain(words);
    });

    it('reads a 271 with a sloppy envelope (SE counts off, no GE or IEA, CR/LF), keeping each deviation as a warning on the verification and the exchange', async () => {
      const { clinic, coverage } = await consented({ memberId: `SLOPPY${Math.floor(Math.random() * 1e9)}` });
      const res = await verify(clinic, coverage.coverageId).expect(201);
      expect(res.body).toMatchObject({ status: 'verified' });
      expect(res.body.warnings.map((w: { code: string }) => w.code)).toEqual([
        'crlf-line-ends',
        'segment-count-mismatch',
        'control-number-mismatch',
        'missing-trailer',
        'missing-trailer',
      ]);
      const read = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/verifications/${res.body.verificationId}`).expect(200);
      expect(read.body.warnings).toEqual(res.body.warnings);
      const [exchange] = await kit.infra.adminQuery<{ warnings: unknown[] }>(
        `SELECT warnings FROM insurance.eligibility_exchanges WHERE verification_id = $1 AND direction = '271'`,
        [res.body.verificationId],
      );
      expect(exchange?.warnings).toEqual(res.body.warnings);
    });

    it.each([
      ['AAA42', 'awaiting-phone', 'payer-unavailable', 'retry-later'],
      ['AAA72', 'rejected', 'member-not-found', 'correct-member-details'],
      ['AAA75', 'rejected', 'member-not-found', 'correct-member-details'],
    ])('a %s answer leaves the coordinator a task of the right kind', async (prefix, status, reason, kind) => {
      const { clinic, coverage } = await consented({ memberId: `${prefix}${Math.floor(Math.random() * 1e9)}` });
      const res = await verify(clinic, coverage.coverageId).expect(201);
      expect(res.body).toMatchObject({ status, reason, phoneTaskId: expect.any(String), warnings: [] });
      const queue = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/phone-tasks`).expect(200);
      expect(queue.body).toEqual([expect.objectContaining({ taskId: res.body.phoneTaskId, reason, kind, action: expect.any(String) })]);
    });

    it('a behavioural-health carve-out is verified but flagged, naming who to call', async () => {
      const { clinic, coverage } = await consented({ memberId: `CARVEOUT${Math.floor(Math.random() * 1e9)}` });
      const res = await verify(clinic, coverage.coverageId).expect(201);
      expect(res.body).toMatchObject({ status: 'verified', outcome: { carveOut: true } });
      expect(res.body.outcome.messages.join(' ')).toContain('MAGELLAN HEALTHCARE');
    });

    it('bad input is a clear 400 and nothing is written', async () => {
      const { clinic, coverage } = await consented();
      const res = await verify(clinic, coverage.coverageId, { serviceDate: 'next tuesday', programType: 'detox' }).expect(400);
      expect(res.body.detail).toContain('serviceDate');
      expect(res.body.detail).toContain('programType');
      expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.verifications WHERE patient_id = $1`, [coverage.patientId])).toHaveLength(0);
    });
  });

  describe('the phone path', () => {
    it('a payer that answers only by phone gets a task; the form completes the verification', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic, aPatient({ payerId: 'multiplan' }));
      await grantConsent(kit, clinic.siteId, coverage.patientId, 'multiplan');
      const res = await verify(clinic, coverage.coverageId).expect(201);
      expect(res.body).toMatchObject({ status: 'awaiting-phone', reason: 'not-offered-electronically', phoneTaskId: expect.any(String) });
      const queue = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/phone-tasks`).expect(200);
      expect(queue.body).toEqual([expect.objectContaining({ taskId: res.body.phoneTaskId, verificationId: res.body.verificationId, payerId: 'multiplan' })]);

      const done = await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/phone-tasks/${res.body.phoneTaskId}/complete`, {
          representative: 'Dana at MultiPlan',
          callReference: 'REF-5521',
          coverageActive: true,
          authorizationRequired: false,
          remainingDeductibleCents: 25000,
          coinsuranceBasisPoints: 2000,
        })
        .expect(200);
      expect(done.body).toMatchObject({ status: 'verified', method: 'phone', outcome: { kind: 'verified', authorizationRequired: false } });
      expect((await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/phone-tasks`).expect(200)).body).toEqual([]);
      await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/phone-tasks/${res.body.phoneTaskId}/complete`, {
          representative: 'x',
          callReference: 'y',
          coverageActive: true,
          authorizationRequired: false,
        })
        .expect(409);
    });

    it("listing the phone-task queue audits one row per patient listed, in the reader's name", async () => {
      const clinic = await aClinic(kit);
      const other = await aClinic(kit);
      const waiting = async (site: typeof clinic) => {
        const coverage = await recordCoverage(kit, site, aPatient({ payerId: 'multiplan' }));
        await grantConsent(kit, site.siteId, coverage.patientId, 'multiplan');
        await verify(site, coverage.coverageId).expect(201);
        return coverage.patientId;
      };
      const [first, second, elsewhere] = [await waiting(clinic), await waiting(clinic), await waiting(other)];
      const subject = `queue-reader-${first.slice(0, 8)}`;
      const reader = await tokenFor('insurance_coordinator', [clinic.siteId], subject);
      const queue = await api(kit, reader).get(`/sites/${clinic.siteId}/phone-tasks`).expect(200);
      expect((queue.body as Array<{ patientId: string }>).map((t) => t.patientId).sort()).toEqual([first, second].sort());
      const audit = await kit.infra.adminQuery<{ patient_id: string }>(
        `SELECT patient_id, role, site_id, action, resource FROM insurance.audit_log WHERE actor = $1 ORDER BY patient_id`,
        [subject],
      );
      expect(audit).toEqual(
        [first, second]
          .sort()
          .map((patientId) => ({ patient_id: patientId, role: 'insurance_coordinator', site_id: clinic.siteId, action: 'list', resource: 'phone-task' })),
      );
      expect(audit.map((a) => a.patient_id)).not.toContain(elsewhere);
    });

    it('a payer that cannot answer now (AAA 42) becomes a phone task', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic, aPatient({ memberId: `AAA42${Math.floor(Math.random() * 1e9)}` }));
      await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
      const res = await verify(clinic, coverage.coverageId).expect(201);
      expect(res.body).toMatchObject({ status: 'awaiting-phone', reason: 'payer-unavailable' });
    });

    it('an unreadable 271 is kept, and becomes a phone task', async () => {
      const clinic = await aClinic(kit);
      const coverage = await recordCoverage(kit, clinic, aPatient({ memberId: `GARBLED${Math.floor(Math.random() * 1e9)}` }));
      await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
      const res = await verify(clinic, coverage.coverageId).expect(201);
      expect(res.body).toMatchObject({ status: 'awaiting-phone', reason: 'payer-error' });
      expect(
        await kit.infra.adminQuery(`SELECT 1 FROM insurance.eligibility_exchanges WHERE verification_id = $1 AND direction = '271'`, [res.body.verificationId]),
      ).toHaveLength(1);
    });

    it('the form needs a reason when the payer says the patient is not covered', async () => {
      const clinic = await aClinic(kit);
      const res = await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/phone-tasks/${crypto.randomUUID()}/complete`, {
          representative: 'x',
          callReference: 'y',
          coverageActive: false,
          authorizationRequired: false,
        })
        .expect(400);
      expect(res.body.detail).toContain('rejectionReason');
    });
  });
});
