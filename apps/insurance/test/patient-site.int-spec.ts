import { PatientAdmitted } from '@iop/contracts';
import { eventually } from '@iop/testing';
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

describe("insurance knows each site's patients from intake's referrals", () => {
  let kit: InsuranceKit;

  beforeAll(async () => {
    kit = await startInsurance();
  });
  afterAll(async () => {
    await kit?.close();
  });

  const today = () => new Date().toISOString().slice(0, 10);
  const anAuthorization = (patientId: string) => ({
    patientId,
    payerId: 'cigna',
    serviceCode: 'H0015',
    payerReference: `AUTH-${Math.floor(Math.random() * 1e6)}`,
    unitsApproved: 24,
    startDate: today(),
    endDate: new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10),
  });
  const coverage = (clinic: Clinic, patientId: string) => api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/coverages`, { ...aPatient(), patientId });
  const authorize = (clinic: Clinic, patientId: string) =>
    api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/authorizations`, anAuthorization(patientId));
  const written = async (patientId: string) => ({
    coverages: await kit.infra.adminQuery(`SELECT 1 FROM insurance.coverages WHERE patient_id = $1`, [patientId]),
    authorizations: await kit.infra.adminQuery(`SELECT 1 FROM insurance.authorizations WHERE patient_id = $1`, [patientId]),
    audit: await kit.infra.adminQuery(`SELECT 1 FROM insurance.audit_log WHERE patient_id = $1`, [patientId]),
  });

  it("refuses a coverage or an authorisation at site A for site B's patient, without saying where the patient is, and writes nothing", async () => {
    const a = await aClinic(kit);
    const b = await aClinic(kit);
    const theirs = await referPatient(kit, b.siteId);
    for (const res of [await coverage(a, theirs), await authorize(a, theirs)]) {
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('patient.not-at-site');
      expect(res.body.detail).toContain(`patient ${theirs} is not known at site ${a.siteId}`);
      expect(res.body.detail).toContain('record the referral in intake first');
      expect(res.body.detail).not.toContain(b.siteId);
    }
    expect(await written(theirs)).toEqual({ coverages: [], authorizations: [], audit: [] });
  });

  it('refuses a patient id nobody knows, with the same answer', async () => {
    const clinic = await aClinic(kit);
    const nobody = crypto.randomUUID();
    const refused = [await coverage(clinic, nobody), await authorize(clinic, nobody)];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([
      [422, 'patient.not-at-site'],
      [422, 'patient.not-at-site'],
    ]);
    expect(await written(nobody)).toEqual({ coverages: [], authorizations: [], audit: [] });
  });

  it('a patient referred at two sites has coverages and authorisations at both', async () => {
    const a = await aClinic(kit);
    const b = await aClinic(kit);
    const patientId = await referPatient(kit, a.siteId);
    await referPatient(kit, b.siteId, patientId);
    for (const clinic of [a, b]) {
      expect((await coverage(clinic, patientId)).status).toBe(201);
      expect((await authorize(clinic, patientId)).status).toBe(201);
    }
  });

  it('an admission makes the patient known at its site too', async () => {
    const clinic = await aClinic(kit);
    const patientId = crypto.randomUUID();
    await publish(kit.producer, PatientAdmitted, {
      episodeId: crypto.randomUUID(),
      patientId,
      referralId: crypto.randomUUID(),
      siteId: clinic.siteId,
      programType: 'substance-use',
      levelOfCare: '2.1',
      plannedWeeklyHours: 9,
      plannedStart: today(),
      occurredAt: new Date().toISOString(),
    });
    await eventually(async () => expect((await coverage(clinic, patientId)).status).toBe(201));
  });

  it('a coverage entered before the referral reached insurance is refused as retriable, and accepted once it has', async () => {
    const clinic = await aClinic(kit);
    const patientId = crypto.randomUUID();
    const early = await coverage(clinic, patientId);
    expect(early.status).toBe(422);
    expect(early.body.detail).toContain('try again shortly');
    await referPatient(kit, clinic.siteId, patientId);
    // A redelivered referral changes nothing.
    await referPatient(kit, clinic.siteId, patientId);
    expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.patient_sites WHERE patient_id = $1`, [patientId])).toHaveLength(1);
    expect((await coverage(clinic, patientId)).status).toBe(201);
  });

  it('a coverage already on file for a patient the site does not have is not verified: nothing reaches the payer', async () => {
    const clinic = await aClinic(kit);
    const b = await aClinic(kit);
    const onFile = await recordCoverage(kit, b);
    // As a coverage recorded before insurance checked patients could be: filed under site A for B's patient.
    const coverageId = crypto.randomUUID();
    await kit.infra.adminQuery(
      `INSERT INTO insurance.coverages (coverage_id, site_id, patient_id, payer_id, priority, member_id, relationship, subscriber)
       SELECT $1, $2, patient_id, payer_id, priority, member_id, relationship, subscriber FROM insurance.coverages WHERE coverage_id = $3`,
      [coverageId, clinic.siteId, onFile.coverageId],
    );
    await grantConsent(kit, clinic.siteId, onFile.patientId, 'cigna');
    const res = await api(kit, clinic.coordinator)
      .post(`/sites/${clinic.siteId}/coverages/${coverageId}/verifications`, { serviceDate: today(), programType: 'substance-use' })
      .expect(422);
    expect(res.body.code).toBe('patient.not-at-site');
    expect(kit.simulator.requestsFor(onFile.memberId)).toBe(0);
  });
});
