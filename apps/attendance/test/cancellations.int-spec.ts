import {
  AppointmentBooked,
  AppointmentCancelled,
  AttendanceFactRecorded,
  AttendanceRecorded,
  OutreachNeeded,
  SeatsReleased,
  SessionCancelled,
  SessionScheduled,
  type PayloadOf,
} from '@iop/contracts';
import { encodeEvent } from '@iop/messaging';
import { eventually } from '@iop/testing';
import { factIdFor } from '../src/domain/analytics-fact';
import {
  aClinic,
  aPatientIn,
  api,
  minutesAfter,
  publish,
  rosterReady,
  scheduleSession,
  startAttendance,
  type AttendanceKit,
  type Clinic,
  type Patient,
} from './attendance-test-kit';

/*
 * Scheduling's cancellations become attendance records: a session the clinic cancels, or an appointment the clinic or
 * the patient cancels, gives each patient who held a seat a cancelled-by-clinic / cancelled-by-patient record (no
 * minutes, not a no-show) with its events and analytics fact, once however often the event comes. Scheduling is not
 * started: its events are published as its relay would.
 */

interface RecordRow {
  record_id: string;
  patient_id: string;
  status: string;
  attended_minutes: number;
  scheduled_minutes: number;
  source: string;
  revision: number;
  versions: number;
}

describe("attendance: scheduling's cancellations", () => {
  let kit: AttendanceKit;
  beforeAll(async () => {
    kit = await startAttendance();
  });
  afterAll(async () => {
    await kit?.close();
  });

  const recordsOf = (sessionId: string) =>
    kit.infra.adminQuery<RecordRow>(
      `SELECT r.record_id, r.patient_id, r.status, r.attended_minutes, r.scheduled_minutes, r.source, r.revision,
              (SELECT count(*)::int FROM attendance.attendance_record_versions v WHERE v.record_id = r.record_id) AS versions
         FROM attendance.attendance_records r WHERE r.session_id = $1 ORDER BY r.patient_id`,
      [sessionId],
    );

  /** The session as scheduling's cancellation publishes it (the whole state, revision + 1, a reason, who held a seat). */
  async function sessionPayload(clinic: Clinic, sessionId: string, startsAt: string, minutes: number, localDate: string) {
    const [row] = await kit.infra.adminQuery<{ track_id: string; leader_id: string }>(
      `SELECT track_id, leader_id FROM attendance.sessions WHERE session_id = $1`,
      [sessionId],
    );
    const scheduled: PayloadOf<typeof SessionScheduled> = {
      sessionId,
      trackId: row!.track_id,
      programId: clinic.programId,
      siteId: clinic.siteId,
      kind: 'group',
      startsAt,
      endsAt: minutesAfter(startsAt, minutes),
      localDate,
      leaderId: row!.leader_id,
      coLeaderId: null,
      roomId: crypto.randomUUID(),
      capacity: 12,
      delivery: 'in-person',
      revision: 2,
      occurredAt: new Date().toISOString(),
    };
    return scheduled;
  }

  const seatOf = (p: Patient) => ({ patientId: p.patientId, enrolmentId: p.enrolmentId, episodeId: p.episodeId });

  it('a session the clinic cancels gives everyone booked a cancelled-by-clinic record with its fact, once, however often the cancellation comes', async () => {
    const recorded = await kit.eventsOf(AttendanceRecorded);
    const facts = await kit.eventsOf(AttendanceFactRecorded);
    const clinic = await aClinic(kit);
    const startsAt = '2026-06-02T16:00:00Z';
    const sessionId = await scheduleSession(kit, clinic, startsAt, 180, '2026-06-02');
    const [ana, ben] = [await aPatientIn(kit, clinic, [sessionId]), await aPatientIn(kit, clinic, [sessionId])];
    await rosterReady(kit, [sessionId], [ana!, ben!]);

    const cancellation = {
      ...(await sessionPayload(clinic, sessionId, startsAt, 180, '2026-06-02')),
      reason: 'site closed: snow',
      bookedPatients: [ana!, ben!].map(seatOf),
    };
    const event = encodeEvent(SessionCancelled, cancellation, '/iop/scheduling', {});
    const message = { key: event.key, value: JSON.stringify(event.payload), headers: event.headers };
    // The same message twice (a redelivery), then the same cancellation again under a new event id (a replay).
    await kit.producer.send({ topic: SessionCancelled.topic, acks: -1, messages: [message] });
    await kit.producer.send({ topic: SessionCancelled.topic, acks: -1, messages: [message] });
    await publish(kit.producer, SessionCancelled, cancellation);

    await eventually(async () => expect(await recordsOf(sessionId)).toHaveLength(2), { timeoutMs: 30_000 });
    await eventually(() => expect(recorded.filter((e) => e.sessionId === sessionId)).toHaveLength(2), { timeoutMs: 30_000 });
    const rows = await recordsOf(sessionId);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'cancelled-by-clinic', attended_minutes: 0, scheduled_minutes: 180, source: 'scheduling', revision: 1, versions: 1 });
    }
    expect(
      recorded
        .filter((e) => e.sessionId === sessionId)
        .map((e) => [e.patientId, e.status, e.attendedMinutes, e.source])
        .sort(),
    ).toEqual(
      [
        [ana!.patientId, 'cancelled-by-clinic', 0, 'scheduling'],
        [ben!.patientId, 'cancelled-by-clinic', 0, 'scheduling'],
      ].sort(),
    );
    const factIds = rows.map((r) => factIdFor(r.record_id));
    await eventually(() => expect(facts.filter((f) => factIds.includes(f.factId))).toHaveLength(2), { timeoutMs: 30_000 });
    for (const fact of facts.filter((f) => factIds.includes(f.factId))) {
      expect(fact).toMatchObject({ status: 'cancelled-by-clinic', revision: 1, attendedMinutes: 0, scheduledMinutes: 180, siteId: clinic.siteId });
    }
    // Nothing more came of the redelivery and the replay.
    const [{ n }] = await kit.infra.adminQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM attendance.outbox WHERE type = 'attendance.attendance-recorded' AND payload->>'sessionId' = $1`,
      [sessionId],
    );
    expect(n).toBe(2);
  });

  it('records the cancellation for a patient whose released seat arrived first, and, for an older event that names nobody, for the seats still booked', async () => {
    const clinic = await aClinic(kit);
    const first = { at: '2026-06-09T16:00:00Z', day: '2026-06-09' };
    const second = { at: '2026-06-10T16:00:00Z', day: '2026-06-10' };
    const [one, two] = [await scheduleSession(kit, clinic, first.at, 180, first.day), await scheduleSession(kit, clinic, second.at, 180, second.day)];
    const [early, booked] = [await aPatientIn(kit, clinic, [one!, two!]), await aPatientIn(kit, clinic, [one!, two!])];
    await rosterReady(kit, [one!, two!], [early!, booked!]);

    // Scheduling's seats-released for the cancelled session overtakes the cancellation (another topic, no order between them).
    await publish(kit.producer, SeatsReleased, { ...early!, siteId: clinic.siteId, sessionIds: [one!], occurredAt: new Date().toISOString() });
    await eventually(async () =>
      expect(
        await kit.infra.adminQuery(`SELECT 1 FROM attendance.seats WHERE session_id = $1 AND patient_id = $2 AND state = 'released'`, [one, early!.patientId]),
      ).toHaveLength(1),
    );
    await publish(kit.producer, SessionCancelled, {
      ...(await sessionPayload(clinic, one!, first.at, 180, first.day)),
      reason: 'leader ill',
      bookedPatients: [early!, booked!].map(seatOf),
    });
    // An event from before scheduling named who held a seat: the seats attendance holds as booked.
    await publish(kit.producer, SessionCancelled, { ...(await sessionPayload(clinic, two!, second.at, 180, second.day)), reason: 'leader ill' });

    await eventually(
      async () => {
        expect((await recordsOf(one!)).map((r) => [r.patient_id, r.status]).sort()).toEqual(
          [
            [early!.patientId, 'cancelled-by-clinic'],
            [booked!.patientId, 'cancelled-by-clinic'],
          ].sort(),
        );
        expect((await recordsOf(two!)).map((r) => [r.patient_id, r.status]).sort()).toEqual(
          [
            [early!.patientId, 'cancelled-by-clinic'],
            [booked!.patientId, 'cancelled-by-clinic'],
          ].sort(),
        );
      },
      { timeoutMs: 30_000 },
    );
  });

  it('an appointment cancelled by the patient is cancelled-by-patient; one that went with the end of the episode records nothing', async () => {
    const facts = await kit.eventsOf(AttendanceFactRecorded);
    const clinic = await aClinic(kit);
    const patient = await aPatientIn(kit, clinic, []);
    const appointment = (startsAt: string): PayloadOf<typeof AppointmentBooked> => ({
      appointmentId: crypto.randomUUID(),
      patientId: patient.patientId,
      enrolmentId: patient.enrolmentId,
      siteId: clinic.siteId,
      clinicianId: crypto.randomUUID(),
      kind: 'individual-therapy',
      roomId: null,
      telehealth: true,
      startsAt,
      endsAt: minutesAfter(startsAt, 50),
      occurredAt: new Date().toISOString(),
    });
    const byPatient = appointment('2026-06-16T18:00:00Z');
    const withEpisode = appointment('2026-06-17T18:00:00Z');
    await publish(kit.producer, AppointmentBooked, byPatient);
    await publish(kit.producer, AppointmentBooked, withEpisode);
    await rosterReady(kit, [byPatient.appointmentId, withEpisode.appointmentId], [patient]);

    await publish(kit.producer, AppointmentCancelled, { ...byPatient, cancelledBy: 'patient', occurredAt: new Date().toISOString() });
    await publish(kit.producer, AppointmentCancelled, { ...withEpisode, occurredAt: new Date().toISOString() });

    await eventually(async () => expect(await recordsOf(byPatient.appointmentId)).toHaveLength(1), { timeoutMs: 30_000 });
    const [row] = await recordsOf(byPatient.appointmentId);
    expect(row).toMatchObject({
      patient_id: patient.patientId,
      status: 'cancelled-by-patient',
      attended_minutes: 0,
      scheduled_minutes: 50,
      source: 'scheduling',
    });
    await eventually(
      () =>
        expect(facts.find((f) => f.factId === factIdFor(row!.record_id))).toMatchObject({
          status: 'cancelled-by-patient',
          sessionKind: 'individual',
          modality: 'telehealth',
        }),
      {
        timeoutMs: 30_000,
      },
    );
    await eventually(async () =>
      expect(await kit.infra.adminQuery(`SELECT status FROM attendance.sessions WHERE session_id = $1`, [withEpisode.appointmentId])).toEqual([
        { status: 'cancelled' },
      ]),
    );
    expect(await recordsOf(withEpisode.appointmentId)).toHaveLength(0);
  });

  it('a cancelled session is not a no-show: it neither counts towards two consecutive no-shows nor breaks them', async () => {
    const outreach = await kit.eventsOf(OutreachNeeded);
    const clinic = await aClinic(kit);
    const sessions = [
      { at: '2026-06-23T01:00:00Z', day: '2026-06-22' },
      { at: '2026-06-24T01:00:00Z', day: '2026-06-23' },
      { at: '2026-06-25T01:00:00Z', day: '2026-06-24' },
    ];
    const ids: string[] = [];
    for (const s of sessions) ids.push(await scheduleSession(kit, clinic, s.at, 180, s.day));
    const patient = await aPatientIn(kit, clinic, ids);
    await rosterReady(kit, ids, [patient]);

    await api(kit, clinic.staff).post(`/sessions/${ids[0]}/attendance`, { allPresent: false, exceptions: [] }).expect(200);
    await publish(kit.producer, SessionCancelled, {
      ...(await sessionPayload(clinic, ids[1]!, sessions[1]!.at, 180, sessions[1]!.day)),
      reason: 'site closed',
      bookedPatients: [seatOf(patient)],
    });
    await eventually(async () => expect(await recordsOf(ids[1]!)).toHaveLength(1), { timeoutMs: 30_000 });
    // One no-show and a clinic cancellation: no outreach.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(outreach.filter((e) => e.siteId === clinic.siteId)).toHaveLength(0);

    await api(kit, clinic.staff).post(`/sessions/${ids[2]}/attendance`, { allPresent: false, exceptions: [] }).expect(200);
    await eventually(() => expect(outreach.filter((e) => e.siteId === clinic.siteId)).toHaveLength(1), { timeoutMs: 30_000 });
    expect(outreach.find((e) => e.siteId === clinic.siteId)).toMatchObject({ patientId: patient.patientId, missedSessionIds: [ids[0], ids[2]] });
  });
});
