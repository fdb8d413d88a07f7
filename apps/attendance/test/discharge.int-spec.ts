import { DischargeAmended, OutreachNeeded, PatientDischarged, SeatsBooked, type PayloadOf } from '@iop/contracts';
import { aDischarge, deliverEvent, encodeEventMessage, eventually, tokenFor } from '@iop/testing';
import {
  aClinic,
  aPatientIn,
  api,
  publish,
  rosterReady,
  scheduleSession,
  startAttendance,
  type AttendanceKit,
  type Clinic,
  type Patient,
} from './attendance-test-kit';

/** Issue 12, item 2 (attendance's side): a discharge closes the episode's rosters after the discharge date. */
describe("attendance reacting to aftercare's discharge, through Kafka", () => {
  let kit: AttendanceKit;

  beforeAll(async () => {
    kit = await startAttendance();
  });
  afterAll(async () => kit?.close());

  /** Evening sessions in Los Angeles on the given local days of June 2026 (01:00 UTC the next day), three hours each. */
  const sessionsOn = async (clinic: Clinic, days: number[]) => {
    const ids: string[] = [];
    for (const day of days) {
      const local = `2026-06-${String(day).padStart(2, '0')}`;
      ids.push(await scheduleSession(kit, clinic, `2026-06-${String(day + 1).padStart(2, '0')}T01:00:00Z`, 180, local));
    }
    return ids;
  };
  const startOf = (day: number) => `2026-06-${String(day + 1).padStart(2, '0')}T01:00:00.000Z`;
  const checkIn = (clinic: Clinic, sessionId: string, patientId: string, day: number) =>
    api(kit, clinic.staff).post(`/sessions/${sessionId}/check-ins`, { patientId, at: startOf(day) });
  const rosterOf = async (clinic: Clinic, sessionId: string) =>
    (
      (
        await api(kit, await tokenFor('site_admin', [clinic.siteId]))
          .get(`/sessions/${sessionId}/roster`)
          .expect(200)
      ).body.entries as Array<{ patientId: string }>
    ).map((e) => e.patientId);
  const discharging = (clinic: Clinic, patient: Patient, overrides: Partial<PayloadOf<typeof PatientDischarged>> = {}) =>
    aDischarge({ episodeId: patient.episodeId, patientId: patient.patientId, siteId: clinic.siteId }, overrides);
  /** Whether the consumer has taken an event in: one key's events (the episode's) are taken in order. */
  const taken = (eventId: string) =>
    eventually(async () => expect(await kit.infra.adminQuery(`SELECT 1 FROM attendance.inbox WHERE event_id = $1`, [eventId])).toHaveLength(1));

  it('closes the rosters after the discharge date: seats leave them and a check-in is refused, however often the discharge is delivered', async () => {
    const clinic = await aClinic(kit);
    const [before, on, after, later] = await sessionsOn(clinic, [8, 9, 10, 11]);
    const patient = await aPatientIn(kit, clinic, [before!, on!, after!, later!]);
    const stays = await aPatientIn(kit, clinic, [after!]);
    await rosterReady(kit, [before!, on!, after!, later!], [patient, stays]);

    const discharge = discharging(clinic, patient, { dischargedOn: '2026-06-09' });
    const event = encodeEventMessage(PatientDischarged, discharge);
    await deliverEvent(kit.producer, event, 2);
    await deliverEvent(kit.producer, event);
    await taken(await publish(kit.producer, PatientDischarged, discharge));

    expect(await rosterOf(clinic, on!)).toEqual([patient.patientId]);
    expect(await rosterOf(clinic, after!)).toEqual([stays.patientId]);
    expect(await rosterOf(clinic, later!)).toEqual([]);
    const refused = await checkIn(clinic, after!, patient.patientId, 10).expect(409);
    expect(refused.body.code).toBe('attendance.patient-discharged');
    expect(refused.body.detail).toContain('discharged on 2026-06-09');
    // Up to and including the discharge date, attendance is still recorded; others in the session are unaffected.
    await checkIn(clinic, before!, patient.patientId, 8).expect(201);
    await checkIn(clinic, on!, patient.patientId, 9).expect(201);
    await checkIn(clinic, after!, stays.patientId, 10).expect(201);
    expect(
      await kit.infra.adminQuery(`SELECT 1 FROM attendance.attendance_records WHERE session_id = $1 AND patient_id = $2`, [after, patient.patientId]),
    ).toEqual([]);

    // A seat scheduling (re)sends for a session after the discharge arrives released.
    await taken(
      await publish(kit.producer, SeatsBooked, {
        patientId: patient.patientId,
        enrolmentId: patient.enrolmentId,
        episodeId: patient.episodeId,
        siteId: clinic.siteId,
        sessionIds: [later!],
        occurredAt: new Date().toISOString(),
      }),
    );
    expect(await rosterOf(clinic, later!)).toEqual([]);
    expect((await checkIn(clinic, later!, patient.patientId, 11).expect(409)).body.code).toBe('attendance.patient-discharged');
  });

  it('an amendment to an earlier date closes the rosters from the day after it', async () => {
    const clinic = await aClinic(kit);
    const [first, second] = await sessionsOn(clinic, [15, 16]);
    const patient = await aPatientIn(kit, clinic, [first!, second!]);
    await rosterReady(kit, [first!, second!], [patient]);
    const discharge = discharging(clinic, patient, { dischargedOn: '2026-06-16' });
    await taken(await publish(kit.producer, PatientDischarged, discharge));
    expect(await rosterOf(clinic, second!)).toEqual([patient.patientId]);

    const amended: PayloadOf<typeof DischargeAmended> = {
      dischargeId: discharge.dischargeId,
      episodeId: patient.episodeId,
      patientId: patient.patientId,
      siteId: clinic.siteId,
      amendment: 1,
      type: 'completed',
      reasonCode: 'goals-met',
      dischargedOn: '2026-06-15',
      occurredAt: new Date().toISOString(),
    };
    await taken(await publish(kit.producer, DischargeAmended, amended));
    expect(await rosterOf(clinic, second!)).toEqual([]);
    expect((await checkIn(clinic, second!, patient.patientId, 16).expect(409)).body.detail).toContain('discharged on 2026-06-15');
    await checkIn(clinic, first!, patient.patientId, 15).expect(201);
  });

  it('stops the outreach watch: the open outreach leaves the queue, and no-shows recorded late raise none', async () => {
    const outreach = await kit.eventsOf(OutreachNeeded);
    const clinic = await aClinic(kit);
    const ids = await sessionsOn(clinic, [22, 23, 24, 25]);
    const onQueue = await aPatientIn(kit, clinic, ids.slice(0, 2));
    const lateRecorded = await aPatientIn(kit, clinic, ids.slice(2));
    await rosterReady(kit, ids, [onQueue, lateRecorded]);
    for (const id of ids.slice(0, 2)) await api(kit, clinic.staff).post(`/sessions/${id}/attendance`, { allPresent: false, exceptions: [] }).expect(200);
    await eventually(() => expect(outreach.filter((e) => e.patientId === onQueue.patientId)).toHaveLength(1), { timeoutMs: 30_000 });
    const queue = async () =>
      ((await api(kit, clinic.staff).get(`/sites/${clinic.siteId}/outreach`).expect(200)).body.items as Array<{ patientId: string }>).map((i) => i.patientId);
    expect(await queue()).toEqual([onQueue.patientId]);

    await taken(await publish(kit.producer, PatientDischarged, discharging(clinic, onQueue, { dischargedOn: '2026-06-23' })));
    await taken(await publish(kit.producer, PatientDischarged, discharging(clinic, lateRecorded, { dischargedOn: '2026-06-25' })));
    expect(await queue()).toEqual([]);
    // Sessions before the discharge recorded afterwards as no-shows: the episode has ended, nobody is sent to call.
    for (const id of ids.slice(2)) await api(kit, clinic.staff).post(`/sessions/${id}/attendance`, { allPresent: false, exceptions: [] }).expect(200);
    expect(
      await kit.infra.adminQuery(`SELECT 1 FROM attendance.outbox WHERE type = $1 AND payload->>'patientId' = $2`, [
        OutreachNeeded.type,
        lateRecorded.patientId,
      ]),
    ).toEqual([]);
    expect(await queue()).toEqual([]);
  });
});
