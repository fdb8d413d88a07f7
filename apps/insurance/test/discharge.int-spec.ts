import { BillableDayRecorded, DischargeAmended, PatientAdmitted, PatientDischarged, type PayloadOf } from '@iop/contracts';
import { aDischarge, deliverEvent, encodeEventMessage, eventually } from '@iop/testing';
import { MonthlyReverification } from '../src/application/monthly-reverification';
import { aClinic, api, publish, recordCoverage, startInsurance, type Clinic, type InsuranceKit } from './insurance-test-kit';

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** Issue 12, item 2 (insurance's side): a discharge stops re-verification and authorisation counting for the episode. */
describe("insurance reacting to aftercare's discharge, through Kafka", () => {
  let kit: InsuranceKit;

  beforeAll(async () => {
    kit = await startInsurance();
  });
  afterAll(async () => kit?.close());

  const anAdmission = (clinic: Clinic, patientId: string): PayloadOf<typeof PatientAdmitted> => ({
    episodeId: crypto.randomUUID(),
    patientId,
    referralId: crypto.randomUUID(),
    siteId: clinic.siteId,
    programType: 'substance-use',
    levelOfCare: '2.1',
    plannedWeeklyHours: 9,
    plannedStart: inDays(-20),
    occurredAt: new Date().toISOString(),
  });
  const episodeRow = (episodeId: string) => kit.infra.adminQuery(`SELECT end_reason FROM insurance.episodes WHERE episode_id = $1`, [episodeId]);
  const taken = (eventId: string) =>
    eventually(async () => expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.inbox WHERE event_id = $1`, [eventId])).toHaveLength(1));
  const aBillableDay = (clinic: Clinic, patientId: string, episodeId: string | null, serviceDate: string): PayloadOf<typeof BillableDayRecorded> => ({
    billableDayId: crypto.randomUUID(),
    patientId,
    episodeId,
    siteId: clinic.siteId,
    programId: null,
    serviceDate,
    billingCode: 'H0015',
    revenueCode: '0906',
    units: 1,
    attendedMinutes: 180,
    revision: 1,
    occurredAt: new Date().toISOString(),
  });
  const unitsUsed = async (clinic: Clinic, patientId: string) =>
    (
      (await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/patients/${patientId}/authorizations`).expect(200)).body as Array<{ unitsUsed: number }>
    )[0]!.unitsUsed;

  it('ends the episode once, however often the discharge is delivered, and no monthly re-verification is queued for it', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic);
    const admission = anAdmission(clinic, coverage.patientId);
    await taken(await publish(kit.producer, PatientAdmitted, admission));
    const discharge = aDischarge({ episodeId: admission.episodeId, patientId: coverage.patientId, siteId: clinic.siteId });
    const event = encodeEventMessage(PatientDischarged, discharge);
    await deliverEvent(kit.producer, event, 2);
    await deliverEvent(kit.producer, event);
    await taken(await publish(kit.producer, PatientDischarged, discharge));

    expect(await episodeRow(admission.episodeId)).toEqual([{ end_reason: 'discharged' }]);
    expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.discharges WHERE discharge_id = $1`, [discharge.dischargeId])).toHaveLength(1);
    await kit.app.get(MonthlyReverification).queueDue(inDays(0));
    expect(
      await kit.infra.adminQuery(`SELECT 1 FROM insurance.verifications WHERE patient_id = $1 AND requested_by = 'monthly-reverification'`, [
        coverage.patientId,
      ]),
    ).toEqual([]);
  });

  it('billable days after the discharge date use no authorised units; days up to it still count, however late they arrive', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic);
    const admission = anAdmission(clinic, coverage.patientId);
    await taken(await publish(kit.producer, PatientAdmitted, admission));
    await api(kit, clinic.coordinator)
      .post(`/sites/${clinic.siteId}/authorizations`, {
        patientId: coverage.patientId,
        payerId: 'cigna',
        serviceCode: 'H0015',
        payerReference: `AUTH-${Math.floor(Math.random() * 1e6)}`,
        unitsApproved: 24,
        startDate: inDays(-10),
        endDate: inDays(30),
      })
      .expect(201);
    const discharge = aDischarge({ episodeId: admission.episodeId, patientId: coverage.patientId, siteId: clinic.siteId }, { dischargedOn: inDays(2) });
    await taken(await publish(kit.producer, PatientDischarged, discharge));

    // Keyed by patient, these arrive in order: the last one taken in means all were.
    await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic, coverage.patientId, admission.episodeId, inDays(1)));
    await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic, coverage.patientId, admission.episodeId, inDays(2)));
    await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic, coverage.patientId, admission.episodeId, inDays(3)));
    await taken(await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic, coverage.patientId, null, inDays(4))));
    expect(await unitsUsed(clinic, coverage.patientId)).toBe(2);

    // An amendment to an earlier date moves the line: a day after it no longer counts.
    const amended: PayloadOf<typeof DischargeAmended> = {
      dischargeId: discharge.dischargeId,
      episodeId: admission.episodeId,
      patientId: coverage.patientId,
      siteId: clinic.siteId,
      amendment: 1,
      type: 'completed',
      reasonCode: 'goals-met',
      dischargedOn: inDays(0),
      occurredAt: new Date().toISOString(),
    };
    await taken(await publish(kit.producer, DischargeAmended, amended));
    await taken(await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic, coverage.patientId, admission.episodeId, inDays(-1))));
    await taken(await publish(kit.producer, BillableDayRecorded, aBillableDay(clinic, coverage.patientId, admission.episodeId, inDays(1))));
    expect(await unitsUsed(clinic, coverage.patientId)).toBe(3);
  });

  it('a discharge that arrives before its admission (another topic) still ends the episode when the admission comes', async () => {
    const clinic = await aClinic(kit);
    const coverage = await recordCoverage(kit, clinic);
    const admission = anAdmission(clinic, coverage.patientId);
    await taken(
      await publish(kit.producer, PatientDischarged, aDischarge({ episodeId: admission.episodeId, patientId: coverage.patientId, siteId: clinic.siteId })),
    );
    await taken(await publish(kit.producer, PatientAdmitted, admission));
    expect(await episodeRow(admission.episodeId)).toEqual([{ end_reason: 'discharged' }]);
  });
});
