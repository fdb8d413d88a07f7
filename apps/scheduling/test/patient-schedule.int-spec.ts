import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { aClinic, aClinician, aProgram, aTrack, admit, api, materialise, mondayIn, startScheduling, type SchedulingKit } from './support/scheduling-kit';

const ZONE = 'America/Los_Angeles';
const plusDays = (date: string, days: number) => DateTime.fromISO(date).plus({ days }).toISODate()!;

describe("the patient's week and calendar feed", () => {
  let kit: SchedulingKit;

  beforeAll(async () => {
    kit = await startScheduling();
  });
  afterAll(async () => kit?.close());

  /** A patient placed in an evening track (Mon/Tue/Thu 18:00, three one-hour groups) with a Wednesday 10:00 appointment next week. */
  const aPlacedPatient = async () => {
    const clinic = await aClinic(kit, ZONE);
    const programId = await aProgram(kit, clinic.siteId);
    const track = await aTrack(kit, { siteId: clinic.siteId, timeZone: ZONE, programId, startsOn: mondayIn(0, ZONE) });
    await materialise(kit, track, mondayIn(1, ZONE), plusDays(mondayIn(2, ZONE), 6));
    const patient = await admit(kit, clinic.siteId, { plannedStart: mondayIn(1, ZONE) });
    await api(kit, clinic.coordinator).post(`/enrolments/${patient.enrolmentId}/placement`, { trackId: track.trackId }).expect(200);
    const start = DateTime.fromISO(`${plusDays(mondayIn(1, ZONE), 2)}T10:00`, { zone: ZONE });
    await api(kit, clinic.coordinator)
      .post(`/sites/${clinic.siteId}/appointments`, {
        patientId: patient.patientId,
        clinicianId: await aClinician(kit, clinic.siteId),
        telehealth: true,
        kind: 'psychiatric-evaluation',
        startsAt: start.toISO(),
        endsAt: start.plus({ minutes: 45 }).toISO(),
      })
      .expect(201);
    return { clinic, patient };
  };

  it("shows next week's group sessions and appointment in the site's zone, and audits the read", async () => {
    const { clinic, patient } = await aPlacedPatient();
    const from = mondayIn(1, ZONE);
    const res = await api(kit, clinic.coordinator)
      .get(`/patients/${patient.patientId}/schedule?siteId=${clinic.siteId}&from=${from}&to=${plusDays(from, 6)}`)
      .expect(200);
    expect(res.body.timeZone).toBe(ZONE);
    const items = res.body.items as Array<{ kind: string; localDate: string; localStart: string; localEnd: string }>;
    expect(items.filter((i) => i.kind === 'group-session')).toHaveLength(9);
    expect(items.filter((i) => i.kind === 'group-session' && i.localDate === from).map((i) => `${i.localStart}-${i.localEnd}`)).toEqual([
      '18:00-19:00',
      '19:00-20:00',
      '20:00-21:00',
    ]);
    expect(items.find((i) => i.kind === 'appointment')).toMatchObject({ localDate: plusDays(from, 2), localStart: '10:00', localEnd: '10:45' });
    const audit = await kit.infra.adminQuery(`SELECT 1 FROM scheduling.audit_log WHERE patient_id = $1 AND resource = $2`, [
      patient.patientId,
      `patient:${patient.patientId}/schedule`,
    ]);
    expect(audit).toHaveLength(1);
  });

  it('the .ics feed parses with ical.js, shows the right local times, and says nothing clinical', async () => {
    const { clinic, patient } = await aPlacedPatient();
    const res = await api(kit, clinic.coordinator).get(`/patients/${patient.patientId}/schedule.ics?siteId=${clinic.siteId}`).expect(200);
    expect(res.headers['content-type']).toContain('text/calendar');
    const text = res.text;
    const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events).toHaveLength(2 * 9 + 1);
    const local = (e: ICAL.Event) => DateTime.fromJSDate(e.startDate.toJSDate()).setZone(ZONE);
    const mondays = events.filter((e) => local(e).weekday === 1).map((e) => local(e).toFormat('HH:mm'));
    expect([...new Set(mondays)].sort()).toEqual(['18:00', '19:00', '20:00']);
    const appointment = events.find((e) => e.summary.startsWith('Appointment'))!;
    expect(local(appointment).toFormat('ccc HH:mm')).toBe('Wed 10:00');
    expect(new Set(events.map((e) => e.summary))).toEqual(new Set([`Group session at ${clinic.name}`, `Appointment at ${clinic.name}`]));
    expect(text).not.toMatch(/Recovery|psychiatric|substance|Program|Track/i);
    // A cancelled appointment stays in the feed, cancelled, with a higher SEQUENCE, so a subscribed calendar updates it.
    await api(kit, clinic.coordinator).post(`/appointments/${appointment.uid}/cancellation`, { reason: 'clinician ill' }).expect(200);
    const again = await api(kit, clinic.coordinator).get(`/patients/${patient.patientId}/schedule.ics?siteId=${clinic.siteId}`).expect(200);
    const cancelled = new ICAL.Component(ICAL.parse(again.text)).getAllSubcomponents('vevent').find((v) => v.getFirstPropertyValue('uid') === appointment.uid)!;
    expect(cancelled.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(cancelled.getFirstPropertyValue('sequence')).toBe(2);
  });

  it("another site's staff get 403 for this site, and the same 404 for an unknown patient as for another site's", async () => {
    const { clinic, patient } = await aPlacedPatient();
    const other = await aClinic(kit, ZONE);
    await api(kit, other.coordinator).get(`/patients/${patient.patientId}/schedule?siteId=${clinic.siteId}`).expect(403);
    await api(kit, other.coordinator).get(`/patients/${patient.patientId}/schedule.ics?siteId=${clinic.siteId}`).expect(403);
    const theirs = await api(kit, other.coordinator).get(`/patients/${patient.patientId}/schedule?siteId=${other.siteId}`).expect(404);
    const unknown = await api(kit, other.coordinator).get(`/patients/${crypto.randomUUID()}/schedule?siteId=${other.siteId}`).expect(404);
    expect(theirs.body.code).toBe(unknown.body.code);
    await api(kit, other.coordinator).get(`/patients/${patient.patientId}/schedule.ics?siteId=${other.siteId}`).expect(404);
  });

  it('refuses a query it cannot answer with 400', async () => {
    const { clinic, patient } = await aPlacedPatient();
    const base = `/patients/${patient.patientId}/schedule`;
    await api(kit, clinic.coordinator).get(base).expect(400);
    await api(kit, clinic.coordinator).get(`${base}?siteId=${clinic.siteId}&from=2031-03-10&to=2031-03-03`).expect(400);
    await api(kit, clinic.coordinator).get(`${base}?siteId=${clinic.siteId}&from=2031-01-01&to=2031-12-31`).expect(400);
    await api(kit, clinic.coordinator).get(`${base}?siteId=${clinic.siteId}&from=next-week`).expect(400);
    await api(kit, clinic.coordinator).get(`/patients/x/schedule.ics?siteId=${clinic.siteId}`).expect(400);
  });
});
