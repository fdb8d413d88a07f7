import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import request from 'supertest';
import { PatientDischarged } from '@iop/contracts';
import { aDischarge, eventually } from '@iop/testing';
import { signPatientFeedLink } from '../src/domain/feed-link';
import { aClinic, aProgram, aTrack, admit, api, materialise, mondayIn, publish, startScheduling, type SchedulingKit } from './support/scheduling-kit';

const ZONE = 'America/Los_Angeles';
const SECRET = 'patient-feed-link-test-secret';
const plusDays = (date: string, days: number) => DateTime.fromISO(date).plus({ days }).toISODate()!;

describe("the patient's calendar feed by signed link", () => {
  let kit: SchedulingKit;

  beforeAll(async () => {
    kit = await startScheduling({ SCHEDULING_FEED_SECRET: SECRET });
  });
  afterAll(async () => kit?.close());

  const open = (path: string) => request(kit.app.getHttpServer()).get(path);
  const tokenOf = (path: string) => /^\/patient-feeds\/([^/]+)\/schedule\.ics$/.exec(path)![1]!;

  /** A patient placed in an evening track (Mon/Tue/Thu 18:00, three one-hour groups) from next Monday. */
  const aPlacedPatient = async () => {
    const clinic = await aClinic(kit, ZONE);
    const programId = await aProgram(kit, clinic.siteId);
    const track = await aTrack(kit, { siteId: clinic.siteId, timeZone: ZONE, programId, startsOn: mondayIn(0, ZONE) });
    await materialise(kit, track, mondayIn(1, ZONE), plusDays(mondayIn(2, ZONE), 6));
    const patient = await admit(kit, clinic.siteId, { plannedStart: mondayIn(1, ZONE) });
    await api(kit, clinic.coordinator).post(`/enrolments/${patient.enrolmentId}/placement`, { trackId: track.trackId }).expect(200);
    return { clinic, patient };
  };

  it("a link the site's staff ask for opens the patient's feed without a token, and both are audited", async () => {
    const { clinic, patient } = await aPlacedPatient();
    const link = await api(kit, clinic.coordinator).post(`/patients/${patient.patientId}/feed-link`, { siteId: clinic.siteId }).expect(201);
    expect(link.body.path).toMatch(/^\/patient-feeds\/[\w-]+\.[\w-]+\/schedule\.ics$/);
    expect(Date.parse(link.body.expiresAt)).toBeGreaterThan(Date.now() + 89 * 24 * 3600_000);

    const feed = await open(link.body.path).expect(200);
    expect(feed.headers['content-type']).toMatch(/^text\/calendar/);
    const events = new ICAL.Component(ICAL.parse(feed.text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events).toHaveLength(2 * 9);
    expect(new Set(events.map((e) => e.summary))).toEqual(new Set([`Group session at ${clinic.name}`]));

    const audit = await kit.infra.adminQuery<{ resource: string; actor: string }>(
      `SELECT resource, actor FROM scheduling.audit_log WHERE patient_id = $1 ORDER BY id`,
      [patient.patientId],
    );
    expect(audit.map((a) => a.resource)).toEqual(
      expect.arrayContaining([`patient:${patient.patientId}/feed-link`, `patient:${patient.patientId}/schedule.ics`]),
    );
    expect(audit.find((a) => a.resource.endsWith('/schedule.ics'))!.actor).toBe(`feed-link:${patient.enrolmentId}`);
  });

  it("refuses a tampered link (401), another patient's id under this signature (401), and an expired link (403)", async () => {
    const { clinic, patient } = await aPlacedPatient();
    const other = await admit(kit, clinic.siteId, { plannedStart: mondayIn(1, ZONE) });
    const link = await api(kit, clinic.coordinator).post(`/patients/${patient.patientId}/feed-link`, { siteId: clinic.siteId }).expect(201);
    const [body, signature] = tokenOf(link.body.path).split('.') as [string, string];

    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    expect((await open(`/patient-feeds/${body}.${flipped}/schedule.ics`).expect(401)).body.code).toBe('feed.link-invalid');

    const claims = Buffer.from(body, 'base64url').toString('utf8').split('.');
    const theirs = Buffer.from(['patient', other.patientId, ...claims.slice(2)].join('.')).toString('base64url');
    expect((await open(`/patient-feeds/${theirs}.${signature}/schedule.ics`).expect(401)).body.code).toBe('feed.link-invalid');

    const expired = signPatientFeedLink(
      { patientId: patient.patientId, siteId: clinic.siteId, enrolmentId: patient.enrolmentId, expires: Math.floor(Date.now() / 1000) - 60 },
      SECRET,
    );
    expect((await open(`/patient-feeds/${expired}/schedule.ics`).expect(403)).body.code).toBe('feed.link-expired');
    await open('/patient-feeds/not-a-token/schedule.ics').expect(400);
  });

  it("stops when the patient's enrolment at the site ends, and when the secret changes", async () => {
    const { clinic, patient } = await aPlacedPatient();
    const link = await api(kit, clinic.coordinator).post(`/patients/${patient.patientId}/feed-link`, { siteId: clinic.siteId }).expect(201);
    await open(link.body.path).expect(200);

    process.env['SCHEDULING_FEED_SECRET'] = 'rotated';
    try {
      await open(link.body.path).expect(401);
    } finally {
      process.env['SCHEDULING_FEED_SECRET'] = SECRET;
    }
    await open(link.body.path).expect(200);

    await publish(kit.producer, PatientDischarged, aDischarge({ episodeId: patient.episodeId, patientId: patient.patientId, siteId: clinic.siteId }));
    await eventually(async () => {
      expect((await open(link.body.path).expect(403)).body.code).toBe('feed.link-revoked');
    });
    // No new link either: the patient has no open enrolment at the site.
    await api(kit, clinic.coordinator).post(`/patients/${patient.patientId}/feed-link`, { siteId: clinic.siteId }).expect(404);
  });

  it("only the site's staff may ask for a link, and only for a patient enrolled there", async () => {
    const { clinic, patient } = await aPlacedPatient();
    const other = await aClinic(kit, ZONE);
    await api(kit, other.coordinator).post(`/patients/${patient.patientId}/feed-link`, { siteId: clinic.siteId }).expect(403);
    await api(kit, other.coordinator).post(`/patients/${patient.patientId}/feed-link`, { siteId: other.siteId }).expect(404);
    await request(kit.app.getHttpServer()).post(`/patients/${patient.patientId}/feed-link`).send({ siteId: clinic.siteId }).expect(401);
    // A network admin passes the site check, so the body's own errors show.
    await api(kit, kit.admin).post(`/patients/${patient.patientId}/feed-link`, { siteId: 'nope' }).expect(400);
    await api(kit, clinic.coordinator).post(`/patients/${patient.patientId}/feed-link`, { siteId: clinic.siteId, extra: 1 }).expect(400);
  });
});
