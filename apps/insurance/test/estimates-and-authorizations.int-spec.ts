import { AuthorizationExpiring, BillableDayRecorded, BillableDayVoided, type PayloadOf } from '@iop/contracts';
import { encodeEvent } from '@iop/messaging';
import { eventually, tokenFor } from '@iop/testing';
import { AuthorizationSweep } from '../src/application/authorization-watch';
import {
  aClinic,
  aPatient,
  api,
  grantConsent,
  publish,
  recordCoverage,
  referPatient,
  startInsurance,
  type Clinic,
  type InsuranceKit,
} from './insurance-test-kit';

interface Tier {
  patientResponsibilityCents: number;
  planPaysCents: number;
  allowedCents: number;
  steps: Array<{ kind: string; patientCents: number; runningPatientCents: number; explanation: string }>;
}

describe('patient cost estimates and prior authorisations', () => {
  let kit: InsuranceKit;

  beforeAll(async () => {
    kit = await startInsurance();
  });
  afterAll(async () => {
    await kit?.close();
  });

  async function verifiedPatient(memberPrefix = 'ACTIVE', perDiemCents = 25000): Promise<{ clinic: Clinic; verificationId: string; patientId: string }> {
    const clinic = await aClinic(kit);
    const siteAdmin = await tokenFor('site_admin', [clinic.siteId]);
    await api(kit, siteAdmin).put(`/sites/${clinic.siteId}/fee-schedule/H0015`, { perDiemCents }).expect(200);
    const coverage = await recordCoverage(kit, clinic, aPatient({ memberId: `${memberPrefix}${Math.floor(Math.random() * 1e9)}` }));
    await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
    const res = await api(kit, clinic.coordinator)
      .post(`/sites/${clinic.siteId}/coverages/${coverage.coverageId}/verifications`, { serviceDate: '2026-12-01', programType: 'substance-use' })
      .expect(201);
    expect(res.body.status).toBe('verified');
    return { clinic, verificationId: res.body.verificationId, patientId: coverage.patientId };
  }

  const estimate = (clinic: Clinic, body: object) => api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/estimates`, body);

  it('8 weeks, 3 days a week at $250: $600 deductible then 20% in network, $3,000 then 40% out of network', async () => {
    const { clinic, verificationId } = await verifiedPatient();
    const res = await estimate(clinic, { verificationId, billingCode: 'H0015', weeks: 8, daysPerWeek: 3 }).expect(200);
    const inNet = res.body.estimate.inNetwork as Tier;
    const outNet = res.body.estimate.outOfNetwork as Tier;
    // 24 days × $250 = $6,000; $600 deductible; 20% of $5,400 = $1,080; total $1,680 (under the $3,850 left to the maximum).
    expect(inNet.allowedCents).toBe(600_000);
    expect(inNet.steps.map((s) => [s.kind, s.patientCents, s.runningPatientCents])).toEqual([
      ['allowed', 0, 0],
      ['copay', 0, 0],
      ['deductible', 60_000, 60_000],
      ['coinsurance', 108_000, 168_000],
      ['out-of-pocket-cap', 0, 168_000],
    ]);
    expect(inNet).toMatchObject({ patientResponsibilityCents: 168_000, planPaysCents: 432_000 });
    // $3,000 deductible; 40% of $3,000 = $1,200; total $4,200.
    expect(outNet).toMatchObject({ patientResponsibilityCents: 420_000, planPaysCents: 180_000 });
    expect(inNet.steps[3]!.explanation).toBe('coinsurance 20% of the remaining $5,400.00 = $1,080.00');
  });

  it('a $25 per-day copay comes first, then the deductible, then coinsurance', async () => {
    const { clinic, verificationId } = await verifiedPatient('ACTIVECOPAY');
    const res = await estimate(clinic, { verificationId, billingCode: 'H0015', weeks: 8, daysPerWeek: 3 }).expect(200);
    // 24 × $25 = $600 copays; $600 deductible of the $5,400 left; 20% of $4,800 = $960; total $2,160.
    expect(res.body.estimate.inNetwork).toMatchObject({ patientResponsibilityCents: 216_000 });
  });

  it('a long episode stops at the remaining out-of-pocket maximum', async () => {
    const { clinic, verificationId } = await verifiedPatient('ACTIVE', 40_000);
    const res = await estimate(clinic, { verificationId, billingCode: 'H0015', weeks: 12, daysPerWeek: 5 }).expect(200);
    // 60 × $400 = $24,000: in network $600 + 20% × $23,400 = $5,280, capped at $3,850; out $3,000 + 40% × $21,000 = $11,400, capped at $10,000.
    expect(res.body.estimate.inNetwork).toMatchObject({ patientResponsibilityCents: 385_000, planPaysCents: 2_015_000 });
    expect(res.body.estimate.outOfNetwork).toMatchObject({ patientResponsibilityCents: 1_000_000 });
  });

  it('without a per-diem for the code the estimate is refused, saying how to set it', async () => {
    const { clinic, verificationId } = await verifiedPatient();
    const res = await estimate(clinic, { verificationId, billingCode: 'S9480', weeks: 8, daysPerWeek: 3 }).expect(409);
    expect(res.body.detail).toContain('fee-schedule/S9480');
  });

  it('bad plans are refused with the field named', async () => {
    const { clinic, verificationId } = await verifiedPatient();
    const res = await estimate(clinic, { verificationId, billingCode: 'H0015', weeks: 0, daysPerWeek: 8 }).expect(400);
    expect(res.body.detail).toContain('weeks');
    expect(res.body.detail).toContain('daysPerWeek');
  });

  it('only site admins set the fee schedule, and only for their site', async () => {
    const clinic = await aClinic(kit);
    await api(kit, clinic.coordinator).put(`/sites/${clinic.siteId}/fee-schedule/H0015`, { perDiemCents: 1 }).expect(403);
    const otherAdmin = await tokenFor('site_admin', [crypto.randomUUID()]);
    await api(kit, otherAdmin).put(`/sites/${clinic.siteId}/fee-schedule/H0015`, { perDiemCents: 1 }).expect(403);
  });

  describe('prior authorisations', () => {
    const today = () => new Date().toISOString().slice(0, 10);
    const inDays = (n: number, from = Date.now()) => new Date(from + n * 86_400_000).toISOString().slice(0, 10);
    const anAuthorization = (patientId: string, overrides: object = {}) => ({
      patientId,
      payerId: 'cigna',
      serviceCode: 'H0015',
      payerReference: `AUTH-${Math.floor(Math.random() * 1e6)}`,
      unitsApproved: 24,
      startDate: today(),
      endDate: inDays(60),
      ...overrides,
    });

    /** Attendance's billable day (the patient reached the per-diem minimum that day), as the attendance service publishes it. */
    const aBillableDay = (siteId: string, patientId: string, serviceDate: string): PayloadOf<typeof BillableDayRecorded> => ({
      billableDayId: crypto.randomUUID(),
      patientId,
      episodeId: crypto.randomUUID(),
      siteId,
      programId: crypto.randomUUID(),
      serviceDate,
      billingCode: 'H0015',
      revenueCode: '0906',
      units: 1,
      attendedMinutes: 180,
      revision: 1,
      occurredAt: new Date().toISOString(),
    });

    const authorizationsOf = async (clinic: Clinic, patientId: string) => {
      const res = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/patients/${patientId}/authorizations`).expect(200);
      return res.body as Array<{ authorizationId: string; payerReference: string; unitsUsed: number; unitsRemaining: number; warnings: string[] }>;
    };

    it('count one unit per billable day from attendance events, however often redelivered, and give it back when the day is voided', async () => {
      const clinic = await aClinic(kit);
      const patientId = await referPatient(kit, clinic.siteId);
      await api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/authorizations`, anAuthorization(patientId)).expect(201);
      const first = aBillableDay(clinic.siteId, patientId, today());
      const encoded = encodeEvent(BillableDayRecorded, first, '/iop/attendance', {});
      const message = { key: encoded.key, value: JSON.stringify(encoded.payload), headers: encoded.headers };
      await kit.producer.send({ topic: BillableDayRecorded.topic, acks: -1, messages: [message, message] });
      await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic.siteId, patientId, inDays(1)));
      // A day outside every authorisation uses none of them.
      await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic.siteId, patientId, inDays(90)));
      await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic.siteId, patientId, inDays(3)));
      // A correction took the fourth day below the minimum: its unit comes back.
      await publish(kit.producer, BillableDayVoided, { ...aBillableDay(clinic.siteId, patientId, inDays(3)), revision: 2 });
      // The last distinct day is the last event on the patient's partition: once it counts, all before it were handled.
      await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic.siteId, patientId, inDays(2)));
      // Waits for the days themselves: 3 units are also counted for a moment before the void (today, +1, +3).
      await eventually(
        async () => {
          const counted = await kit.infra.adminQuery<{ service_date: string }>(
            `SELECT service_date::text FROM insurance.authorization_usage u JOIN insurance.authorizations a USING (authorization_id) WHERE a.patient_id = $1 ORDER BY 1`,
            [patientId],
          );
          expect(counted.map((r) => r.service_date)).toEqual([today(), inDays(1), inDays(2)]);
        },
        { timeoutMs: 30_000 },
      );
      expect((await authorizationsOf(clinic, patientId))[0]).toMatchObject({ unitsUsed: 3, unitsRemaining: 21, warnings: [] });
    });

    it("count a half-day payer's days in its units: a half day one, a full day two, a half day that became full two (not three); an older event one", async () => {
      const clinic = await aClinic(kit);
      const patientId = await referPatient(kit, clinic.siteId);
      await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/authorizations`, anAuthorization(patientId, { unitsApproved: 40 }))
        .expect(201);
      const half = { ...aBillableDay(clinic.siteId, patientId, today()), attendedMinutes: 90, payerUnits: 1 };
      await publish(kit.producer, BillableDayRecorded, half);
      await publish(kit.producer, BillableDayRecorded, { ...aBillableDay(clinic.siteId, patientId, inDays(1)), payerUnits: 2 });
      // The first day's second session made it a full day: the same day again, revision 2, two units.
      await publish(kit.producer, BillableDayRecorded, { ...half, attendedMinutes: 190, payerUnits: 2, revision: 2 });
      // An event from before payerUnits counts one unit.
      await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic.siteId, patientId, inDays(2)));
      await eventually(async () => expect((await authorizationsOf(clinic, patientId))[0]).toMatchObject({ unitsUsed: 5, unitsRemaining: 35 }), {
        timeoutMs: 30_000,
      });
      const counted = await kit.infra.adminQuery<{ service_date: string; units: number }>(
        `SELECT service_date::text, units FROM insurance.authorization_usage u JOIN insurance.authorizations a USING (authorization_id) WHERE a.patient_id = $1 ORDER BY 1`,
        [patientId],
      );
      expect(counted.map((r) => [r.service_date, r.units])).toEqual([
        [today(), 2],
        [inDays(1), 2],
        [inDays(2), 1],
      ]);
      // Voided, the day gives all of its units back.
      await publish(kit.producer, BillableDayVoided, { ...half, revision: 3 });
      await eventually(async () => expect((await authorizationsOf(clinic, patientId))[0]).toMatchObject({ unitsUsed: 3 }), { timeoutMs: 30_000 });
    });

    it('warn once each through insurance.authorization-expiring as units run low and run out, and re-verify coverage before the review', async () => {
      const expiring = await kit.eventsOf(AuthorizationExpiring);
      const clinic = await aClinic(kit);
      const patientId = await referPatient(kit, clinic.siteId);
      const recorded = await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/authorizations`, anAuthorization(patientId, { unitsApproved: 7 }))
        .expect(201);
      const authorizationId = recorded.body.authorizationId as string;
      for (let day = 0; day < 7; day++) await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic.siteId, patientId, inDays(day)));

      const warnings = await eventually(
        () => {
          const ours = expiring.filter((e) => e.authorizationId === authorizationId);
          expect(ours).toHaveLength(2);
          return ours;
        },
        { timeoutMs: 30_000 },
      );
      expect(warnings[0]).toMatchObject({
        siteId: clinic.siteId,
        patientId,
        payerId: 'cigna',
        serviceCode: 'H0015',
        unitsApproved: 7,
        unitsUsed: 2,
        unitsRemaining: 5,
        raised: ['units-low'],
      });
      expect(warnings[1]).toMatchObject({ unitsUsed: 7, unitsRemaining: 0, raised: ['units-exhausted'], warnings: ['units-exhausted'] });
      await eventually(async () =>
        expect((await authorizationsOf(clinic, patientId))[0]).toMatchObject({ unitsUsed: 7, unitsRemaining: 0, warnings: ['units-exhausted'] }),
      );
      // Every billable day is counted (the warnings are written with the count, in one transaction): exactly two, not "at least".
      const published = await kit.infra.adminQuery(`SELECT 1 FROM insurance.outbox WHERE type = $1 AND payload->>'authorizationId' = $2`, [
        AuthorizationExpiring.type,
        authorizationId,
      ]);
      expect(published).toHaveLength(2);
      const reverifications = await kit.infra.adminQuery(
        `SELECT 1 FROM insurance.verifications WHERE patient_id = $1 AND requested_by = 'authorization-review'`,
        [patientId],
      );
      expect(reverifications).toHaveLength(1);
    });

    it('warn at once when recorded with a week or less to run, and the sweep raises "ended" once its date has passed, once', async () => {
      const expiring = await kit.eventsOf(AuthorizationExpiring);
      const clinic = await aClinic(kit);
      const patientId = await referPatient(kit, clinic.siteId);
      const recorded = await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/authorizations`, anAuthorization(patientId, { endDate: inDays(3) }))
        .expect(201);
      const authorizationId = recorded.body.authorizationId as string;
      const sweep = kit.app.get(AuthorizationSweep);
      await sweep.sweep(inDays(4));
      await sweep.sweep(inDays(5));
      const ours = await eventually(
        () => {
          const list = expiring.filter((e) => e.authorizationId === authorizationId);
          expect(list).toHaveLength(2);
          return list;
        },
        { timeoutMs: 30_000 },
      );
      expect(ours.map((e) => e.raised)).toEqual([['ending-soon'], ['ended']]);
      const published = await kit.infra.adminQuery(`SELECT 1 FROM insurance.outbox WHERE type = $1 AND payload->>'authorizationId' = $2`, [
        AuthorizationExpiring.type,
        authorizationId,
      ]);
      expect(published).toHaveLength(2);
    });

    it('show units used and remaining, with the warnings a coordinator acts on', async () => {
      const clinic = await aClinic(kit);
      const patientId = await referPatient(kit, clinic.siteId);
      await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/authorizations`, anAuthorization(patientId, { payerReference: 'AUTH-1', unitsApproved: 24 }))
        .expect(201);
      await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/authorizations`, anAuthorization(patientId, { payerReference: 'AUTH-2', unitsApproved: 12, endDate: inDays(3) }))
        .expect(201);
      const byRef = Object.fromEntries((await authorizationsOf(clinic, patientId)).map((a) => [a.payerReference, a]));
      expect(byRef['AUTH-1']).toMatchObject({ unitsUsed: 0, unitsRemaining: 24, warnings: [] });
      expect(byRef['AUTH-2']).toMatchObject({ unitsUsed: 0, unitsRemaining: 12, warnings: ['ending-soon'] });
    });

    it('an authorisation ending before it starts is refused', async () => {
      const clinic = await aClinic(kit);
      const res = await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/authorizations`, anAuthorization(crypto.randomUUID(), { startDate: inDays(5), endDate: today() }))
        .expect(400);
      expect(res.body.detail).toContain('endDate');
    });
  });
});
