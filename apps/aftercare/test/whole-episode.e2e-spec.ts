// A whole episode across the real services (issue 12): scheduling, intake, insurance, attendance and aftercare run as
// processes on real Postgres, Redis and a Kafka-protocol broker, and nothing is faked between them. A patient is
// referred, assessed and admitted (self-pay, so no payer is asked), placed in a track, attends a session, is
// discharged by a clinician, and every service ends the episode its own way; then aftercare's follow-up reaches the
// patient, records how they are, and refers them back to intake as a readmission.
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import {
  RUN_DIR,
  aSiteRegistration,
  eventually,
  startPlatformProcesses,
  tokenFor,
  useTestInfrastructure,
  type PlatformProcesses,
  type TestInfrastructure,
} from '@iop/testing';
import type { ServiceName } from '@iop/contracts';
// Intake's own factories for a referral and an assessment that decides IOP; tests only, never product code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { aClearPreScreen, anIopAssessment, aReferral } from '../../intake/test/intake-test-kit';

type Method = 'GET' | 'POST';
type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers of five APIs, read field by field

/** Zones to pick the site's from: one where the local day has hours left, so that today's session and the discharge fall on the same date. */
const ZONES = ['America/New_York', 'America/Los_Angeles', 'Europe/London', 'Asia/Tokyo', 'Pacific/Auckland', 'Asia/Kolkata'];
const aZoneWithTheDayAhead = () => ZONES.find((zone) => DateTime.now().setZone(zone).hour >= 1 && DateTime.now().setZone(zone).hour <= 20)!;

describe('a whole episode, from the referral to the readmission, through the five services as processes', () => {
  let infra: TestInfrastructure;
  let platform: PlatformProcesses | undefined;
  const zone = aZoneWithTheDayAhead();
  let siteId: string;
  let tokens: { admin: string; siteAdmin: string; coordinator: string; clinician: string };

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    platform = await startPlatformProcesses({
      services: ['scheduling', 'intake', 'insurance', 'attendance', 'aftercare'],
      env: {
        DATABASE_URL: infra.databaseUrl,
        REDIS_URL: infra.env.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        // Self-pay: insurance asks no payer; it still learns of the admission and the discharge.
        CLEARINGHOUSE_URL: 'http://127.0.0.1:9',
        OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
        FOLLOW_UP_SWEEP_INTERVAL_MS: '1000',
      },
      logs: { dir: resolve(RUN_DIR, `whole-episode-${infra.env.runId}`) },
    });
    const admin = await tokenFor('network_admin');
    const registered = await call('scheduling', 'POST', '/sites', admin, aSiteRegistration({ capacity: 5, timeZone: zone }));
    expect(registered.status).toBe(201);
    siteId = registered.body.siteId;
    for (const service of ['intake', 'insurance', 'attendance', 'aftercare'] as const) {
      await eventually(
        async () => expect((await call(service, 'GET', '/site-directory', admin)).body.map((s: { siteId: string }) => s.siteId)).toContain(siteId),
        { timeoutMs: 30_000 },
      );
    }
    tokens = {
      admin,
      siteAdmin: await tokenFor('site_admin', [siteId]),
      coordinator: await tokenFor('intake_coordinator', [siteId]),
      clinician: await tokenFor('clinician', [siteId]),
    };
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
  });

  async function call(service: ServiceName, method: Method, path: string, token: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${platform!.service(service).url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
  const intake = (method: Method, path: string, body?: unknown) => call('intake', method, path, tokens.coordinator, body);
  const scheduling = (method: Method, path: string, body?: unknown) => call('scheduling', method, path, tokens.siteAdmin, body);
  const attendance = (method: Method, path: string, body?: unknown) => call('attendance', method, path, tokens.clinician, body);
  const aftercare = (method: Method, path: string, body?: unknown) => call('aftercare', method, path, tokens.clinician, body);
  const today = () => DateTime.now().setZone(zone).toISODate()!;
  const daysFromToday = (days: number) => DateTime.now().setZone(zone).plus({ days }).toISODate()!;

  it('admitted, placed, attended, discharged: every service ends the episode, and the follow-up refers the patient back', async () => {
    // Intake: referral, pre-screen, booking, assessment. The assessment says which kind of program treats the patient.
    const referral = await intake('POST', '/referrals', aReferral(siteId));
    expect(referral.status).toBe(201);
    const { referralId, patientId } = referral.body as { referralId: string; patientId: string };
    expect((await intake('POST', `/referrals/${referralId}/pre-screen`, aClearPreScreen())).status).toBe(201);
    const booking = await intake('POST', `/referrals/${referralId}/assessment-booking`, { appointmentAt: new Date(Date.now() + 60_000).toISOString() });
    expect(booking.status).toBe(200);
    const assessed = await intake('POST', `/referrals/${referralId}/assessment`, anIopAssessment());
    expect(assessed.status).toBe(201);
    const programKind = assessed.body.recommendation.programType as string;

    // Scheduling: the site admin defines a 2.1 program of that kind and a daily track whose first session starts in a
    // few minutes, late enough for the placement to seat the patient in it, early enough to be attended in this test.
    const program = await scheduling('POST', `/sites/${siteId}/programs`, { name: 'IOP adults', kind: programKind, population: 'adult', levelOfCare: '2.1' });
    expect(program.status).toBe(201);
    const programId = program.body.programId as string;
    const leader = await scheduling('POST', `/sites/${siteId}/clinicians`, {
      subject: `whole-episode-${crypto.randomUUID()}`,
      displayName: 'Group lead',
      roles: ['therapist'],
      programIds: [programId],
    });
    expect(leader.status).toBe(201);
    const room = await scheduling('POST', `/sites/${siteId}/rooms`, { name: 'Group room', capacity: 12 });
    expect(room.status).toBe(201);
    const firstStart = DateTime.now().setZone(zone).plus({ minutes: 3 }).startOf('minute').plus({ minutes: 1 });
    const track = await scheduling('POST', `/sites/${siteId}/tracks`, {
      programId,
      name: 'Daily group',
      recurrence: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU',
      startsOn: today(),
      blockStart: firstStart.toFormat('HH:mm'),
      sessions: [
        { topic: 'Relapse prevention', modality: 'CBT group', durationMinutes: 90, leaderId: leader.body.clinicianId, roomId: room.body.roomId, capacity: 10 },
      ],
    });
    expect(track.status).toBe(201);
    const trackId = track.body.trackId as string;

    // The admission, self-pay, starting today: intake admits at once and tells the others.
    const admission = await intake('POST', `/referrals/${referralId}/admission`, { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: today() });
    expect(admission.status).toBe(201);
    const episodeId = admission.body.episode.episodeId as string;
    expect((await intake('GET', `/sites/${siteId}/pipeline`)).body).toMatchObject({ activeEpisodes: 1 });

    // Scheduling enrols the patient; the coordinator places them in the track.
    const enrolment = await eventually(
      async () => {
        const queue = await call('scheduling', 'GET', `/sites/${siteId}/enrolments?status=awaiting-placement`, tokens.coordinator);
        const mine = (queue.body.items as Array<{ enrolmentId: string; episodeId: string }>).find((e) => e.episodeId === episodeId);
        expect(mine).toBeDefined();
        return mine!;
      },
      { timeoutMs: 30_000 },
    );
    const placed = await call('scheduling', 'POST', `/enrolments/${enrolment.enrolmentId}/placement`, tokens.coordinator, { trackId });
    expect(placed.status).toBe(200);
    const sessions = await scheduling('GET', `/sites/${siteId}/sessions?from=${today()}&to=${daysFromToday(1)}`);
    const ofTrack = (sessions.body.items as Array<{ sessionId: string; trackId: string; startsAt: string }>).filter((s) => s.trackId === trackId);
    const [todays, tomorrows] = ofTrack.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    expect(placed.body.bookedSessionIds).toEqual(expect.arrayContaining([todays!.sessionId, tomorrows!.sessionId]));
    expect((await scheduling('GET', `/sessions/${tomorrows!.sessionId}`)).body).toMatchObject({ bookedSeats: 1 });

    // Attendance: the patient is on today's roster, checks in at the start and out a few minutes later.
    await eventually(
      async () => {
        const roster = await attendance('GET', `/sessions/${todays!.sessionId}/roster`);
        expect(roster.status).toBe(200);
        expect(JSON.stringify(roster.body)).toContain(patientId);
      },
      { timeoutMs: 30_000 },
    );
    const checkIn = await attendance('POST', `/sessions/${todays!.sessionId}/check-ins`, { patientId, at: todays!.startsAt });
    expect(checkIn.status).toBe(201);
    const checkOut = await attendance('POST', `/sessions/${todays!.sessionId}/check-outs`, { patientId, at: new Date(Date.now() + 4 * 60_000).toISOString() });
    expect(checkOut.status).toBe(200);
    // Aftercare counts the session in the discharge summary once attendance's event has reached it.
    await eventually(async () =>
      expect(await infra.adminQuery(`SELECT status FROM aftercare.attendance_records WHERE episode_id = $1`, [episodeId])).toHaveLength(1),
    );

    // Aftercare: the clinician drafts the discharge (once aftercare has the episode from intake's admission) and signs it.
    const draft = await eventually(
      async () => {
        const drafted = await aftercare('POST', `/episodes/${episodeId}/discharge`, {
          type: 'completed',
          reasonCode: 'program-completed',
          dischargedOn: today(),
          goals: { total: 3, met: 2, partly: 1 },
        });
        expect(drafted.status).toBe(201);
        return drafted.body as { dischargeId: string };
      },
      { timeoutMs: 30_000 },
    );
    const signed = await aftercare('POST', `/discharges/${draft.dischargeId}/sign`);
    expect(signed.status).toBe(200);
    const asRead = await aftercare('GET', `/discharges/${draft.dischargeId}`);
    expect(asRead.body).toMatchObject({ status: 'signed', summary: { sessionsAttended: 1 } });

    // Every service reacts to aftercare.patient-discharged.
    // Intake: the episode ended and its place is free again.
    await eventually(async () => expect((await intake('GET', `/sites/${siteId}/pipeline`)).body).toMatchObject({ activeEpisodes: 0 }), { timeoutMs: 30_000 });
    // Scheduling: the enrolment ended, and tomorrow's seat is free.
    await eventually(
      async () => expect((await call('scheduling', 'GET', `/enrolments/${enrolment.enrolmentId}`, tokens.coordinator)).body).toMatchObject({ status: 'ended' }),
      { timeoutMs: 30_000 },
    );
    expect((await scheduling('GET', `/sessions/${tomorrows!.sessionId}`)).body).toMatchObject({ bookedSeats: 0 });
    // Attendance: a check-in for a session after the discharge date is refused.
    await eventually(
      async () => {
        const late = await attendance('POST', `/sessions/${tomorrows!.sessionId}/check-ins`, { patientId, at: tomorrows!.startsAt });
        expect(late.status).toBe(409);
        expect(late.body).toMatchObject({ code: 'attendance.patient-discharged' });
      },
      { timeoutMs: 30_000 },
    );
    // Insurance: the episode's coverage work stopped (it has no API for its episodes).
    await eventually(
      async () =>
        expect(await infra.adminQuery(`SELECT end_reason FROM insurance.episodes WHERE episode_id = $1 AND ended_at IS NOT NULL`, [episodeId])).toEqual([
          { end_reason: 'discharged' },
        ]),
      { timeoutMs: 30_000 },
    );

    // Aftercare planned the follow-ups at +7, +30 and +90 days in the site's calendar.
    const followUps = await eventually(
      async () => {
        const listed = await aftercare('GET', `/episodes/${episodeId}/follow-ups`);
        expect(listed.status).toBe(200);
        expect(listed.body.followUps).toHaveLength(3);
        return listed.body.followUps as Array<{ followUpId: string; dayOffset: number; dueOn: string; state: string }>;
      },
      { timeoutMs: 30_000 },
    );
    expect(followUps.map((f) => [f.dayOffset, f.dueOn])).toEqual([
      [7, daysFromToday(7)],
      [30, daysFromToday(30)],
      [90, daysFromToday(90)],
    ]);
    const week = followUps[0]!;

    // The follow-up call reaches the patient; a check-in of how they are; they ask to come back.
    const reached = await aftercare('POST', `/follow-ups/${week.followUpId}/attempts`, { method: 'phone', outcome: 'reached' });
    expect(reached.status).toBe(201);
    expect((await aftercare('GET', `/follow-ups/${week.followUpId}`)).body).toMatchObject({ state: 'done', method: 'phone' });
    const outcome = await aftercare('POST', `/episodes/${episodeId}/outcomes`, {
      followUpId: week.followUpId,
      phq9: [2, 2, 1, 2, 1, 1, 1, 1, 0],
      gad7: [1, 2, 1, 1, 1, 0, 1],
      daysAbstinent: 3,
    });
    expect(outcome.status).toBe(201);
    expect(outcome.body).toMatchObject({ phq9: { total: 11, band: 'moderate' }, gad7: { total: 7, band: 'mild' }, safetyConcernId: null });
    const readmission = await call('aftercare', 'POST', `/follow-ups/${week.followUpId}/readmission-referrals`, tokens.clinician, { reason: 'relapse' });
    expect(readmission.status).toBe(201);

    // Intake: a new referral of the same patient at the site, marked as a readmission of the episode just ended.
    const back = await eventually(
      async () => {
        const referrals = (await intake('GET', `/referrals?siteId=${siteId}`)).body.items as Array<{
          referralId: string;
          patientId: string;
          stage: string;
          readmission?: { priorEpisodeId: string; reason: string };
        }>;
        const readmitted = referrals.find((r) => r.readmission);
        expect(readmitted).toBeDefined();
        return readmitted!;
      },
      { timeoutMs: 30_000 },
    );
    expect(back).toMatchObject({ patientId, stage: 'new', readmission: { priorEpisodeId: episodeId, reason: 'relapse' } });
    expect(back.referralId).not.toBe(referralId);
  }, 150_000);
});
