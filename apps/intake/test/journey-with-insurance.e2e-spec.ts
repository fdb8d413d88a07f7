// The admission journey across the real services: scheduling (the site), intake and insurance as processes on
// real Postgres, Redis and a Kafka-protocol broker (the development broker unless KAFKA_BROKERS names Apache
// Kafka), insurance asking the payer simulator over HTTP in X12. Nothing is faked between the services; the only
// stand-in is the payer.
import { resolve } from 'node:path';
import {
  RUN_DIR,
  aSiteRegistration,
  eventually,
  itWithDevBroker,
  scanKafkaForPhi,
  scanLogsForPhi,
  startPlatformProcesses,
  tokenFor,
  useTestInfrastructure,
  type PlatformProcesses,
  type TestInfrastructure,
} from '@iop/testing';
// The simulator stands in for the clearinghouse and its payers; a test double, never a runtime dependency.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startPayerSimulator, type PayerSimulator } from '../../payer-simulator/src/payer-simulator';
import { aCaller, aClearPreScreen, anIopAssessment, aPayerConsent, aReferral } from './intake-test-kit';

describe('a patient admitted through intake and insurance together', () => {
  let infra: TestInfrastructure;
  let simulator: PayerSimulator;
  let platform: PlatformProcesses | undefined;
  let siteId: string;
  let intakeCoordinator: string;
  let insuranceCoordinator: string;
  let logDir: string;
  /** Every name, birth date, phone and member id the journey used: none may leave the services but in HTTP answers. */
  const phiUsed: string[] = [];
  /** A caller whose details are distinctive enough to find anywhere they leak. */
  const aTracedCaller = () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const caller = aCaller({ givenName: `Zephyrine${tag}`, familyName: `Quillfeather${tag}`, phone: `617-555-${String(Date.now()).slice(-4)}` });
    // Also as stored or sent on: the phone's digits, the birth date as X12 writes it.
    phiUsed.push(
      caller.givenName,
      caller.familyName,
      caller.dateOfBirth,
      caller.dateOfBirth.replaceAll('-', ''),
      caller.phone,
      caller.phone.replace(/\D/g, ''),
    );
    return caller;
  };

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    simulator = await startPayerSimulator();
    platform = await startPlatformProcesses({
      services: ['scheduling', 'intake', 'insurance'],
      env: {
        DATABASE_URL: infra.databaseUrl,
        REDIS_URL: infra.env.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        CLEARINGHOUSE_URL: simulator.url,
        VERIFICATION_WORKER_POLL_MS: '100',
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
        // Everything the services say, so the PHI scan at the end reads every line they can write.
        LOG_LEVEL: 'debug',
      },
      logs: { dir: (logDir = resolve(RUN_DIR, `journey-${infra.env.runId}`)) },
    });
    const admin = await tokenFor('network_admin');
    const registered = await call('scheduling', 'POST', '/sites', admin, aSiteRegistration({ capacity: 10, timeZone: 'America/New_York' }));
    expect(registered.status).toBe(201);
    siteId = registered.body.siteId;
    // Both services learn of the site from scheduling's event before they accept requests naming it.
    for (const service of ['intake', 'insurance'] as const) {
      await eventually(
        async () => expect((await call(service, 'GET', '/site-directory', admin)).body.map((s: { siteId: string }) => s.siteId)).toContain(siteId),
        { timeoutMs: 30_000 },
      );
    }
    intakeCoordinator = await tokenFor('intake_coordinator', [siteId]);
    insuranceCoordinator = await tokenFor('insurance_coordinator', [siteId]);
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    await simulator?.close();
  });

  /** Which process of a service answers: the first platform's unless a replica is named. */
  let replicaOf: Partial<Record<'intake' | 'insurance', PlatformProcesses>> = {};

  async function call(service: 'scheduling' | 'intake' | 'insurance', method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
    const serving = service === 'scheduling' ? platform! : (replicaOf[service] ?? platform!);
    const response = await fetch(`${serving.service(service).url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
  const intake = (method: 'GET' | 'POST', path: string, body?: unknown) => call('intake', method, path, intakeCoordinator, body);
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

  /** The intake coordinator's part up to the decision to admit: referral, pre-screen, booking, assessment, consent. */
  async function assessedWithConsent(): Promise<{ referralId: string; patientId: string }> {
    const referral = await intake('POST', '/referrals', aReferral(siteId, { caller: aTracedCaller() }));
    expect(referral.status).toBe(201);
    const { referralId, patientId } = referral.body as { referralId: string; patientId: string };
    expect((await intake('POST', `/referrals/${referralId}/pre-screen`, aClearPreScreen())).status).toBe(201);
    expect((await intake('POST', `/referrals/${referralId}/assessment-booking`, { appointmentAt: new Date(Date.now() + 60_000).toISOString() })).status).toBe(
      200,
    );
    expect((await intake('POST', `/referrals/${referralId}/assessment`, anIopAssessment())).status).toBe(201);
    const consent = await intake('POST', `/patients/${patientId}/consents`, aPayerConsent(siteId, 'aetna'));
    expect(consent.status).toBe(201);
    // No waiting for insurance to learn of the consent: the admission's request names it, and insurance waits for it.
    return { referralId, patientId };
  }

  /**
   * The insurance coordinator enters the patient's card. Insurance learns of the patient from intake's referral
   * event; until it has, it answers 422 patient.not-at-site and the coordinator tries again, as here.
   */
  async function coverageOnFile(patientId: string, memberId: string): Promise<void> {
    phiUsed.push(memberId, 'Wolfsbane', '1984-02-11', '19840211');
    await eventually(async () => {
      const coverage = await call('insurance', 'POST', `/sites/${siteId}/coverages`, insuranceCoordinator, {
        patientId,
        payerId: 'aetna',
        priority: 'primary',
        memberId,
        groupNumber: 'GRP4410',
        relationship: 'self',
        subscriber: { firstName: 'Jordan', lastName: 'Wolfsbane', birthDate: '1984-02-11', gender: 'U' },
      });
      if (coverage.status === 422) expect(coverage.body.code).toBe('patient.not-at-site');
      expect(coverage.status).toBe(201);
    });
  }

  it('coverage verified by the payer over X12: the patient is admitted, and insurance learns of the episode', async () => {
    const { referralId, patientId } = await assessedWithConsent();
    const memberId = `ACTIVE${Date.now()}`;
    await coverageOnFile(patientId, memberId);

    const asked = await intake('POST', `/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: 'awaiting-coverage' });

    const admitted = await eventually(
      async () => {
        const now = (await intake('GET', `/referrals/${referralId}`)).body as { stage: string; episode: { episodeId: string } | null };
        expect(now.stage).toBe('admitted');
        return now;
      },
      { timeoutMs: 60_000 },
    );
    expect(admitted.episode).not.toBeNull();
    expect(simulator.requestsFor(memberId)).toBe(1);

    // Insurance kept the 270 it sent and the 271 it got, and holds the patient's benefits for the coordinator.
    const exchanges = await infra.adminQuery<{ direction: string }>(
      `SELECT direction FROM insurance.eligibility_exchanges WHERE patient_id = $1 ORDER BY direction`,
      [patientId],
    );
    expect(exchanges.map((e) => e.direction)).toEqual(['270', '271']);
    // Insurance learnt of the admission too: the patient's coverage will be re-verified each month of treatment.
    await eventually(async () =>
      expect(await infra.adminQuery(`SELECT 1 FROM insurance.episodes WHERE episode_id = $1`, [admitted.episode!.episodeId])).toHaveLength(1),
    );
  });

  itWithDevBroker(
    'the broker away for 30 s just after the admission is asked (issue 8): once it is back the patient is admitted once, with one 270',
    async () => {
      const { referralId, patientId } = await assessedWithConsent();
      const memberId = `ACTIVE${Date.now()}`;
      await coverageOnFile(patientId, memberId);

      expect((await intake('POST', `/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() })).status).toBe(
        202,
      );
      await infra.broker!.down('all');
      try {
        await new Promise((r) => setTimeout(r, 30_000));
      } finally {
        await infra.broker!.up('all');
      }

      const admitted = await eventually(
        async () => {
          const now = (await intake('GET', `/referrals/${referralId}`)).body as { stage: string; episode: { episodeId: string } | null };
          expect(now.stage).toBe('admitted');
          return now;
        },
        { timeoutMs: 90_000 },
      );
      expect(simulator.requestsFor(memberId)).toBe(1);
      await eventually(
        async () => expect(await infra.adminQuery(`SELECT 1 FROM insurance.episodes WHERE episode_id = $1`, [admitted.episode!.episodeId])).toHaveLength(1),
        { timeoutMs: 60_000 },
      );
      // Nothing was dead-lettered on the way: no key of the patient is parked behind a dead letter in either service.
      for (const schema of ['intake', 'insurance']) {
        expect(await infra.adminQuery(`SELECT key FROM ${schema}.parked_keys`)).toEqual([]);
      }
    },
    240_000,
  );

  it("a payer that does not recognise the member id: the patient stays assessed and the coordinator's task says what to do", async () => {
    const { referralId, patientId } = await assessedWithConsent();
    await coverageOnFile(patientId, `AAA72${Date.now()}`);

    expect((await intake('POST', `/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() })).status).toBe(202);
    const task = await eventually(
      async () => {
        const tasks = (await intake('GET', `/sites/${siteId}/follow-up-tasks`)).body as Array<{ referralId: string; kind: string; detail: string }>;
        const mine = tasks.find((t) => t.referralId === referralId);
        expect(mine).toMatchObject({ kind: 'coverage-rejected' });
        return mine!;
      },
      { timeoutMs: 60_000 },
    );
    expect(task.detail).toContain('the payer cannot find the member');
    expect((await intake('GET', `/referrals/${referralId}`)).body).toMatchObject({ stage: 'assessed', episode: null });
  });

  it('bad requests carrying PHI are refused without a 500, and no log line or Kafka message holds any PHI the journey used', async () => {
    // Inputs that once reached Postgres and made it log the statement's values.
    const caller = aTracedCaller();
    for (const bad of [
      aReferral(siteId, { caller: { ...caller, dateOfBirth: '0000-01-01' } }),
      aReferral(siteId, { caller: { ...caller, familyName: `${caller.familyName}\u0000` } }),
      aReferral(siteId, { caller, receivedAt: '0000-01-01T00:00:00Z' }),
    ]) {
      const res = await intake('POST', '/referrals', bad);
      expect(res.status).toBe(400);
    }

    const logHits = scanLogsForPhi(logDir, phiUsed);
    const kafka = await scanKafkaForPhi(infra.kafkaBrokers, phiUsed);
    expect(kafka.messages).toBeGreaterThan(0);
    expect([...logHits, ...kafka.hits]).toEqual([]);
  });

  // Last: it kills the first platform's intake and insurance.
  it('two replicas each of intake and insurance share the work, and one of each killed midway loses no admission and admits none twice (issue 8, D9)', async () => {
    const second = await startPlatformProcesses({
      services: ['intake', 'insurance'],
      migrate: false,
      env: {
        DATABASE_URL: infra.databaseUrl,
        REDIS_URL: infra.env.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        CLEARINGHOUSE_URL: simulator.url,
        VERIFICATION_WORKER_POLL_MS: '100',
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      },
      logs: { dir: resolve(logDir, 'replica-2') },
    });
    try {
      // Patients made ready through either replica, alternately; every admission asked through the same alternation.
      const patients: Array<{ referralId: string; patientId: string; memberId: string }> = [];
      for (let i = 0; i < 4; i++) {
        replicaOf = i % 2 === 0 ? {} : { intake: second, insurance: second };
        const ready = await assessedWithConsent();
        const memberId = `ACTIVE${Date.now()}${i}`;
        await coverageOnFile(ready.patientId, memberId);
        patients.push({ ...ready, memberId });
      }
      const admit = async (p: (typeof patients)[number], i: number) => {
        replicaOf = i % 2 === 0 ? {} : { intake: second, insurance: second };
        expect(
          (await intake('POST', `/referrals/${p.referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() })).status,
        ).toBe(202);
      };
      for (const [i, p] of patients.slice(0, 2).entries()) await admit(p, i);

      // The first platform's intake and insurance die without a goodbye (the relay leaders among them, as they started first).
      process.kill(platform!.service('intake').pid, 'SIGKILL');
      process.kill(platform!.service('insurance').pid, 'SIGKILL');
      const killedAt = Date.now();
      replicaOf = { intake: second, insurance: second };
      for (const p of patients.slice(2)) await admit(p, 1);

      const admittedAt = new Map<string, number>();
      await eventually(
        async () => {
          for (const p of patients) {
            if (admittedAt.has(p.referralId)) continue;
            const now = (await intake('GET', `/referrals/${p.referralId}`)).body as { stage: string };
            if (now.stage === 'admitted') admittedAt.set(p.referralId, Date.now());
          }
          expect(admittedAt.size).toBe(patients.length);
        },
        { timeoutMs: 150_000, intervalMs: 500 },
      );
      // Each admitted once, nothing dead-lettered on the way.
      const episodes = await infra.adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intake.episodes WHERE patient_id = ANY($1::uuid[])`, [
        patients.map((p) => p.patientId),
      ]);
      expect(episodes[0]!.n).toBe(patients.length);
      // A 270 in flight when its insurance replica was killed is sent again by the survivor, which takes over the stale
      // claim; no request can be sent exactly once to a payer across a crash, but never more than that once again.
      for (const p of patients) expect(simulator.requestsFor(p.memberId)).toBeGreaterThanOrEqual(1);
      for (const p of patients) expect(simulator.requestsFor(p.memberId)).toBeLessThanOrEqual(2);
      for (const schema of ['intake', 'insurance']) expect(await infra.adminQuery(`SELECT key FROM ${schema}.parked_keys`)).toEqual([]);
      const heldUp = Math.max(...patients.slice(2).map((p) => admittedAt.get(p.referralId)!)) - killedAt;
      process.stdout.write(`[replicas] the last admission asked after the kill completed ${(heldUp / 1000).toFixed(1)} s after it\n`);
    } finally {
      replicaOf = {};
      await second.stop();
    }
  }, 300_000);
});
