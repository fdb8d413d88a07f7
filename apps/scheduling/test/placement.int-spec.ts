import { DataSource } from 'typeorm';
import { DateTime } from 'luxon';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { Outbox } from '@iop/messaging';
import { bookPlacedPatientsInto } from '../src/application/seats';
import {
  aClinic,
  aClinician,
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

const ZONE = 'America/New_York';
const today = () => DateTime.now().setZone(ZONE).toISODate()!;
const plusDays = (date: string, days: number) => DateTime.fromISO(date).plus({ days }).toISODate()!;

describe('placing a patient in a track', () => {
  let kit: SchedulingKit;
  let clinic: Clinic;
  let programId: string;

  beforeAll(async () => {
    kit = await startScheduling();
    clinic = await aClinic(kit, ZONE);
    programId = await aProgram(kit, clinic.siteId, { kind: 'substance-use', levelOfCare: '2.1' });
  });
  afterAll(async () => kit?.close());

  /** An open evening track (Mon/Tue/Thu 18:00, three one-hour groups), materialised from today for three more weeks. */
  const anEveningTrack = async (over: Partial<Parameters<typeof aTrack>[1]> = {}): Promise<{ track: Track; sessions: SessionRef[] }> => {
    const track = await aTrack(kit, { siteId: clinic.siteId, timeZone: ZONE, programId, startsOn: mondayIn(0), ...over });
    const sessions = (await materialise(kit, track, today(), plusDays(mondayIn(3), 6))).filter((s) => s.startsAt.getTime() > Date.now());
    return { track, sessions };
  };
  const place = (enrolmentId: string, body: object, token = clinic.coordinator) => api(kit, token).post(`/enrolments/${enrolmentId}/placement`, body);
  const seatsOf = async (sessionIds: string[]) =>
    (
      await kit.infra.adminQuery<{ n: number }>(`SELECT coalesce(sum(booked_seats), 0)::int AS n FROM scheduling.sessions WHERE session_id = ANY($1)`, [
        sessionIds,
      ])
    )[0]!.n;

  it('books a seat in each future session, holds the patient, and tells attendance which sessions', async () => {
    const { track, sessions } = await anEveningTrack();
    const patient = await admit(kit, clinic.siteId, { plannedWeeklyHours: 9, plannedStart: today() });
    const res = await place(patient.enrolmentId, { trackId: track.trackId }).expect(200);
    expect(res.body.enrolment).toMatchObject({ status: 'placed', trackId: track.trackId, programId, placedFrom: today() });
    expect(res.body.bookedSessionIds.sort()).toEqual(sessions.map((s) => s.sessionId).sort());
    expect(await bookedSessions(kit, patient.enrolmentId)).toHaveLength(sessions.length);
    expect(await seatsOf(sessions.map((s) => s.sessionId))).toBe(sessions.length);
    const held = await kit.infra.adminQuery(`SELECT 1 FROM scheduling.commitments WHERE holder_kind = 'patient' AND holder_id = $1`, [patient.patientId]);
    expect(held).toHaveLength(sessions.length);
    const events = await kit.infra.adminQuery<{ type: string; payload: { sessionIds?: string[]; change?: string } }>(
      `SELECT type, payload FROM scheduling.outbox WHERE key = $1 AND type IN ('scheduling.seats-booked', 'scheduling.enrolment-changed') ORDER BY seq`,
      [patient.patientId],
    );
    expect(events.map((e) => e.type)).toEqual(['scheduling.seats-booked', 'scheduling.enrolment-changed']);
    expect(events[0]!.payload.sessionIds).toHaveLength(sessions.length);
    expect(events[1]!.payload.change).toBe('placed');
  });

  it('a plan review that lowers the hours keeps this week and gives fewer sessions from next Monday', async () => {
    const { track, sessions } = await anEveningTrack();
    const patient = await admit(kit, clinic.siteId, { plannedWeeklyHours: 9, plannedStart: today() });
    await place(patient.enrolmentId, { trackId: track.trackId }).expect(200);
    const res = await api(kit, clinic.clinician).put(`/enrolments/${patient.enrolmentId}/plan`, {
      version: 1,
      reason: '30-day review: milestones met, step down to 6 hours',
      weeklyGroupMinutes: 360,
      individualPerWeek: 1,
      familyPerMonth: 1,
      psychiatricPerMonth: 1,
      goals: [],
    });
    expect(res.body).toMatchObject({ version: 2 });
    const nextMonday = mondayIn(1);
    expect(res.body.effectiveFrom).toBe(nextMonday);
    const booked = new Set(await bookedSessions(kit, patient.enrolmentId));
    const thisWeek = sessions.filter((s) => s.localDate < nextMonday);
    expect(thisWeek.every((s) => booked.has(s.sessionId))).toBe(true);
    const later = sessions.filter((s) => s.localDate >= nextMonday && booked.has(s.sessionId));
    const weekdays = [...new Set(later.map((s) => DateTime.fromISO(s.localDate).weekdayShort))];
    expect(weekdays).toEqual(['Mon', 'Tue']);
    expect(later).toHaveLength(3 * 6);
    const released = await kit.infra.adminQuery<{ payload: { sessionIds: string[] } }>(
      `SELECT payload FROM scheduling.outbox WHERE key = $1 AND type = 'scheduling.seats-released'`,
      [patient.patientId],
    );
    expect(released[0]!.payload.sessionIds).toHaveLength(9);
    // And raising them again books the Thursdays back.
    await api(kit, clinic.clinician)
      .put(`/enrolments/${patient.enrolmentId}/plan`, {
        version: 2,
        reason: 'relapse: back to 9 hours',
        weeklyGroupMinutes: 540,
        individualPerWeek: 1,
        familyPerMonth: 1,
        psychiatricPerMonth: 1,
        goals: [],
      })
      .expect(200);
    expect(await bookedSessions(kit, patient.enrolmentId)).toHaveLength(sessions.length);
    const more = await api(kit, clinic.clinician)
      .put(`/enrolments/${patient.enrolmentId}/plan`, {
        version: 3,
        reason: 'more',
        weeklyGroupMinutes: 720,
        individualPerWeek: 1,
        familyPerMonth: 1,
        psychiatricPerMonth: 1,
        goals: [],
      })
      .expect(200);
    expect(more.body.placementNote).toContain('transfer needed');
  });

  it('a closed group admits only at a cohort start', async () => {
    const { track } = await anEveningTrack({ enrolment: 'closed', cohortWeeks: 2, startsOn: mondayIn(-1) });
    const patient = await admit(kit, clinic.siteId, { plannedStart: today() });
    const refused = await place(patient.enrolmentId, { trackId: track.trackId, from: plusDays(mondayIn(1), 1) }).expect(422);
    expect(refused.body.code).toBe('track.not-cohort-start');
    expect(refused.body.detail).toContain(`the next is ${mondayIn(3)}`);
    const res = await place(patient.enrolmentId, { trackId: track.trackId }).expect(200);
    expect(res.body.enrolment.placedFrom).toBe(mondayIn(1));
    const first = await kit.infra.adminQuery<{ d: string }>(
      `SELECT min(s.local_date)::text AS d FROM scheduling.seat_bookings b JOIN scheduling.sessions s USING (session_id) WHERE b.enrolment_id = $1`,
      [patient.enrolmentId],
    );
    expect(first[0]!.d).toBe(mondayIn(1));
  });

  it('a full session refuses the whole placement with 409 and books nothing', async () => {
    const { track, sessions } = await anEveningTrack({ capacity: 1 });
    const first = await admit(kit, clinic.siteId);
    await place(first.enrolmentId, { trackId: track.trackId }).expect(200);
    const second = await admit(kit, clinic.siteId);
    const res = await place(second.enrolmentId, { trackId: track.trackId }).expect(409);
    expect(res.body.code).toBe('session.full');
    expect(await bookedSessions(kit, second.enrolmentId)).toEqual([]);
    expect(await seatsOf(sessions.map((s) => s.sessionId))).toBe(sessions.length);
    expect((await api(kit, clinic.coordinator).get(`/enrolments/${second.enrolmentId}`).expect(200)).body.status).toBe('awaiting-placement');
  });

  it('20 parallel bookings of one patient into overlapping group and appointments: exactly one wins', async () => {
    const { track, sessions } = await anEveningTrack();
    const patient = await admit(kit, clinic.siteId);
    const firstSession = sessions[0]!;
    const clinicians = await Promise.all(Array.from({ length: 19 }, () => aClinician(kit, clinic.siteId)));
    const results = await Promise.all([
      place(patient.enrolmentId, { trackId: track.trackId }),
      ...clinicians.map((clinicianId) =>
        api(kit, clinic.coordinator).post(`/sites/${clinic.siteId}/appointments`, {
          patientId: patient.patientId,
          clinicianId,
          telehealth: true,
          kind: 'individual-therapy',
          startsAt: firstSession.startsAt.toISOString(),
          endsAt: firstSession.endsAt.toISOString(),
        }),
      ),
    ]);
    expect(results.filter((r) => r.status === 200 || r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    const held = await kit.infra.adminQuery(
      `SELECT 1 FROM scheduling.commitments WHERE holder_kind = 'patient' AND holder_id = $1 AND during && tstzrange($2, $3)`,
      [patient.patientId, firstSession.startsAt, firstSession.endsAt],
    );
    expect(held).toHaveLength(1);
  });

  it('sessions materialised later get the placed patients, within their plan', async () => {
    const { track } = await anEveningTrack();
    const patient = await admit(kit, clinic.siteId, { plannedWeeklyHours: 6 });
    await place(patient.enrolmentId, { trackId: track.trackId }).expect(200);
    const before = (await bookedSessions(kit, patient.enrolmentId)).length;
    const later = await materialise(kit, track, mondayIn(4), plusDays(mondayIn(4), 6));
    const dataSource = kit.app.get(DataSource);
    const booked = await inScopedTransaction(dataSource, ALL_SITES, (m) =>
      bookPlacedPatientsInto(
        m,
        later.map((s) => s.sessionId),
        kit.app.get(Outbox),
      ),
    );
    expect(booked.get(patient.enrolmentId)).toHaveLength(6);
    expect((await bookedSessions(kit, patient.enrolmentId)).length).toBe(before + 6);
  });

  describe('refusals', () => {
    it('no plan, no group sessions (422); and nothing is written', async () => {
      const { track } = await anEveningTrack();
      const patient = await admit(kit, clinic.siteId);
      await kit.infra.adminQuery(
        `DELETE FROM scheduling.treatment_plan_versions WHERE plan_id IN (SELECT plan_id FROM scheduling.treatment_plans WHERE enrolment_id = $1)`,
        [patient.enrolmentId],
      );
      await kit.infra.adminQuery(`DELETE FROM scheduling.treatment_plans WHERE enrolment_id = $1`, [patient.enrolmentId]);
      const res = await place(patient.enrolmentId, { trackId: track.trackId }).expect(422);
      expect(res.body.code).toBe('plan.missing');
      expect(await bookedSessions(kit, patient.enrolmentId)).toEqual([]);
    });

    it('bad bodies are 400, an unknown track 404, a placed patient 409, a past date 422; none writes', async () => {
      const { track } = await anEveningTrack();
      const patient = await admit(kit, clinic.siteId);
      await place(patient.enrolmentId, { trackId: 'nope' }).expect(400);
      await place(patient.enrolmentId, { trackId: track.trackId, from: 'monday' }).expect(400);
      await place(patient.enrolmentId, { trackId: track.trackId, extra: true }).expect(400);
      await place(patient.enrolmentId, {}).expect(400);
      await place(patient.enrolmentId, { trackId: crypto.randomUUID() }).expect(404);
      expect((await place(patient.enrolmentId, { trackId: track.trackId, from: '2020-01-06' }).expect(422)).body.code).toBe('placement.in-past');
      expect(await bookedSessions(kit, patient.enrolmentId)).toEqual([]);
      await place(patient.enrolmentId, { trackId: track.trackId }).expect(200);
      expect((await place(patient.enrolmentId, { trackId: track.trackId }).expect(409)).body.code).toBe('enrolment.already-placed');
    });

    it("another site's staff cannot place here, nor see this site's tracks from theirs", async () => {
      const other = await aClinic(kit, ZONE);
      const { track } = await anEveningTrack();
      const patient = await admit(kit, clinic.siteId);
      const theirs = await admit(kit, other.siteId);
      await place(patient.enrolmentId, { trackId: track.trackId }, other.coordinator).expect(404);
      await place(theirs.enrolmentId, { trackId: track.trackId }, other.coordinator).expect(404);
      await api(kit, other.coordinator).get(`/enrolments/${patient.enrolmentId}/track-suggestions`).expect(404);
      expect(await bookedSessions(kit, patient.enrolmentId)).toEqual([]);
    });
  });

  describe('track suggestions', () => {
    it('ranks the tracks of the patient’s program kind: seats, level of care, hours, start', async () => {
      const site = await aClinic(kit, ZONE);
      const sud = await aProgram(kit, site.siteId, { kind: 'substance-use', levelOfCare: '2.1' });
      const sudLow = await aProgram(kit, site.siteId, { kind: 'substance-use', levelOfCare: '1' });
      const mh = await aProgram(kit, site.siteId, { kind: 'mental-health', levelOfCare: '2.1' });
      const mk = async (programId: string, over: object = {}) => {
        const track = await aTrack(kit, { siteId: site.siteId, timeZone: ZONE, programId, startsOn: mondayIn(1), ...over });
        await materialise(kit, track, mondayIn(1), plusDays(mondayIn(2), 6));
        return track.trackId;
      };
      const nineHours = await mk(sud);
      const sixHours = await mk(sud, { rule: 'FREQ=WEEKLY;BYDAY=MO,WE' });
      const lowerLevel = await mk(sudLow);
      const full = await mk(sud, { capacity: 1 });
      await kit.infra.adminQuery(`UPDATE scheduling.sessions SET booked_seats = capacity WHERE track_id = $1`, [full]);
      const mentalHealth = await mk(mh);
      const patient = await admit(kit, site.siteId, { plannedWeeklyHours: 9, levelOfCare: '2.1' });
      const res = await api(kit, site.coordinator).get(`/enrolments/${patient.enrolmentId}/track-suggestions`).expect(200);
      expect(res.body.map((t: { trackId: string }) => t.trackId)).toEqual([nineHours, sixHours, lowerLevel, full]);
      expect(res.body.map((t: { trackId: string }) => t.trackId)).not.toContain(mentalHealth);
      expect(res.body[0]).toMatchObject({ rank: 1, weeklyMinutes: 540, freeSeats: 12, firstDate: mondayIn(1) });
    });
  });
});
