import { tokenFor } from '@iop/testing';
import { aClinic, aPatient, api, grantConsent, recordCoverage, startInsurance, type Clinic, type InsuranceKit } from './insurance-test-kit';

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
    const clinic = await aClinic();
    const siteAdmin = await tokenFor('site_admin', [clinic.siteId]);
    await api(kit, siteAdmin).put(`/sites/${clinic.siteId}/fee-schedule/H0015`, { perDiemCents }).expect(200);
    const coverage = await recordCoverage(kit, clinic, aPatient({ memberId: `${memberPrefix}${Math.floor(Math.random() * 1e9)}` }));
    await grantConsent(kit, clinic.siteId, coverage.patientId, 'cigna');
    const res = await api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/coverages/${coverage.coverageId}/verifications`, { serviceDate: '2026-12-01', programType: 'substance-use' }).expect(201);
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
    expect(res.body.message).toContain('fee-schedule/S9480');
  });

  it('bad plans are refused with the field named', async () => {
    const { clinic, verificationId } = await verifiedPatient();
    const res = await estimate(clinic, { verificationId, billingCode: 'H0015', weeks: 0, daysPerWeek: 8 }).expect(400);
    expect(res.body.message).toContain('weeks');
    expect(res.body.message).toContain('daysPerWeek');
  });

  it('only site admins set the fee schedule, and only for their site', async () => {
    const clinic = await aClinic();
    await api(kit, clinic.coordinator).put(`/sites/${clinic.siteId}/fee-schedule/H0015`, { perDiemCents: 1 }).expect(403);
    const otherAdmin = await tokenFor('site_admin', [crypto.randomUUID()]);
    await api(kit, otherAdmin).put(`/sites/${clinic.siteId}/fee-schedule/H0015`, { perDiemCents: 1 }).expect(403);
  });

  describe('prior authorisations', () => {
    const today = () => new Date().toISOString().slice(0, 10);
    const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

    it('are recorded, and warn when units run low or the end date nears', async () => {
      const clinic = await aClinic();
      const patientId = crypto.randomUUID();
      const base = { patientId, payerId: 'cigna', serviceCode: 'H0015', startDate: today() };
      const roomy = await api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/authorizations`, { ...base, payerReference: 'AUTH-1', unitsApproved: 24, endDate: inDays(60) }).expect(201);
      await api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/authorizations`, { ...base, payerReference: 'AUTH-2', unitsApproved: 12, endDate: inDays(3) }).expect(201);
      // Attended days, as the attendance consumer will record them.
      for (let i = 0; i < 20; i++) {
        await kit.infra.adminQuery(`INSERT INTO insurance.authorization_usage (source_event_id, authorization_id, site_id, service_date, units) VALUES ($1, $2, $3, $4, 1)`, [
          crypto.randomUUID(),
          roomy.body.authorizationId,
          clinic.siteId,
          today(),
        ]);
      }
      const res = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/patients/${patientId}/authorizations`).expect(200);
      const byRef = Object.fromEntries((res.body as Array<{ payerReference: string }>).map((a) => [a.payerReference, a]));
      expect(byRef['AUTH-1']).toMatchObject({ unitsUsed: 20, unitsRemaining: 4, warnings: ['units-low'] });
      expect(byRef['AUTH-2']).toMatchObject({ unitsUsed: 0, unitsRemaining: 12, warnings: ['ending-soon'] });
    });

    it('an authorisation ending before it starts is refused', async () => {
      const clinic = await aClinic();
      const res = await api(kit, clinic.coordinator)
        .post(`/sites/${clinic.siteId}/authorizations`, { patientId: crypto.randomUUID(), payerId: 'cigna', payerReference: 'A', serviceCode: 'H0015', unitsApproved: 5, startDate: inDays(5), endDate: today() })
        .expect(400);
      expect(res.body.message).toContain('endDate');
    });
  });
});
