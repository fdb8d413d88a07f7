import { DateTime } from 'luxon';
import { DischargeAmended, PatientAdmitted, PatientDischarged, type PayloadOf } from '@iop/contracts';
import { aDischarge, deliverEvent, encodeEventMessage, eventually, publishEvent } from '@iop/testing';
import {
  aClinic,
  aClinician,
  aProgram,
  aTrack,
  admit,
  anAdmission,
  api,
  bookedSessions,
  materialise,
  mondayIn,
  startScheduling,
  type Admitted,
  type Clinic,
  type SchedulingKit,
  type SessionRef,
  type Track,
} from './support/scheduling-kit';

const plusDays = (date: string, days: number) => DateTime.fromISO(date).plus({ days }).toISODate()!;

/** Issue 12, item 2 (scheduling's side): aftercare's discharge ends the episode's enrolment and frees what it held. */
describe("scheduling reacting to aftercare's discharge, through Kafka", () => {
  let kit: SchedulingKit;
  let east: Clinic;

  beforeAll(async () => {
    kit = await startScheduling();
    east = await aClinic(kit, 'America/New_York');
  });
  afterAll(async () => kit?.close());

  const trackAt = async (clinic: Clinic, levelOfCare = '2.1', over: object = {}): Promise<{ programId: string; track: Track; sessions: SessionRef[] }> => {
    const programId = await aProgram(kit, clinic.siteId, { levelOfCare, ...(levelOfCare === '1' ? { minWeeklyMinutes: 180 } : {}) });
    const track = await aTrack(kit, { siteId: clinic.siteId, timeZone: clinic.timeZone, programId, startsOn: mondayIn(0, clinic.timeZone), ...over });
    const sessions = await materialise(kit, track, mondayIn(1, clinic.timeZone), plusDays(mondayIn(2, clinic.timeZone), 6));
    return { programId, track, sessions };
  };
  const placed = async (clinic: Clinic, track: Track): Promise<Admitted> => {
    const patient = await admit(kit, clinic.siteId, { plannedStart: mondayIn(1) });
    await api(kit, clinic.coordinator).post(`/enrolments/${patient.enrolmentId}/placement`, { trackId: track.trackId }).expect(200);
    return patient;
  };
  const anAppointment = async (clinic: Clinic, patient: Admitted, on: string) => {
    const start = DateTime.fromISO(`${on}T11:00`, { zone: clinic.timeZone });
    const res = await api(kit, clinic.coordinator)
      .post(`/sites/${clinic.siteId}/appointments`, {
        patientId: patient.patientId,
        clinicianId: await aClinician(kit, clinic.siteId),
        telehealth: true,
        kind: 'medication-management',
        startsAt: start.toISO(),
        endsAt: start.plus({ minutes: 30 }).toISO(),
      })
      .expect(201);
    return res.body.appointmentId as string;
  };
  const discharging = (clinic: Clinic, patient: Admitted, overrides: Partial<PayloadOf<typeof PatientDischarged>> = {}) =>
    aDischarge({ episodeId: patient.episodeId, patientId: patient.patientId, siteId: clinic.siteId }, overrides);
  /** Whether the consumer has taken an event in: events of one key (the episode) are taken in order. */
  const taken = (eventId: string) =>
    eventually(async () => expect(await kit.infra.adminQuery(`SELECT 1 FROM scheduling.inbox WHERE event_id = $1`, [eventId])).toHaveLength(1));
  const outboxOf = (type: string, enrolmentId: string) =>
    kit.infra.adminQuery<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM scheduling.outbox WHERE type = $1 AND payload->>'enrolmentId' = $2 ORDER BY seq`,
      [type, enrolmentId],
    );

  it('ends the enrolment from the day after the discharge and releases the seats and appointments after it, once however often delivered', async () => {
    const { sessions, track } = await trackAt(east);
    const patient = await placed(east, track);
    const dischargedOn = plusDays(mondayIn(1), 2);
    const before = await anAppointment(east, patient, plusDays(mondayIn(1), 1));
    const after = await anAppointment(east, patient, plusDays(mondayIn(1), 4));
    const discharge = discharging(east, patient, { dischargedOn });

    const event = encodeEventMessage(PatientDischarged, discharge);
    await deliverEvent(kit.producer, event, 2);
    await deliverEvent(kit.producer, event);
    await taken(await publishEvent(kit.producer, PatientDischarged, discharge));

    const enrolment = await api(kit, east.coordinator).get(`/enrolments/${patient.enrolmentId}`).expect(200);
    expect(enrolment.body).toMatchObject({ status: 'ended', endReason: 'episode-ended' });
    const kept = sessions.filter((s) => s.localDate <= dischargedOn).map((s) => s.sessionId);
    expect(kept.length).toBeGreaterThan(0);
    expect((await bookedSessions(kit, patient.enrolmentId)).sort()).toEqual([...kept].sort());
    expect((await api(kit, east.coordinator).get(`/appointments/${before}`).expect(200)).body.status).toBe('booked');
    expect((await api(kit, east.coordinator).get(`/appointments/${after}`).expect(200)).body.status).toBe('cancelled');
    const ended = await outboxOf('scheduling.enrolment-changed', patient.enrolmentId);
    expect(ended.filter((e) => e.payload['change'] === 'ended').map((e) => e.payload)).toEqual([
      expect.objectContaining({ endReason: 'episode-ended', effectiveFrom: plusDays(dischargedOn, 1) }),
    ]);
    const released = await outboxOf('scheduling.seats-released', patient.enrolmentId);
    expect(released).toHaveLength(1);
    expect((released[0]!.payload['sessionIds'] as string[]).sort()).toEqual(
      sessions
        .filter((s) => s.localDate > dischargedOn)
        .map((s) => s.sessionId)
        .sort(),
    );
  });

  it('a step-down to an outpatient program enrols the patient there, awaiting placement, continuing the discharged episode', async () => {
    const iop = await trackAt(east, '2.1');
    const op = await trackAt(east, '1', { rule: 'FREQ=WEEKLY;BYDAY=WE', blockStart: '10:00' });
    const patient = await placed(east, iop.track);
    const discharge = discharging(east, patient, {
      type: 'step-down',
      reasonCode: 'goals-met',
      dischargedOn: plusDays(mondayIn(1), 1),
      stepDown: { programId: op.programId, levelOfCare: '1' },
    });
    const event = encodeEventMessage(PatientDischarged, discharge);
    await deliverEvent(kit.producer, event, 2);
    await taken(await publishEvent(kit.producer, PatientDischarged, discharge));

    const enrolments = await kit.infra.adminQuery<{
      enrolment_id: string;
      episode_id: string;
      status: string;
      program_id: string;
      level_of_care: string;
      site_id: string;
    }>(`SELECT enrolment_id, episode_id, status, program_id, level_of_care, site_id FROM scheduling.enrolments WHERE patient_id = $1 ORDER BY created_at`, [
      patient.patientId,
    ]);
    expect(enrolments).toHaveLength(2);
    const [old, next] = enrolments as [(typeof enrolments)[0], (typeof enrolments)[0]];
    expect(old).toMatchObject({ enrolment_id: patient.enrolmentId, status: 'ended' });
    expect(next).toMatchObject({ status: 'awaiting-placement', program_id: op.programId, level_of_care: '1', site_id: east.siteId });
    expect(next.episode_id).not.toBe(patient.episodeId);
    const [enrolled] = await outboxOf('scheduling.patient-enrolled', next.enrolment_id);
    expect(enrolled!.payload).toMatchObject({ status: 'awaiting-placement', continuesEpisodeId: patient.episodeId, plannedStart: plusDays(mondayIn(1), 2) });
    const ended = (await outboxOf('scheduling.enrolment-changed', patient.enrolmentId)).find((e) => e.payload['change'] === 'ended');
    expect(ended!.payload).toMatchObject({ continuedBy: next.enrolment_id });

    // The ordinary enrolment flow takes it from there: a coordinator places the patient in the outpatient track.
    const placement = await api(kit, east.coordinator).post(`/enrolments/${next.enrolment_id}/placement`, { trackId: op.track.trackId }).expect(200);
    expect(placement.body.enrolment).toMatchObject({ status: 'placed', levelOfCare: '1' });
    expect(placement.body.bookedSessionIds.length).toBeGreaterThan(0);
  });

  it('a step-down naming a program scheduling does not know still ends the episode, and is kept for someone to look at', async () => {
    const { track } = await trackAt(east);
    const patient = await placed(east, track);
    const programId = crypto.randomUUID();
    await taken(
      await publishEvent(kit.producer, PatientDischarged, discharging(east, patient, { type: 'step-down', stepDown: { programId, levelOfCare: '1' } })),
    );
    expect((await api(kit, east.coordinator).get(`/enrolments/${patient.enrolmentId}`).expect(200)).body.status).toBe('ended');
    expect(await kit.infra.adminQuery(`SELECT step_down FROM scheduling.discharges WHERE episode_id = $1`, [patient.episodeId])).toEqual([
      { step_down: 'program-unknown' },
    ]);
    expect(await kit.infra.adminQuery(`SELECT 1 FROM scheduling.enrolments WHERE patient_id = $1`, [patient.patientId])).toHaveLength(1);
  });

  it('an amendment to an earlier date releases the seats from the day after it; a stale or later one books nothing back', async () => {
    const { sessions, track } = await trackAt(east);
    const patient = await placed(east, track);
    const discharge = discharging(east, patient, { dischargedOn: plusDays(mondayIn(2), 2) });
    await taken(await publishEvent(kit.producer, PatientDischarged, discharge));
    const bookedBy = (until: string) =>
      sessions
        .filter((s) => s.localDate <= until)
        .map((s) => s.sessionId)
        .sort();
    expect((await bookedSessions(kit, patient.enrolmentId)).sort()).toEqual(bookedBy(discharge.dischargedOn));

    const amended = (amendment: number, dischargedOn: string): PayloadOf<typeof DischargeAmended> => ({
      dischargeId: discharge.dischargeId,
      episodeId: discharge.episodeId,
      patientId: discharge.patientId,
      siteId: discharge.siteId,
      amendment,
      type: 'completed',
      reasonCode: 'goals-met',
      dischargedOn,
      occurredAt: new Date().toISOString(),
    });
    const earlier = plusDays(mondayIn(1), 1);
    await taken(await publishEvent(kit.producer, DischargeAmended, amended(1, earlier)));
    expect((await bookedSessions(kit, patient.enrolmentId)).sort()).toEqual(bookedBy(earlier));

    // Amendment 1 again (with another date) is stale; amendment 2 moves the date later: nothing is booked back.
    await publishEvent(kit.producer, DischargeAmended, amended(1, plusDays(mondayIn(1), 0)));
    await taken(await publishEvent(kit.producer, DischargeAmended, amended(2, plusDays(mondayIn(2), 4))));
    expect((await bookedSessions(kit, patient.enrolmentId)).sort()).toEqual(bookedBy(earlier));
    expect(
      await kit.infra.adminQuery(`SELECT discharged_on::text, amendment FROM scheduling.discharges WHERE discharge_id = $1`, [discharge.dischargeId]),
    ).toEqual([{ discharged_on: plusDays(mondayIn(2), 4), amendment: 2 }]);
  });

  it('an admission that arrives after its episode was discharged is not enrolled', async () => {
    const episode = { episodeId: crypto.randomUUID(), patientId: crypto.randomUUID(), siteId: east.siteId };
    await taken(await publishEvent(kit.producer, PatientDischarged, aDischarge(episode)));
    await taken(await publishEvent(kit.producer, PatientAdmitted, anAdmission(east.siteId, episode)));
    expect(await kit.infra.adminQuery(`SELECT 1 FROM scheduling.enrolments WHERE episode_id = $1`, [episode.episodeId])).toEqual([]);
  });
});
