import { DateTime } from 'luxon';
import { tokenFor } from '@iop/testing';
import { SessionHorizon } from '../src/application/session-horizon.job';
import { aClinic, admit, api, bookedSessions, mondayIn, startScheduling, type SchedulingKit } from './support/scheduling-kit';

const ZONE = 'America/Chicago';

/** The patient's side against the other half's real API: tracks defined, materialised and extended by scheduling itself. */
describe('placement in a track defined through the API', () => {
  let kit: SchedulingKit;

  beforeAll(async () => {
    kit = await startScheduling({ SCHEDULING_HORIZON_WEEKS: '2' });
  });
  afterAll(async () => kit?.close());

  it('books the materialised sessions, and the rolling horizon seats the patient in the weeks it adds', async () => {
    const clinic = await aClinic(kit, ZONE);
    const admin = await tokenFor('site_admin', [clinic.siteId]);
    const program = await api(kit, admin)
      .post(`/sites/${clinic.siteId}/programs`, { name: 'IOP adults', kind: 'substance-use', population: 'adult', levelOfCare: '2.1' })
      .expect(201);
    const leader = await api(kit, admin)
      .post(`/sites/${clinic.siteId}/clinicians`, {
        subject: `c-${crypto.randomUUID()}`,
        displayName: 'Group lead',
        roles: ['therapist'],
        programIds: [program.body.programId],
      })
      .expect(201);
    const room = await api(kit, admin).post(`/sites/${clinic.siteId}/rooms`, { name: 'Group room', capacity: 12 }).expect(201);
    const session = (topic: string) => ({
      topic,
      modality: 'CBT group',
      durationMinutes: 60,
      leaderId: leader.body.clinicianId,
      roomId: room.body.roomId,
      capacity: 10,
    });
    const track = await api(kit, admin)
      .post(`/sites/${clinic.siteId}/tracks`, {
        programId: program.body.programId,
        name: 'Evening SUD adults',
        recurrence: 'FREQ=WEEKLY;BYDAY=MO,TU,TH',
        startsOn: mondayIn(1, ZONE),
        blockStart: '18:00',
        sessions: [session('Relapse prevention'), session('Coping skills'), session('Process group')],
      })
      .expect(201);

    const patient = await admit(kit, clinic.siteId, { plannedStart: mondayIn(1, ZONE), plannedWeeklyHours: 9 });
    const suggestions = await api(kit, clinic.coordinator).get(`/enrolments/${patient.enrolmentId}/track-suggestions`).expect(200);
    expect(suggestions.body[0]).toMatchObject({ trackId: track.body.trackId, weeklyMinutes: 540, freeSeats: 10, firstDate: mondayIn(1, ZONE) });
    const placed = await api(kit, clinic.coordinator).post(`/enrolments/${patient.enrolmentId}/placement`, { trackId: track.body.trackId }).expect(200);
    const before = placed.body.bookedSessionIds.length;
    expect(before).toBeGreaterThanOrEqual(9);

    process.env['SCHEDULING_HORIZON_WEEKS'] = '4';
    const created = await kit.app.get(SessionHorizon).extend();
    expect(created).toBeGreaterThanOrEqual(18);
    const after = await bookedSessions(kit, patient.enrolmentId);
    expect(after.length).toBe(before + created);
    const last = await kit.infra.adminQuery<{ d: string }>(
      `SELECT max(s.local_date)::text AS d FROM scheduling.seat_bookings b JOIN scheduling.sessions s USING (session_id) WHERE b.enrolment_id = $1`,
      [patient.enrolmentId],
    );
    expect(DateTime.fromISO(last[0]!.d) > DateTime.fromISO(mondayIn(3, ZONE))).toBe(true);
  });
});
