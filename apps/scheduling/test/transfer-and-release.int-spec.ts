import { DateTime } from 'luxon';
import { tokenFor } from '@iop/testing';
import {
  aClinic,
  aProgram,
  aTrack,
  admit,
  api,
  bookedSessions,
  materialise,
  mondayIn,
  startScheduling,
  type Clinic,
  type SchedulingKit,
  type SessionRef,
  type Track,
} from './support/scheduling-kit';

const plusDays = (date: string, days: number) => DateTime.fromISO(date).plus({ days }).toISODate()!;

describe('moving a placed patient: transfers and steps of level of care (the end of the episode: discharge.int-spec.ts)', () => {
  let kit: SchedulingKit;
  let east: Clinic;
  let west: Clinic;

  beforeAll(async () => {
    kit = await startScheduling();
    east = await aClinic(kit, 'America/New_York');
    west = await aClinic(kit, 'America/Los_Angeles');
  });
  afterAll(async () => kit?.close());

  const trackAt = async (clinic: Clinic, levelOfCare = '2.1', over: object = {}): Promise<{ track: Track; sessions: SessionRef[] }> => {
    const programId = await aProgram(kit, clinic.siteId, { levelOfCare });
    const track = await aTrack(kit, { siteId: clinic.siteId, timeZone: clinic.timeZone, programId, startsOn: mondayIn(0, clinic.timeZone), ...over });
    const sessions = await materialise(kit, track, mondayIn(1, clinic.timeZone), plusDays(mondayIn(2, clinic.timeZone), 6));
    return { track, sessions };
  };
  const seats = async (sessions: SessionRef[]) =>
    (
      await kit.infra.adminQuery<{ n: number }>(`SELECT coalesce(sum(booked_seats), 0)::int AS n FROM scheduling.sessions WHERE session_id = ANY($1)`, [
        sessions.map((s) => s.sessionId),
      ])
    )[0]!.n;

  it("a transfer to another site's track ends the old enrolment, releases the old seats and books the new site's", async () => {
    const from = await trackAt(east);
    const to = await trackAt(west);
    const patient = await admit(kit, east.siteId, { plannedStart: mondayIn(1) });
    await api(kit, east.coordinator).post(`/enrolments/${patient.enrolmentId}/placement`, { trackId: from.track.trackId }).expect(200);
    expect(await seats(from.sessions)).toBe(from.sessions.length);

    const onlyEast = east.coordinator;
    await api(kit, onlyEast).post(`/enrolments/${patient.enrolmentId}/transfer`, { trackId: to.track.trackId }).expect(404);
    const both = await tokenFor('intake_coordinator', [east.siteId, west.siteId]);
    const res = await api(kit, both).post(`/enrolments/${patient.enrolmentId}/transfer`, { trackId: to.track.trackId }).expect(200);

    expect(res.body.enrolment).toMatchObject({ siteId: west.siteId, status: 'placed', trackId: to.track.trackId, episodeId: patient.episodeId });
    expect(res.body.releasedSessionIds).toHaveLength(from.sessions.length);
    expect(await seats(from.sessions)).toBe(0);
    expect(await seats(to.sessions)).toBe(to.sessions.length);
    const old = await api(kit, both).get(`/enrolments/${patient.enrolmentId}`).expect(200);
    expect(old.body).toMatchObject({ status: 'ended', endReason: 'transferred' });
    const plan = await api(kit, await tokenFor('clinician', [west.siteId]))
      .get(`/enrolments/${res.body.enrolment.enrolmentId}/plan`)
      .expect(200);
    expect(plan.body).toMatchObject({ version: 1, weeklyGroupMinutes: 540 });
    const events = await kit.infra.adminQuery<{ type: string; site: string }>(
      `SELECT type, payload->>'siteId' AS site FROM scheduling.outbox WHERE key = $1 AND type <> 'scheduling.treatment-plan-updated' ORDER BY seq`,
      [patient.patientId],
    );
    expect(events.slice(-5)).toEqual([
      { type: 'scheduling.seats-released', site: east.siteId },
      { type: 'scheduling.enrolment-changed', site: east.siteId },
      { type: 'scheduling.seats-booked', site: west.siteId },
      { type: 'scheduling.patient-enrolled', site: west.siteId },
      { type: 'scheduling.enrolment-changed', site: west.siteId },
    ]);
  });

  it('a transfer between tracks of one site moves the seats from the start date on', async () => {
    const a = await trackAt(east);
    const b = await trackAt(east, '2.1', { blockStart: '09:00' });
    const patient = await admit(kit, east.siteId, { plannedStart: mondayIn(1) });
    await api(kit, east.coordinator).post(`/enrolments/${patient.enrolmentId}/placement`, { trackId: a.track.trackId }).expect(200);
    const res = await api(kit, east.coordinator)
      .post(`/enrolments/${patient.enrolmentId}/transfer`, { trackId: b.track.trackId, from: mondayIn(2) })
      .expect(200);
    expect(res.body.enrolment).toMatchObject({ enrolmentId: patient.enrolmentId, trackId: b.track.trackId, placedFrom: mondayIn(2) });
    const booked = new Set(await bookedSessions(kit, patient.enrolmentId));
    expect(a.sessions.filter((s) => booked.has(s.sessionId)).every((s) => s.localDate < mondayIn(2))).toBe(true);
    expect(a.sessions.filter((s) => booked.has(s.sessionId))).toHaveLength(9);
    expect(b.sessions.filter((s) => booked.has(s.sessionId)).every((s) => s.localDate >= mondayIn(2))).toBe(true);
    expect(b.sessions.filter((s) => booked.has(s.sessionId))).toHaveLength(9);
  });

  it('a step down moves the patient to a track of the lower level of care, and says so', async () => {
    const iop = await trackAt(east, '2.1');
    const op = await trackAt(east, '1', { rule: 'FREQ=WEEKLY;BYDAY=WE', blockStart: '10:00' });
    const patient = await admit(kit, east.siteId, { plannedStart: mondayIn(1) });
    await api(kit, east.coordinator).post(`/enrolments/${patient.enrolmentId}/placement`, { trackId: iop.track.trackId }).expect(200);
    const same = await api(kit, east.clinician)
      .post(`/enrolments/${patient.enrolmentId}/level-change`, { trackId: iop.track.trackId, reason: 'x' })
      .expect(422);
    expect(same.body.code).toBe('level.unchanged');
    await api(kit, east.clinician).post(`/enrolments/${patient.enrolmentId}/level-change`, { trackId: op.track.trackId }).expect(400);
    const res = await api(kit, east.clinician)
      .post(`/enrolments/${patient.enrolmentId}/level-change`, { trackId: op.track.trackId, reason: 'milestones met: step down to outpatient' })
      .expect(200);
    expect(res.body.enrolment).toMatchObject({ levelOfCare: '1', trackId: op.track.trackId });
    expect(await seats(iop.sessions)).toBe(0);
    expect(await seats(op.sessions)).toBe(op.sessions.length);
    const [change] = await kit.infra.adminQuery<{ change: string }>(
      `SELECT payload->>'change' AS change FROM scheduling.outbox WHERE key = $1 AND type = 'scheduling.enrolment-changed' ORDER BY seq DESC LIMIT 1`,
      [patient.patientId],
    );
    expect(change!.change).toBe('stepped-down');
  });

  it('refuses moves that make no sense, writing nothing', async () => {
    const { track } = await trackAt(east);
    const patient = await admit(kit, east.siteId);
    const notPlaced = await api(kit, east.coordinator).post(`/enrolments/${patient.enrolmentId}/transfer`, { trackId: track.trackId }).expect(409);
    expect(notPlaced.body.code).toBe('enrolment.not-placed');
    await api(kit, east.coordinator).post(`/enrolments/${patient.enrolmentId}/transfer`, { trackId: 'x' }).expect(400);
    await api(kit, east.coordinator).post(`/enrolments/${patient.enrolmentId}/transfer`, { trackId: track.trackId, from: '2031-02-30' }).expect(400);
    await api(kit, east.coordinator).post(`/enrolments/${crypto.randomUUID()}/transfer`, { trackId: track.trackId }).expect(404);
    expect(await bookedSessions(kit, patient.enrolmentId)).toEqual([]);
  });
});
