import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import request from 'supertest';
import { SessionCancelled, SessionScheduled } from '@iop/contracts';
import { eventually, tokenFor } from '@iop/testing';
import { SessionHorizon } from '../src/application/session-horizon.job';
import { aClinic, aTrack, as, inDays, sessionsOf, startScheduling, type Clinic, type SchedulingKit } from './scheduling-test-kit';

describe('group sessions on the calendar', () => {
  let kit: SchedulingKit;

  beforeAll(async () => {
    kit = await startScheduling({ SCHEDULING_HORIZON_INTERVAL_MS: '3600000' });
  });
  afterAll(async () => {
    await kit?.close();
  });

  const defineTrack = async (clinic: Clinic, overrides: Record<string, unknown> = {}) =>
    (await clinic.call('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic, overrides)).expect(201)).body as { trackId: string };

  describe('a Tuesday 18:00 group stays at 18:00 local across the daylight-saving changes', () => {
    beforeAll(() => {
      process.env['SCHEDULING_HORIZON_WEEKS'] = '52';
    });
    afterAll(() => {
      delete process.env['SCHEDULING_HORIZON_WEEKS'];
    });

    it.each([
      [
        'America/New_York',
        ['2027-03-02T23:00:00.000Z', '2027-03-09T23:00:00.000Z', '2027-03-16T22:00:00.000Z'],
        ['2027-11-02T22:00:00.000Z', '2027-11-09T23:00:00.000Z'],
      ],
      [
        'America/Los_Angeles',
        ['2027-03-03T02:00:00.000Z', '2027-03-10T02:00:00.000Z', '2027-03-17T01:00:00.000Z'],
        ['2027-11-03T01:00:00.000Z', '2027-11-10T02:00:00.000Z'],
      ],
    ])('in %s the UTC instant moves by the hour in March and back in November', async (timeZone, march, november) => {
      // A 1 OP program, so one 90-minute group a week is in range.
      const clinic = await aClinic(kit, timeZone, { levelOfCare: '1' });
      await defineTrack(clinic, {
        recurrence: 'FREQ=WEEKLY;BYDAY=TU',
        startsOn: '2027-03-02',
        blockStart: '18:00',
        sessions: [aTrack(clinic).sessions[0]!].map((s) => ({ ...s, durationMinutes: 90 })),
      });
      const spring = await sessionsOf(clinic, '2027-03-01', '2027-03-17');
      expect(spring.map((s) => s.startsAt)).toEqual(march);
      expect(spring.map((s) => s.localStart)).toEqual(['2027-03-02T18:00', '2027-03-09T18:00', '2027-03-16T18:00']);
      const autumn = await sessionsOf(clinic, '2027-11-01', '2027-11-10');
      expect(autumn.map((s) => s.startsAt)).toEqual(november);
      expect(autumn.map((s) => s.localStart)).toEqual(['2027-11-02T18:00', '2027-11-09T18:00']);
    });
  });

  it('20 tracks defined at once for the same clinician at the same time: exactly one wins, the others are 409s naming the conflict', async () => {
    const clinic = await aClinic(kit);
    const leader = clinic.therapists[0];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        clinic.call('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic, { name: `Parallel ${i}`, endsOn: inDays(28) })),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, ...Array(19).fill(409)]);
    const winner = answers.find((a) => a.status === 201)!.body as { trackId: string };
    for (const loser of answers.filter((a) => a.status === 409)) {
      expect(loser.body.code).toBe('schedule.clinician-busy');
      expect(loser.body.detail).toMatch(
        new RegExp(`clinician ${leader} is already booked for session [0-9a-f-]{36} on \\w{3} \\d{4}-\\d{2}-\\d{2} 18:00–19:00 \\(America/New_York\\)`),
      );
    }
    const tracks = await kit.infra.adminQuery<{ track_id: string }>(`SELECT track_id FROM scheduling.tracks WHERE site_id = $1`, [clinic.siteId]);
    expect(tracks.map((t) => t.track_id)).toEqual([winner.trackId]);
  });

  describe('closing a day', () => {
    it("cancels that day's sessions, releases everything they held (patients' seats too) and tells consumers", async () => {
      const clinic = await aClinic(kit);
      const cancelledEvents = await kit.eventsOf(SessionCancelled);
      await defineTrack(clinic);
      const [first] = await sessionsOf(clinic, inDays(0), inDays(10));
      const day = first!.localDate;
      const ofTheDay = (await sessionsOf(clinic, day, day)).map((s) => s.sessionId);
      expect(ofTheDay).toHaveLength(3);
      const patientId = await aPatientSeatedIn(clinic, first!.sessionId);

      const res = await clinic.call('post', `/sites/${clinic.siteId}/closures`, { date: day, reason: 'Snow day' }).expect(201);
      expect(res.body).toEqual({ siteId: clinic.siteId, date: day, reason: 'Snow day', cancelledSessions: 3 });

      const listed = await sessionsOf(clinic, day, day);
      expect(listed.map((s) => [s.status, s.cancelReason])).toEqual(Array(3).fill(['cancelled', 'site closed: Snow day']));
      await eventually(() => {
        const mine = cancelledEvents.filter((e) => ofTheDay.includes(e.sessionId));
        expect(mine).toHaveLength(3);
        expect(mine[0]).toMatchObject({ siteId: clinic.siteId, kind: 'group', localDate: day, reason: 'site closed: Snow day' });
        // Who held a seat goes with the cancellation (attendance records it whatever order the seats' events arrive in).
        expect(mine.map((e) => [e.sessionId, (e.bookedPatients ?? []).map((p) => p.patientId)]).sort()).toEqual(
          ofTheDay.map((id) => [id, id === first!.sessionId ? [patientId] : []]).sort(),
        );
      });
      const held = await kit.infra.adminQuery(`SELECT holder_kind FROM scheduling.commitments WHERE source_id = ANY($1::uuid[])`, [ofTheDay]);
      expect(held).toEqual([]);
      const seat = await kit.infra.adminQuery<{ status: string }>(`SELECT status FROM scheduling.seat_bookings WHERE patient_id = $1`, [patientId]);
      expect(seat).toEqual([{ status: 'released' }]);
      const seatEvents = await kit.infra.adminQuery<{ type: string; payload: { sessionIds: string[] } }>(
        `SELECT type, payload FROM scheduling.outbox WHERE key = $1 ORDER BY seq`,
        [patientId],
      );
      expect(seatEvents).toEqual([{ type: 'scheduling.seats-released', payload: expect.objectContaining({ sessionIds: [first!.sessionId] }) }]);
      const closures = await clinic.call('get', `/sites/${clinic.siteId}/closures`).expect(200);
      expect(closures.body).toEqual([{ siteId: clinic.siteId, date: day, reason: 'Snow day' }]);
      await clinic.call('post', `/sites/${clinic.siteId}/closures`, { date: day, reason: 'again' }).expect(409);
    });

    it('a track defined later puts nothing on a closed day', async () => {
      const clinic = await aClinic(kit);
      const closedDay = inDays(9);
      await clinic.call('post', `/sites/${clinic.siteId}/closures`, { date: closedDay, reason: 'Holiday' }).expect(201);
      await defineTrack(clinic, { recurrence: 'FREQ=DAILY', sessions: [{ ...aTrack(clinic).sessions[0], durationMinutes: 90 }] });
      const days = new Set((await sessionsOf(clinic, inDays(7), inDays(11))).map((s) => s.localDate));
      expect(days.has(closedDay)).toBe(false);
      expect(days.size).toBeGreaterThanOrEqual(3);
      await clinic.call('delete', `/sites/${clinic.siteId}/closures/${closedDay}`).expect(204);
      await clinic.call('delete', `/sites/${clinic.siteId}/closures/${closedDay}`).expect(404);
    });

    it('a closure racing a track definition leaves nothing scheduled on the closed day, whichever commits first', async () => {
      const clinic = await aClinic(kit);
      const days = [3, 4, 5, 6, 7].map(inDays);
      const daily = { recurrence: 'FREQ=DAILY', sessions: [{ ...aTrack(clinic).sessions[0], durationMinutes: 90 }] };
      await Promise.all([
        ...days.map((date) => clinic.call('post', `/sites/${clinic.siteId}/closures`, { date, reason: 'Race' }).expect(201)),
        clinic.call('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic, daily)).expect(201),
      ]);
      const onClosedDays = (await sessionsOf(clinic, days[0]!, days[4]!)).filter((s) => s.status === 'scheduled');
      expect(onClosedDays).toEqual([]);
    });

    it('a closure in the past is refused', async () => {
      const clinic = await aClinic(kit);
      await clinic.call('post', `/sites/${clinic.siteId}/closures`, { date: inDays(-2), reason: 'Too late' }).expect(422);
    });
  });

  describe('one occurrence changes without breaking its series', () => {
    it('moves to a free slot with its local time, and raises session-rescheduled', async () => {
      const clinic = await aClinic(kit);
      await defineTrack(clinic);
      const [session] = await sessionsOf(clinic, inDays(0), inDays(10));
      const newStart = new Date(new Date(session!.startsAt).getTime() - 3 * 60 * 60 * 1000).toISOString(); // 15:00 local
      const res = await clinic.call('patch', `/sessions/${session!.sessionId}`, { startsAt: newStart, roomId: clinic.secondRoom }).expect(200);
      expect(res.body).toMatchObject({ startsAt: newStart, localStart: `${session!.localDate}T15:00`, roomId: clinic.secondRoom, revision: 2 });
      const one = await clinic.call('get', `/sessions/${session!.sessionId}`).expect(200);
      expect(one.body).toMatchObject({ startsAt: newStart, bookedSeats: 0, status: 'scheduled' });
      const events = await kit.infra.adminQuery<{ type: string }>(`SELECT type FROM scheduling.outbox WHERE key = $1 ORDER BY seq`, [session!.sessionId]);
      expect(events.map((e) => e.type)).toEqual(['scheduling.session-scheduled', 'scheduling.session-rescheduled']);
    });

    it("a move onto the leader's next session is a 409 naming it, and a substitute leader takes the session", async () => {
      const clinic = await aClinic(kit);
      await defineTrack(clinic);
      const [first, second] = await sessionsOf(clinic, inDays(0), inDays(10));
      const clash = await clinic.call('patch', `/sessions/${first!.sessionId}`, { startsAt: second!.startsAt }).expect(409);
      expect(clash.body.detail).toContain(`clinician ${clinic.therapists[0]} is already booked for session ${second!.sessionId}`);
      const substitute = await clinic.call('patch', `/sessions/${first!.sessionId}`, { leaderId: clinic.therapists[1] }).expect(200);
      expect(substitute.body.leaderId).toBe(clinic.therapists[1]);
      await clinic.call('patch', `/sessions/${second!.sessionId}`, { leaderId: clinic.outsider }).expect(422);
      const intoThePast = await clinic
        .call('patch', `/sessions/${second!.sessionId}`, { startsAt: new Date(Date.now() - 3_600_000).toISOString() })
        .expect(422);
      expect(intoThePast.body.code).toBe('session.start-in-past');
    });

    it('is cancelled with its reason, once', async () => {
      const clinic = await aClinic(kit);
      await defineTrack(clinic);
      const [session] = await sessionsOf(clinic, inDays(0), inDays(10));
      const res = await clinic.call('post', `/sessions/${session!.sessionId}/cancellation`, { reason: 'Leader ill' }).expect(200);
      expect(res.body).toMatchObject({ status: 'cancelled', cancelReason: 'Leader ill' });
      await clinic.call('post', `/sessions/${session!.sessionId}/cancellation`, { reason: 'Leader ill' }).expect(409);
      await clinic.call('patch', `/sessions/${session!.sessionId}`, { roomId: clinic.secondRoom }).expect(409);
    });
  });

  it('the horizon job adds the days that came into the horizon, once, however often it runs', async () => {
    const clinic = await aClinic(kit);
    const scheduledEvents = await kit.eventsOf(SessionScheduled);
    process.env['SCHEDULING_HORIZON_WEEKS'] = '2';
    const { trackId } = await defineTrack(clinic).finally(() => delete process.env['SCHEDULING_HORIZON_WEEKS']);
    const before = await sessionsOf(clinic, inDays(0), inDays(60));
    expect(before.length).toBeLessThanOrEqual(7 * 3);

    const horizon = kit.app.get(SessionHorizon);
    await Promise.all([horizon.extend(), horizon.extend()]);
    await horizon.extend();
    const after = await sessionsOf(clinic, inDays(0), inDays(90));
    expect(after.length).toBeGreaterThanOrEqual(35 * 3);
    expect(new Set(after.map((s) => s.sessionId)).size).toBe(after.length);
    await eventually(() => expect(new Set(scheduledEvents.filter((e) => e.trackId === trackId).map((e) => e.sessionId)).size).toBe(after.length));
    expect(scheduledEvents.filter((e) => e.trackId === trackId)).toHaveLength(after.length);
  });

  it('pages follow one another without gaps or repeats', async () => {
    const clinic = await aClinic(kit);
    await defineTrack(clinic);
    const all = await sessionsOf(clinic, inDays(0), inDays(30), 500);
    const paged = await sessionsOf(clinic, inDays(0), inDays(30), 7);
    expect(paged.map((s) => s.sessionId)).toEqual(all.map((s) => s.sessionId));
    await clinic.call('get', `/sites/${clinic.siteId}/sessions?from=${inDays(0)}&to=${inDays(3)}&cursor=bm9wZQ`).expect(400);
  });

  describe("a clinician's week", () => {
    it('lists the sessions they lead or co-lead and their appointments, in the site zone', async () => {
      const clinic = await aClinic(kit, 'America/Los_Angeles');
      const track = aTrack(clinic);
      await defineTrack(clinic, { sessions: [{ ...track.sessions[0], coLeaderId: clinic.therapists[1] }, track.sessions[1], track.sessions[2]] });
      const appointmentId = await anAppointmentOf(clinic, clinic.therapists[1], inDays(2), '10:00');
      const res = await clinic.call('get', `/clinicians/${clinic.therapists[1]}/schedule?from=${inDays(0)}&to=${inDays(7)}`).expect(200);
      expect(res.body.timeZone).toBe('America/Los_Angeles');
      const kinds = res.body.items.map((i: { kind: string; role: string; localStart: string }) => [i.kind, i.role, i.localStart.slice(11)]);
      expect(kinds).toContainEqual(['group-session', 'co-leader', '18:00']);
      expect(kinds).toContainEqual(['appointment', 'clinician', '10:00']);
      expect(kinds.filter(([kind]: string[]) => kind === 'group-session').every(([, , time]: string[]) => time === '18:00')).toBe(true);
      expect(res.body.items.map((i: { id: string }) => i.id)).toContain(appointmentId);
    });

    it('the .ics feed parses with an independent parser, at the right local times, and says nothing clinical', async () => {
      const clinic = await aClinic(kit, 'America/Chicago');
      await defineTrack(clinic);
      const appointmentId = await anAppointmentOf(clinic, clinic.therapists[0], inDays(2), '08:30');
      const res = await clinic.call('get', `/clinicians/${clinic.therapists[0]}/schedule.ics?from=${inDays(0)}&to=${inDays(14)}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/calendar/);
      const events = new ICAL.Component(ICAL.parse(res.text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      const sessions = await sessionsOf(clinic, inDays(0), inDays(14));
      const byId = new Map(events.map((e) => [e.uid, e]));
      expect(byId.size).toBe(sessions.length + 1);
      for (const session of sessions) {
        const event = byId.get(session.sessionId)!;
        expect(event.summary).toBe(`Group session at ${clinic.siteName}`);
        expect(DateTime.fromJSDate(event.startDate.toJSDate()).setZone('America/Chicago').toFormat("yyyy-LL-dd'T'HH:mm")).toBe(session.localStart);
        expect(event.startDate.toJSDate().toISOString()).toBe(session.startsAt);
      }
      const appointment = byId.get(appointmentId)!;
      expect(appointment.summary).toBe(`Appointment at ${clinic.siteName}`);
      expect(DateTime.fromJSDate(appointment.startDate.toJSDate()).setZone('America/Chicago').toFormat('HH:mm')).toBe('08:30');
      expect(res.text).not.toMatch(/Evening SUD|CBT|Relapse|individual-therapy/);
    });

    it('a calendar app subscribes with a signed link the clinician asks for, which opens only that feed', async () => {
      const clinic = await aClinic(kit);
      await defineTrack(clinic);
      const staff = (await clinic.call('get', `/sites/${clinic.siteId}/clinicians`).expect(200)).body as Array<{ clinicianId: string; subject: string }>;
      const dana = staff.find((c) => c.clinicianId === clinic.therapists[0])!;
      const asDana = as(kit, await tokenFor('clinician', [clinic.siteId], dana.subject));
      const link = await asDana('post', `/clinicians/${dana.clinicianId}/feed-link`).expect(201);
      expect(link.body.path).toMatch(/^\/calendar-feeds\/[\w-]+\.[\w-]+\/schedule\.ics$/);

      const feed = await request(kit.app.getHttpServer()).get(link.body.path).expect(200);
      expect(feed.headers['content-type']).toMatch(/^text\/calendar/);
      const events = new ICAL.Component(ICAL.parse(feed.text)).getAllSubcomponents('vevent');
      expect(events.length).toBeGreaterThan(30);

      await asDana('post', `/clinicians/${clinic.therapists[1]}/feed-link`).expect(403);
      const tampered = link.body.path.replace(/\.([\w-])/, (_: string, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
      await request(kit.app.getHttpServer()).get(tampered).expect(404);
      await clinic.call('patch', `/clinicians/${dana.clinicianId}`, { active: false }).expect(200);
      await request(kit.app.getHttpServer()).get(link.body.path).expect(404);
    });

    it("the feed needs a token for the clinician's site", async () => {
      const clinic = await aClinic(kit);
      const other = await aClinic(kit);
      await request(kit.app.getHttpServer()).get(`/clinicians/${clinic.therapists[0]}/schedule.ics`).expect(401);
      await other.call('get', `/clinicians/${clinic.therapists[0]}/schedule.ics`).expect(404);
    });
  });

  /** An individual appointment of the clinician at a local time, as enrolment will book it. */
  async function anAppointmentOf(clinic: Clinic, clinicianId: string, date: string, time: string): Promise<string> {
    const enrolmentId = crypto.randomUUID();
    const appointmentId = crypto.randomUUID();
    await kit.infra.adminQuery(
      `INSERT INTO scheduling.enrolments (enrolment_id, site_id, patient_id, episode_id, referral_id, program_type, level_of_care, planned_weekly_minutes, planned_start, status)
       VALUES ($1, $2, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'sud', '2.1', 540, current_date, 'awaiting-placement')`,
      [enrolmentId, clinic.siteId],
    );
    const startsAt = DateTime.fromISO(`${date}T${time}`, { zone: clinic.timeZone });
    await kit.infra.adminQuery(
      `INSERT INTO scheduling.appointments (appointment_id, site_id, patient_id, enrolment_id, clinician_id, kind, telehealth, starts_at, ends_at, room_id)
       SELECT $1, $2, patient_id, enrolment_id, $3, 'individual-therapy', false, $4, $5, $6 FROM scheduling.enrolments WHERE enrolment_id = $7`,
      [appointmentId, clinic.siteId, clinicianId, startsAt.toJSDate(), startsAt.plus({ minutes: 50 }).toJSDate(), clinic.secondRoom, enrolmentId],
    );
    return appointmentId;
  }

  /** A patient's seat in a session, as enrolment will book it: the seat, its count and the patient's commitment. */
  async function aPatientSeatedIn(clinic: Clinic, sessionId: string): Promise<string> {
    const patientId = crypto.randomUUID();
    const enrolmentId = crypto.randomUUID();
    await kit.infra.adminQuery(
      `INSERT INTO scheduling.enrolments (enrolment_id, site_id, patient_id, episode_id, referral_id, program_type, level_of_care, planned_weekly_minutes, planned_start, status)
       VALUES ($1, $2, $3, gen_random_uuid(), gen_random_uuid(), 'sud', '2.1', 540, current_date, 'awaiting-placement')`,
      [enrolmentId, clinic.siteId, patientId],
    );
    await kit.infra.adminQuery(`INSERT INTO scheduling.seat_bookings (session_id, patient_id, site_id, enrolment_id) VALUES ($1, $2, $3, $4)`, [
      sessionId,
      patientId,
      clinic.siteId,
      enrolmentId,
    ]);
    await kit.infra.adminQuery(`UPDATE scheduling.sessions SET booked_seats = 1 WHERE session_id = $1`, [sessionId]);
    await kit.infra.adminQuery(
      `INSERT INTO scheduling.commitments (site_id, holder_kind, holder_id, during, source_kind, source_id)
       SELECT site_id, 'patient', $2, tstzrange(starts_at, ends_at, '[)'), 'session', session_id FROM scheduling.sessions WHERE session_id = $1`,
      [sessionId, patientId],
    );
    return patientId;
  }
});
