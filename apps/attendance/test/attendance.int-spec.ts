import request from 'supertest';
import {
  AppointmentBooked,
  AttendanceCorrected,
  AttendanceFactRecorded,
  AttendanceRecorded,
  BillableDayRecorded,
  BillableDayVoided,
  OutreachNeeded,
  SeatsReleased,
  SessionRescheduled,
  WeeklyHoursAtRisk,
} from '@iop/contracts';
import { eventually, tokenFor } from '@iop/testing';
import { telehealthSignature } from '../src/application/telehealth';
import { factIdFor } from '../src/domain/analytics-fact';
import {
  WEBHOOK_SECRET,
  aClinic,
  aPatientIn,
  api,
  bookSeats,
  minutesAfter,
  publish,
  rosterReady,
  scheduleSession,
  startAttendance,
  type AttendanceKit,
  type Clinic,
} from './attendance-test-kit';

interface Record {
  recordId: string;
  status: string;
  attendedMinutes: number;
  lateMinutes: number;
  earlyMinutes: number;
  revision: number;
  source: string;
}

describe('attendance: from a roster to a billable day', () => {
  let kit: AttendanceKit;
  beforeAll(async () => {
    kit = await startAttendance();
  });
  afterAll(async () => {
    await kit?.close();
  });

  const count = async (table: string) => Number((await kit.infra.adminQuery<{ n: string }>(`SELECT count(*) AS n FROM attendance.${table}`))[0]!.n);
  const checkIn = (clinic: Clinic, sessionId: string, patientId: string, at: string) =>
    api(kit, clinic.staff).post(`/sessions/${sessionId}/check-ins`, { patientId, at });
  const checkOut = (clinic: Clinic, sessionId: string, patientId: string, at: string) =>
    api(kit, clinic.staff).post(`/sessions/${sessionId}/check-outs`, { patientId, at });
  /** Check in at `start + lateBy` and out after `minutes`. */
  const attend = async (clinic: Clinic, sessionId: string, patientId: string, start: string, minutes: number, lateBy = 0): Promise<Record> => {
    await checkIn(clinic, sessionId, patientId, minutesAfter(start, lateBy)).expect(201);
    const res = await checkOut(clinic, sessionId, patientId, minutesAfter(start, lateBy + minutes)).expect(200);
    return res.body as Record;
  };

  it('a seat that arrives before its session joins it on the roster; the roster shows ids and statuses, and reading it is audited', async () => {
    const clinic = await aClinic(kit);
    const sessionId = crypto.randomUUID();
    const patient = await aPatientIn(kit, clinic, [sessionId]);
    await eventually(async () => expect(await kit.infra.adminQuery(`SELECT 1 FROM attendance.seats WHERE session_id = $1`, [sessionId])).toHaveLength(1));
    await scheduleSession(kit, clinic, '2026-03-03T02:00:00Z', 180, '2026-03-02', { sessionId });
    await rosterReady(kit, [sessionId], [patient]);

    const roster = await api(kit, clinic.staff).get(`/sessions/${sessionId}/roster`).expect(200);
    expect(roster.body.session).toMatchObject({ sessionId, localDate: '2026-03-02', status: 'scheduled' });
    expect(roster.body.entries).toEqual([{ patientId: patient.patientId, enrolmentId: patient.enrolmentId, record: null }]);
    const audited = await kit.infra.adminQuery(`SELECT action FROM attendance.audit_log WHERE patient_id = $1 AND resource = $2`, [
      patient.patientId,
      `roster:${sessionId}`,
    ]);
    expect(audited).toEqual([{ action: 'list' }]);

    const day = await api(kit, clinic.staff).get(`/sites/${clinic.siteId}/sessions?date=2026-03-02`).expect(200);
    expect(day.body.sessions.map((s: { sessionId: string; booked: number }) => [s.sessionId, s.booked])).toEqual([[sessionId, 1]]);
  });

  it('counts hours in local days and ISO weeks across the DST change in America/Los_Angeles', async () => {
    const clinic = await aClinic(kit, { timeZone: 'America/Los_Angeles' });
    // Friday 6 March 18:00 PST; Sunday 8 March 18:00 PDT (already Monday in UTC); Monday 9 March 18:00 PDT.
    const friday = { at: '2026-03-07T02:00:00Z', day: '2026-03-06' };
    const sunday = { at: '2026-03-09T01:00:00Z', day: '2026-03-08' };
    const monday = { at: '2026-03-10T01:00:00Z', day: '2026-03-09' };
    const ids = [];
    for (const s of [friday, sunday, monday]) ids.push(await scheduleSession(kit, clinic, s.at, 180, s.day));
    const patient = await aPatientIn(kit, clinic, ids, 540);
    await rosterReady(kit, ids, [patient]);

    await attend(clinic, ids[0]!, patient.patientId, friday.at, 180);
    const late = await attend(clinic, ids[1]!, patient.patientId, sunday.at, 160, 20);
    expect(late).toMatchObject({ status: 'late', lateMinutes: 20, attendedMinutes: 160, revision: 1 });
    await attend(clinic, ids[2]!, patient.patientId, monday.at, 180);

    const hours = await api(kit, clinic.staff)
      .get(`/patients/${patient.patientId}/attendance?siteId=${clinic.siteId}&from=2026-03-02&to=2026-03-15`)
      .expect(200);
    expect(hours.body.days).toEqual([
      { date: '2026-03-06', scheduledMinutes: 180, attendedMinutes: 180 },
      { date: '2026-03-08', scheduledMinutes: 180, attendedMinutes: 160 },
      { date: '2026-03-09', scheduledMinutes: 180, attendedMinutes: 180 },
    ]);
    expect(hours.body.weeks).toEqual([
      { isoWeek: '2026-W10', weekStart: '2026-03-02', scheduledMinutes: 360, attendedMinutes: 340, weeklyMinimumMinutes: 540, minimumMet: false },
      { isoWeek: '2026-W11', weekStart: '2026-03-09', scheduledMinutes: 180, attendedMinutes: 180, weeklyMinimumMinutes: 540, minimumMet: false },
    ]);
    const audited = await kit.infra.adminQuery(`SELECT 1 FROM attendance.audit_log WHERE patient_id = $1 AND action = 'read'`, [patient.patientId]);
    expect(audited).toHaveLength(1);
    const sundaySessions = await api(kit, clinic.staff).get(`/sites/${clinic.siteId}/sessions?date=2026-03-08`).expect(200);
    expect(sundaySessions.body.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([ids[1]]);
  });

  it('a day at 2 h 50 min gives discrete service lines, a day at 3 h one billable day; the export has both, in CSV with a header', async () => {
    const billable = await kit.eventsOf(BillableDayRecorded);
    const clinic = await aClinic(kit, { kind: 'substance-use' });
    const start = '2026-04-07T01:00:00Z';
    const sessionId = await scheduleSession(kit, clinic, start, 180, '2026-04-06');
    const short = await aPatientIn(kit, clinic, [sessionId]);
    const full = await aPatientIn(kit, clinic, [sessionId]);
    await rosterReady(kit, [sessionId], [short, full]);

    expect(await attend(clinic, sessionId, short.patientId, start, 170)).toMatchObject({ status: 'left-early', attendedMinutes: 170, earlyMinutes: 10 });
    expect(await attend(clinic, sessionId, full.patientId, start, 180)).toMatchObject({ status: 'attended', attendedMinutes: 180 });

    await eventually(() => expect(billable.filter((d) => d.siteId === clinic.siteId)).toHaveLength(1), { timeoutMs: 30_000 });
    expect(billable.find((d) => d.siteId === clinic.siteId)).toMatchObject({
      patientId: full.patientId,
      episodeId: full.episodeId,
      serviceDate: '2026-04-06',
      billingCode: 'H0015',
      revenueCode: '0906',
      units: 1,
      attendedMinutes: 180,
      revision: 1,
    });

    const json = await api(kit, clinic.billing).get(`/sites/${clinic.siteId}/charges?from=2026-04-01&to=2026-04-30`).expect(200);
    const lines = json.body.charges.map((c: { patientId: string; kind: string; code: string; revenueCode: string | null; minutes: number }) => [
      c.patientId === full.patientId ? 'full' : 'short',
      c.kind,
      c.code,
      c.revenueCode,
      c.minutes,
    ]);
    expect(lines.sort()).toEqual([
      ['full', 'per-diem', 'H0015', '0906', 180],
      ['short', 'discrete', '90853', null, 170],
    ]);
    const csv = await api(kit, clinic.billing).get(`/sites/${clinic.siteId}/charges?from=2026-04-01&to=2026-04-30&format=csv`).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.text.split('\r\n');
    expect(rows[0]).toBe('chargeId,serviceDate,patientId,episodeId,kind,code,revenueCode,units,minutes,sessionId');
    expect(rows.filter((r) => r.includes('H0015,0906,1,180'))).toHaveLength(1);
    expect(rows.filter((r) => r.includes('90853,,1,170'))).toHaveLength(1);
    expect(rows).toHaveLength(4); // header, two lines, and the empty string after the last CRLF
  });

  it('an appointment is a one-seat session: a 60-minute individual session on a short day is billed 90837 next to the group line', async () => {
    const clinic = await aClinic(kit);
    const groupStart = '2026-04-08T17:00:00Z';
    const sessionId = await scheduleSession(kit, clinic, groupStart, 90, '2026-04-08');
    const patient = await aPatientIn(kit, clinic, [sessionId]);
    const appointmentId = crypto.randomUUID();
    const appointmentStart = '2026-04-08T19:00:00Z';
    await publish(kit.producer, AppointmentBooked, {
      appointmentId,
      patientId: patient.patientId,
      enrolmentId: patient.enrolmentId,
      siteId: clinic.siteId,
      clinicianId: crypto.randomUUID(),
      kind: 'individual-therapy',
      roomId: null,
      telehealth: false,
      startsAt: appointmentStart,
      endsAt: minutesAfter(appointmentStart, 60),
      occurredAt: new Date().toISOString(),
    });
    await rosterReady(kit, [sessionId, appointmentId], [patient]);

    await attend(clinic, sessionId, patient.patientId, groupStart, 90);
    expect(await attend(clinic, appointmentId, patient.patientId, appointmentStart, 60)).toMatchObject({ status: 'attended', attendedMinutes: 60 });
    const charges = await api(kit, clinic.billing).get(`/sites/${clinic.siteId}/charges?from=2026-04-08&to=2026-04-08`).expect(200);
    expect(charges.body.charges.map((c: { code: string; sessionId: string }) => [c.code, c.sessionId]).sort()).toEqual(
      [
        ['90837', appointmentId],
        ['90853', sessionId],
      ].sort(),
    );
  });

  it('a correction keeps the first record, bumps the revision, and voids a billable day it takes below the minimum', async () => {
    const corrected = await kit.eventsOf(AttendanceCorrected);
    const voided = await kit.eventsOf(BillableDayVoided);
    const clinic = await aClinic(kit);
    const start = '2026-04-14T01:00:00Z';
    const sessionId = await scheduleSession(kit, clinic, start, 180, '2026-04-13');
    const patient = await aPatientIn(kit, clinic, [sessionId]);
    await rosterReady(kit, [sessionId], [patient]);
    const first = await attend(clinic, sessionId, patient.patientId, start, 180);

    const res = await api(kit, clinic.staff)
      .post(`/attendance/${first.recordId}/corrections`, { checkOutAt: minutesAfter(start, 170), reason: 'left at 20:50 for a ride; sign-out sheet' })
      .expect(200);
    expect(res.body).toMatchObject({ recordId: first.recordId, revision: 2, status: 'left-early', attendedMinutes: 170, source: 'correction' });

    const versions = await kit.infra.adminQuery<{ revision: number; change: string; attended_minutes: number; reason: string | null }>(
      `SELECT revision, change, attended_minutes, reason FROM attendance.attendance_record_versions WHERE record_id = $1 ORDER BY version_id`,
      [first.recordId],
    );
    expect(versions).toEqual([
      { revision: 1, change: 'check-in', attended_minutes: 180, reason: null },
      { revision: 1, change: 'check-out', attended_minutes: 180, reason: null },
      { revision: 2, change: 'correction', attended_minutes: 170, reason: 'left at 20:50 for a ride; sign-out sheet' },
    ]);
    const audit = await kit.infra.adminQuery(`SELECT action, reason FROM attendance.audit_log WHERE resource = $1`, [`attendance:${first.recordId}`]);
    expect(audit).toEqual([{ action: 'update', reason: 'left at 20:50 for a ride; sign-out sheet' }]);

    await eventually(() => expect(corrected.filter((e) => e.recordId === first.recordId)).toHaveLength(1), { timeoutMs: 30_000 });
    expect(corrected.find((e) => e.recordId === first.recordId)).toMatchObject({
      revision: 2,
      previousStatus: 'attended',
      previousAttendedMinutes: 180,
      attendedMinutes: 170,
    });
    expect(JSON.stringify(corrected)).not.toContain('sign-out sheet');
    await eventually(
      () => expect(voided.filter((e) => e.patientId === patient.patientId)).toEqual([expect.objectContaining({ revision: 2, billingCode: 'H0015' })]),
      {
        timeoutMs: 30_000,
      },
    );
    const charges = await api(kit, clinic.billing).get(`/sites/${clinic.siteId}/charges?from=2026-04-13&to=2026-04-13`).expect(200);
    expect(charges.body.charges.map((c: { code: string }) => c.code)).toEqual(['90853']);
  });

  describe('telehealth webhook', () => {
    const send = (body: object, options: { secret?: string; timestamp?: number } = {}) => {
      const raw = JSON.stringify(body);
      const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
      return request(kit.app.getHttpServer())
        .post('/telehealth/events')
        .set('content-type', 'application/json')
        .set('x-iop-timestamp', timestamp)
        .set('x-iop-signature', `sha256=${telehealthSignature(options.secret ?? WEBHOOK_SECRET, timestamp, raw)}`)
        .send(raw);
    };

    it('join, drop, rejoin (on two devices) and leave merge into the minutes actually in the call; a replay or a forgery changes nothing', async () => {
      const clinic = await aClinic(kit);
      const start = '2026-04-21T01:00:00Z';
      const sessionId = await scheduleSession(kit, clinic, start, 180, '2026-04-20', { delivery: 'telehealth' });
      const patient = await aPatientIn(kit, clinic, [sessionId]);
      await rosterReady(kit, [sessionId], [patient]);
      const event = (type: 'participant.joined' | 'participant.left', minutes: number) => ({
        eventId: crypto.randomUUID(),
        type,
        sessionId,
        patientId: patient.patientId,
        occurredAt: minutesAfter(start, minutes),
      });
      const joined = event('participant.joined', -2);
      await send(joined).expect(200);
      await send(event('participant.left', 60)).expect(200);
      await send(event('participant.joined', 70)).expect(200);
      await send(event('participant.joined', 100)).expect(200);
      await send(event('participant.left', 120)).expect(200);
      const last = await send(event('participant.left', 182)).expect(200);
      // [start, +60] and [+70, end]: the second device's [+100, +120] is inside the rejoin and counts once.
      expect(last.body).toMatchObject({ status: 'attended', attendedMinutes: 170, lateMinutes: 0, earlyMinutes: 0, source: 'telehealth', revision: 1 });

      const before = await count('telehealth_intervals');
      const replay = await send(joined).expect(409);
      expect(replay.body.code).toBe('telehealth.replayed');
      const forged = await send(event('participant.joined', 5), { secret: 'not-the-secret' }).expect(401);
      expect(forged.body.detail).toMatch(/signature/);
      await send(event('participant.joined', 5), { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 }).expect(401);
      await request(kit.app.getHttpServer()).post('/telehealth/events').send(event('participant.joined', 5)).expect(401);
      expect(await count('telehealth_intervals')).toBe(before);
    });
  });

  it('refuses a check-out before the check-in, a patient not on the roster and another site, writing nothing', async () => {
    const clinic = await aClinic(kit);
    const other = await aClinic(kit);
    const start = '2026-04-28T01:00:00Z';
    const sessionId = await scheduleSession(kit, clinic, start, 180, '2026-04-27');
    const patient = await aPatientIn(kit, clinic, [sessionId]);
    await rosterReady(kit, [sessionId], [patient]);
    await checkIn(clinic, sessionId, patient.patientId, minutesAfter(start, 10)).expect(201);
    const records = await count('attendance_records');
    const versions = await count('attendance_record_versions');

    const early = await checkOut(clinic, sessionId, patient.patientId, minutesAfter(start, 5)).expect(422);
    expect(early.body.code).toBe('attendance.check-out-before-check-in');
    const stranger = await checkIn(clinic, sessionId, crypto.randomUUID(), minutesAfter(start, 10)).expect(422);
    expect(stranger.body.code).toBe('attendance.not-on-roster');
    const elsewhere = await api(kit, other.staff).post(`/sessions/${sessionId}/check-ins`, { patientId: patient.patientId, at: start }).expect(404);
    expect(elsewhere.body.code).toBe('session.not-found');
    const nextDay = await checkOut(clinic, sessionId, patient.patientId, minutesAfter(start, 24 * 60)).expect(422);
    expect(nextDay.body.code).toBe('attendance.outside-session');
    await api(kit, clinic.staff).get(`/sites/${other.siteId}/charges?from=2026-04-01&to=2026-04-30`).expect(403);
    const twice = await checkIn(clinic, sessionId, patient.patientId, minutesAfter(start, 12)).expect(409);
    expect(twice.body.code).toBe('attendance.already-recorded');

    expect(await count('attendance_records')).toBe(records);
    expect(await count('attendance_record_versions')).toBe(versions);
  });

  it('the kiosk checks in with the code on the room screen, only while the session is open', async () => {
    const clinic = await aClinic(kit);
    const start = new Date(Date.now() - 10 * 60_000).toISOString();
    const sessionId = await scheduleSession(kit, clinic, start, 180, new Date().toISOString().slice(0, 10));
    const patient = await aPatientIn(kit, clinic, [sessionId]);
    await rosterReady(kit, [sessionId], [patient]);
    const { body: code } = await api(kit, clinic.staff).get(`/sessions/${sessionId}/kiosk-code`).expect(200);
    expect(code.code).toMatch(/^\d{6}$/);
    const wrong = String((Number(code.code) + 1) % 1_000_000).padStart(6, '0');
    await api(kit, clinic.staff).post('/kiosk/check-in', { siteId: clinic.siteId, sessionCode: wrong, patientId: patient.patientId }).expect(422);
    const res = await api(kit, clinic.staff)
      .post('/kiosk/check-in', { siteId: clinic.siteId, sessionCode: code.code, patientId: patient.patientId })
      .expect(201);
    expect(res.body).toMatchObject({ source: 'kiosk', status: 'late', revision: 1 });
  });

  it('whole-group attendance, then two consecutive no-shows raise outreach once and put the patient on the site queue', async () => {
    const outreach = await kit.eventsOf(OutreachNeeded);
    const recorded = await kit.eventsOf(AttendanceRecorded);
    const clinic = await aClinic(kit);
    const starts = ['2026-05-05T01:00:00Z', '2026-05-06T01:00:00Z', '2026-05-07T01:00:00Z'];
    const ids = [];
    for (const [i, s] of starts.entries()) ids.push(await scheduleSession(kit, clinic, s, 180, `2026-05-0${4 + i}`));
    const present = await aPatientIn(kit, clinic, ids);
    const absent = await aPatientIn(kit, clinic, ids);
    await rosterReady(kit, ids, [present, absent]);

    for (const id of ids) {
      const res = await api(kit, clinic.staff)
        .post(`/sessions/${id}/attendance`, { allPresent: true, exceptions: [{ patientId: absent.patientId, status: 'no-show' }] })
        .expect(200);
      expect(res.body.recorded).toHaveLength(2);
    }
    const notBooked = await api(kit, clinic.staff)
      .post(`/sessions/${ids[0]}/attendance`, { allPresent: true, exceptions: [{ patientId: crypto.randomUUID(), status: 'excused' }] })
      .expect(422);
    expect(notBooked.body.code).toBe('attendance.not-on-roster');

    await eventually(() => expect(recorded.filter((e) => e.siteId === clinic.siteId)).toHaveLength(6), { timeoutMs: 30_000 });
    expect(recorded.filter((e) => e.patientId === present.patientId).map((e) => [e.status, e.attendedMinutes, e.source])).toEqual([
      ['attended', 180, 'group'],
      ['attended', 180, 'group'],
      ['attended', 180, 'group'],
    ]);
    await eventually(() => expect(outreach.filter((e) => e.siteId === clinic.siteId)).toHaveLength(1), { timeoutMs: 30_000 });
    expect(outreach.find((e) => e.siteId === clinic.siteId)).toMatchObject({ patientId: absent.patientId, missedSessionIds: [ids[0], ids[1]] });
    const queue = await api(kit, clinic.staff).get(`/sites/${clinic.siteId}/outreach`).expect(200);
    expect(queue.body.items.map((i: { patientId: string }) => i.patientId)).toEqual([absent.patientId]);
  });

  it('mid-week, hours that can no longer reach the plan minimum raise weekly-hours-at-risk once, suggesting another track with a free seat', async () => {
    const atRisk = await kit.eventsOf(WeeklyHoursAtRisk);
    const clinic = await aClinic(kit);
    // Week of Monday 11 May: the patient's track meets Mon/Tue/Thu; another track meets on Wednesday.
    const own = [
      { at: '2026-05-12T01:00:00Z', day: '2026-05-11' },
      { at: '2026-05-13T01:00:00Z', day: '2026-05-12' },
      { at: '2026-05-15T01:00:00Z', day: '2026-05-14' },
    ];
    const ids = [];
    for (const s of own) ids.push(await scheduleSession(kit, clinic, s.at, 180, s.day));
    const makeUp = await scheduleSession(kit, clinic, '2026-05-14T01:00:00Z', 180, '2026-05-13');
    const patient = await aPatientIn(kit, clinic, ids, 540);
    await rosterReady(kit, ids, [patient]);
    await eventually(async () => expect(await kit.infra.adminQuery(`SELECT 1 FROM attendance.sessions WHERE session_id = $1`, [makeUp])).toHaveLength(1));

    await api(kit, clinic.staff).post(`/sessions/${ids[0]}/attendance`, { allPresent: true, exceptions: [] }).expect(200);
    expect(atRisk.filter((e) => e.patientId === patient.patientId)).toHaveLength(0);
    // 180 attended + 180 still ahead < 540: at risk.
    await api(kit, clinic.staff).post(`/sessions/${ids[1]}/attendance`, { allPresent: false, exceptions: [] }).expect(200);
    await api(kit, clinic.staff).post(`/sessions/${ids[2]}/attendance`, { allPresent: true, exceptions: [] }).expect(200);
    await eventually(() => expect(atRisk.filter((e) => e.patientId === patient.patientId)).toHaveLength(1), { timeoutMs: 30_000 });
    expect(atRisk.find((e) => e.patientId === patient.patientId)).toMatchObject({
      isoWeek: '2026-W20',
      weekStart: '2026-05-11',
      weeklyMinimumMinutes: 540,
      attendedMinutes: 180,
      remainingScheduledMinutes: 180,
      suggestedSessionId: makeUp,
    });
  });

  it("the analysts' fact carries the session's delivery as its modality: a hybrid group moved to telehealth, a telehealth appointment", async () => {
    const facts = await kit.eventsOf(AttendanceFactRecorded);
    const clinic = await aClinic(kit);
    const start = '2026-07-07T16:00:00Z';
    const group = await scheduleSession(kit, clinic, start, 180, '2026-07-07', { delivery: 'hybrid' });
    const moved = await scheduleSession(kit, clinic, '2026-07-08T16:00:00Z', 180, '2026-07-08', { delivery: 'in-person' });
    const patient = await aPatientIn(kit, clinic, [group, moved]);
    const appointmentId = crypto.randomUUID();
    const appointmentStart = '2026-07-07T20:00:00Z';
    await publish(kit.producer, AppointmentBooked, {
      appointmentId,
      patientId: patient.patientId,
      enrolmentId: patient.enrolmentId,
      siteId: clinic.siteId,
      clinicianId: crypto.randomUUID(),
      kind: 'psychiatric-evaluation',
      roomId: null,
      telehealth: true,
      startsAt: appointmentStart,
      endsAt: minutesAfter(appointmentStart, 60),
      occurredAt: new Date().toISOString(),
    });
    await rosterReady(kit, [group, moved, appointmentId], [patient]);
    // Scheduling moves the second group online (the whole new state, revision 2).
    const [row] = await kit.infra.adminQuery<{ track_id: string; leader_id: string }>(
      `SELECT track_id, leader_id FROM attendance.sessions WHERE session_id = $1`,
      [moved],
    );
    await publish(kit.producer, SessionRescheduled, {
      sessionId: moved,
      trackId: row!.track_id,
      programId: clinic.programId,
      siteId: clinic.siteId,
      kind: 'group',
      startsAt: '2026-07-08T16:00:00Z',
      endsAt: '2026-07-08T19:00:00Z',
      localDate: '2026-07-08',
      leaderId: row!.leader_id,
      coLeaderId: null,
      roomId: crypto.randomUUID(),
      capacity: 12,
      delivery: 'telehealth',
      revision: 2,
      occurredAt: new Date().toISOString(),
    });
    await eventually(async () =>
      expect(await kit.infra.adminQuery(`SELECT delivery FROM attendance.sessions WHERE session_id = $1`, [moved])).toEqual([{ delivery: 'telehealth' }]),
    );

    const records = [
      await attend(clinic, group, patient.patientId, start, 180),
      await attend(clinic, moved, patient.patientId, '2026-07-08T16:00:00Z', 180),
      await attend(clinic, appointmentId, patient.patientId, appointmentStart, 60),
    ];
    const ids = records.map((r) => factIdFor(r.recordId));
    await eventually(() => expect(new Set(facts.filter((f) => ids.includes(f.factId)).map((f) => f.factId)).size).toBe(3), { timeoutMs: 30_000 });
    const latest = (factId: string) => facts.filter((f) => f.factId === factId).sort((a, b) => b.revision - a.revision)[0]!;
    expect(ids.map((id) => [latest(id).sessionKind, latest(id).modality])).toEqual([
      ['group', 'hybrid'],
      ['group', 'telehealth'],
      ['psychiatric', 'telehealth'],
    ]);
  });

  it('a released seat leaves the roster, and a redelivered booking does not bring in a second entry', async () => {
    const clinic = await aClinic(kit);
    const sessionId = await scheduleSession(kit, clinic, '2026-05-19T01:00:00Z', 180, '2026-05-18');
    const stays = await aPatientIn(kit, clinic, [sessionId]);
    const leaves = await aPatientIn(kit, clinic, [sessionId]);
    await rosterReady(kit, [sessionId], [stays, leaves]);
    await bookSeats(kit, clinic, stays, [sessionId]);
    await publish(kit.producer, SeatsReleased, { ...leaves, siteId: clinic.siteId, sessionIds: [sessionId], occurredAt: new Date().toISOString() });
    await eventually(async () => {
      const roster = await api(kit, await tokenFor('site_admin', [clinic.siteId]))
        .get(`/sessions/${sessionId}/roster`)
        .expect(200);
      expect(roster.body.entries.map((e: { patientId: string }) => e.patientId)).toEqual([stays.patientId]);
    });
  });
});
