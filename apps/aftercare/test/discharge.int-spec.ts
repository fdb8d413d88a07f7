import { AttendanceCorrected, AttendanceRecorded, DischargeAmended, PatientAdmitted, PatientDischarged, type PayloadOf } from '@iop/contracts';
import { DataSource } from 'typeorm';
import { inScopedTransaction, serviceRoleName, sitesScope } from '@iop/persistence';
import { eventually, tokenFor } from '@iop/testing';
import { networkFacts } from '../src/application/discharge-store';
import { LostToContactSweep } from '../src/application/lost-to-contact.sweep';
import {
  aProgram,
  aSite,
  admit,
  anAttendance,
  api,
  count,
  daysFromToday,
  publish,
  publishTwice,
  startAftercare,
  type Admission,
  type AftercareKit,
  type Site,
} from './aftercare-test-kit';

interface Discharge {
  dischargeId: string;
  status: string;
  type: string;
  reasonCode: string;
  dischargedOn: string;
  summary: { admittedOn: string; sessionsAttended: number; attendedMinutes: number; hoursAttended: number; firstOutcome: null; text: string | null };
  amendments: Array<{ amendment: number; type: string; reason: string }>;
  asSigned: { type: string; dischargedOn: string } | null;
}

const goals = { total: 4, met: 3, partly: 1 };
const completed = (overrides: object = {}) => ({ type: 'completed', reasonCode: 'goals-met', dischargedOn: daysFromToday(-1), goals, ...overrides });

describe('aftercare: from an admission to a signed discharge', () => {
  let kit: AftercareKit;
  let discharged: Array<PayloadOf<typeof PatientDischarged>>;
  let amended: Array<PayloadOf<typeof DischargeAmended>>;
  beforeAll(async () => {
    kit = await startAftercare();
    discharged = await kit.eventsOf(PatientDischarged);
    amended = await kit.eventsOf(DischargeAmended);
  });
  afterAll(async () => {
    await kit?.close();
  });

  const draft = (site: Site, admission: Admission, body: object = completed()) =>
    api(kit, site.clinician).post(`/episodes/${admission.episodeId}/discharge`, body);
  const sign = (site: Site, dischargeId: string) => api(kit, site.clinician).post(`/discharges/${dischargeId}/sign`);
  const discharge = async (site: Site, admission: Admission, body: object = completed()): Promise<Discharge> => {
    const { dischargeId } = (await draft(site, admission, body).expect(201)).body as Discharge;
    return (await sign(site, dischargeId).expect(200)).body as Discharge;
  };
  const attendanceSeen = (recordId: string, revision = 1) =>
    eventually(async () => expect(await count(kit, `aftercare.attendance_records WHERE record_id = $1 AND revision >= $2`, [recordId, revision])).toBe(1));

  it('admit, attend, draft, sign: the episode ends and aftercare.patient-discharged carries the discharge', async () => {
    const site = await aSite(kit);
    const programId = await aProgram(kit, site, '1');
    const admission = await admit(kit, site, { plannedStart: daysFromToday(-30) });
    const first = anAttendance(admission, { serviceDate: daysFromToday(-20) });
    const second = anAttendance(admission, { serviceDate: daysFromToday(-13) });
    const noShow = anAttendance(admission, { serviceDate: daysFromToday(-6), status: 'no-show', attendedMinutes: 0 });
    // Attendance records without an episode count by patient and site within the episode's dates.
    const withoutEpisode = anAttendance(admission, { serviceDate: daysFromToday(-5), episodeId: null, attendedMinutes: 90, status: 'left-early' });
    const beforeAdmission = anAttendance(admission, { serviceDate: daysFromToday(-40), episodeId: null });
    for (const r of [first, second, noShow, withoutEpisode, beforeAdmission]) await publish(kit.producer, AttendanceRecorded, r);
    await publish(kit.producer, AttendanceCorrected, {
      ...second,
      attendedMinutes: 120,
      status: 'left-early',
      revision: 2,
      previousStatus: 'attended',
      previousAttendedMinutes: 180,
    });
    await attendanceSeen(second.recordId, 2);
    await attendanceSeen(beforeAdmission.recordId);

    const created = await draft(site, admission, {
      type: 'step-down',
      reasonCode: 'goals-met',
      dischargedOn: daysFromToday(-1),
      stepDown: { programId },
      goals,
      summaryText: 'Completed the evening program; continues weekly outpatient group.',
    }).expect(201);
    expect(created.body).toMatchObject({
      status: 'draft',
      proposedBy: 'clinician',
      type: 'step-down',
      stepDown: { programId, levelOfCare: '1' },
      asSigned: null,
    });
    expect(created.body.summary).toEqual({
      admittedOn: admission.plannedStart,
      sessionsAttended: 3,
      attendedMinutes: 180 + 120 + 90,
      hoursAttended: 6.5,
      firstOutcome: null,
      lastOutcome: null,
      text: 'Completed the evening program; continues weekly outpatient group.',
    });
    expect(discharged.filter((e) => e.episodeId === admission.episodeId)).toEqual([]);

    const signed = (await sign(site, created.body.dischargeId).expect(200)).body as Discharge;
    expect(signed).toMatchObject({ status: 'signed', asSigned: { type: 'step-down', dischargedOn: daysFromToday(-1) } });

    const event = await eventually(() => {
      const found = discharged.find((e) => e.dischargeId === signed.dischargeId);
      expect(found).toBeDefined();
      return found!;
    });
    expect(event).toEqual({
      dischargeId: signed.dischargeId,
      episodeId: admission.episodeId,
      patientId: admission.patientId,
      siteId: site.siteId,
      type: 'step-down',
      reasonCode: 'goals-met',
      admittedOn: admission.plannedStart,
      dischargedOn: daysFromToday(-1),
      stepDown: { programId, levelOfCare: '1' },
      stepUp: null,
      transferToSiteId: null,
      signedAt: expect.any(String),
      occurredAt: expect.any(String),
    });
    expect(await kit.infra.adminQuery(`SELECT status, discharged_on::text AS on FROM aftercare.episodes WHERE episode_id = $1`, [admission.episodeId])).toEqual(
      [{ status: 'discharged', on: daysFromToday(-1) }],
    );

    const read = await api(kit, site.clinician).get(`/discharges/${signed.dischargeId}`).expect(200);
    expect(read.body.summary.text).toContain('weekly outpatient group');
    expect(
      await kit.infra.adminQuery(`SELECT action FROM aftercare.audit_log WHERE patient_id = $1 AND resource = $2`, [
        admission.patientId,
        `discharge:${signed.dischargeId}`,
      ]),
    ).toEqual(expect.arrayContaining([{ action: 'create' }, { action: 'read' }]));

    const list = await api(kit, site.clinician).get(`/sites/${site.siteId}/discharges?status=signed`).expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ dischargeId: signed.dischargeId, patientId: admission.patientId, type: 'step-down' })]);
    expect(JSON.stringify(list.body)).not.toContain('weekly outpatient group');
  });

  it('a signed discharge changes only by amendments: each one kept, the signed values kept, each published', async () => {
    const site = await aSite(kit);
    const elsewhere = await aSite(kit);
    const admission = await admit(kit, site);
    const draftOnly = await draft(site, await admit(kit, site)).expect(201);
    const notYet = await api(kit, site.clinician)
      .post(`/discharges/${draftOnly.body.dischargeId}/amendments`, { type: 'administrative', reason: 'x' })
      .expect(409);
    expect(notYet.body.code).toBe('discharge.not-signed');

    const signed = await discharge(site, admission);
    const edit = await api(kit, site.clinician).patch(`/discharges/${signed.dischargeId}`, { reasonCode: 'program-completed' }).expect(409);
    expect(edit.body.code).toBe('discharge.signed');

    const first = await api(kit, site.clinician)
      .post(`/discharges/${signed.dischargeId}/amendments`, {
        type: 'transfer',
        reasonCode: 'moved-away',
        transferToSiteId: elsewhere.siteId,
        reason: 'Family moved; continues at the other clinic',
      })
      .expect(201);
    expect(first.body).toMatchObject({ type: 'transfer', transferToSiteId: elsewhere.siteId, asSigned: { type: 'completed' } });
    const second = (
      await api(kit, site.clinician)
        .post(`/discharges/${signed.dischargeId}/amendments`, { dischargedOn: daysFromToday(-2), reason: 'Last session was the day before' })
        .expect(201)
    ).body as Discharge;
    expect(second).toMatchObject({ type: 'transfer', dischargedOn: daysFromToday(-2) });
    expect(second.amendments.map((a) => [a.amendment, a.type])).toEqual([
      [1, 'transfer'],
      [2, 'transfer'],
    ]);

    await eventually(() => expect(amended.filter((e) => e.dischargeId === signed.dischargeId)).toHaveLength(2));
    expect(amended.filter((e) => e.dischargeId === signed.dischargeId)).toEqual([
      expect.objectContaining({
        amendment: 1,
        type: 'transfer',
        reasonCode: 'moved-away',
        dischargedOn: daysFromToday(-1),
        transferToSiteId: elsewhere.siteId,
      }),
      expect.objectContaining({ amendment: 2, type: 'transfer', reasonCode: 'moved-away', dischargedOn: daysFromToday(-2) }),
    ]);
    expect(await kit.infra.adminQuery(`SELECT discharged_on::text AS on FROM aftercare.episodes WHERE episode_id = $1`, [admission.episodeId])).toEqual([
      { on: daysFromToday(-2) },
    ]);
    // The service's role may add amendments but never rewrite one, and never change the signed row.
    const serviceRole = await kit.infra.adminQuery<{ ok: boolean }>(`SELECT has_table_privilege($1, 'aftercare.discharge_amendments', 'UPDATE') AS ok`, [
      serviceRoleName('aftercare'),
    ]);
    expect(serviceRole).toEqual([{ ok: false }]);
    await expect(
      kit.infra.adminQuery(`UPDATE aftercare.discharges SET reason_code = 'program-completed' WHERE discharge_id = $1`, [signed.dischargeId]),
    ).rejects.toThrow(/is signed/);
  });

  it("checking another site's existence does not widen what the rest of the transaction sees", async () => {
    const site = await aSite(kit);
    const other = await aSite(kit);
    const scope = sitesScope([site.siteId]);
    const seen = await inScopedTransaction(kit.app.get(DataSource), scope, async (manager) => {
      const facts = await networkFacts(manager, scope, { siteId: other.siteId, programId: null });
      const visible = (await manager.query(`SELECT site_id FROM aftercare.site_directory`)) as Array<{ site_id: string }>;
      return { facts, visible: visible.map((v) => v.site_id) };
    });
    expect(seen).toEqual({ facts: { siteKnown: true, program: null }, visible: [site.siteId] });
  });

  it('the same sign sent twice at once signs once and publishes one event', async () => {
    const site = await aSite(kit);
    const admission = await admit(kit, site);
    const { dischargeId } = (await draft(site, admission).expect(201)).body as Discharge;
    const answers = await Promise.all([sign(site, dischargeId), sign(site, dischargeId)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    await eventually(() => expect(discharged.filter((e) => e.dischargeId === dischargeId)).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 1000));
    expect(discharged.filter((e) => e.dischargeId === dischargeId)).toHaveLength(1);
    expect(await count(kit, `aftercare.outbox WHERE type = 'aftercare.patient-discharged' AND payload->>'dischargeId' = $1`, [dischargeId])).toBe(1);
  });

  it('the lost-to-contact sweep proposes a draft for an episode silent N days; a clinician states the goals and signs it', async () => {
    const site = await aSite(kit);
    const silent = await admit(kit, site, { plannedStart: daysFromToday(-40) });
    const attending = await admit(kit, site, { plannedStart: daysFromToday(-40) });
    const lastSeen = anAttendance(silent, { serviceDate: daysFromToday(-20) });
    const recent = anAttendance(attending, { serviceDate: daysFromToday(-3) });
    await publish(kit.producer, AttendanceRecorded, lastSeen);
    await publish(kit.producer, AttendanceRecorded, recent);
    await attendanceSeen(lastSeen.recordId);
    await attendanceSeen(recent.recordId);

    const sweep = kit.app.get(LostToContactSweep);
    const proposed = await sweep.sweep(new Date(), 14);
    const drafts = await kit.infra.adminQuery<{ discharge_id: string; episode_id: string; type: string; reason_code: string; on: string; status: string }>(
      `SELECT discharge_id, episode_id, type, reason_code, discharged_on::text AS on, status FROM aftercare.discharges WHERE episode_id = ANY($1::uuid[])`,
      [[silent.episodeId, attending.episodeId]],
    );
    expect(drafts).toEqual([
      {
        discharge_id: expect.any(String),
        episode_id: silent.episodeId,
        type: 'lost-to-contact',
        reason_code: 'non-attendance',
        on: daysFromToday(-20),
        status: 'draft',
      },
    ]);
    expect(proposed).toContain(drafts[0]!.discharge_id);
    expect(await sweep.sweep(new Date(), 14)).not.toContain(drafts[0]!.discharge_id);
    expect(await count(kit, `aftercare.discharges WHERE episode_id = $1`, [silent.episodeId])).toBe(1);

    const listed = await api(kit, site.clinician).get(`/sites/${site.siteId}/discharges?status=draft`).expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ episodeId: silent.episodeId, proposedBy: 'lost-to-contact-sweep', type: 'lost-to-contact' })]);

    const unsigned = await sign(site, drafts[0]!.discharge_id).expect(422);
    expect(unsigned.body.code).toBe('discharge.goals-missing');
    await api(kit, site.clinician)
      .patch(`/discharges/${drafts[0]!.discharge_id}`, { goals: { total: 3, met: 0, partly: 1 } })
      .expect(200);
    const signed = (await sign(site, drafts[0]!.discharge_id).expect(200)).body as Discharge;
    expect(signed.summary).toMatchObject({ sessionsAttended: 1, attendedMinutes: 180 });
    await eventually(() =>
      expect(discharged.find((e) => e.episodeId === silent.episodeId)).toMatchObject({
        type: 'lost-to-contact',
        reasonCode: 'non-attendance',
        dischargedOn: daysFromToday(-20),
      }),
    );
  });

  it('a draft can be withdrawn (the patient came back); a signed discharge cannot', async () => {
    const site = await aSite(kit);
    const admission = await admit(kit, site, { plannedStart: daysFromToday(-40) });
    const silentSince = anAttendance(admission, { serviceDate: daysFromToday(-30) });
    await publish(kit.producer, AttendanceRecorded, silentSince);
    await attendanceSeen(silentSince.recordId);
    const sweep = kit.app.get(LostToContactSweep);
    await sweep.sweep(new Date(), 14);
    const [proposal] = await kit.infra.adminQuery<{ discharge_id: string }>(`SELECT discharge_id FROM aftercare.discharges WHERE episode_id = $1`, [
      admission.episodeId,
    ]);

    const back = anAttendance(admission, { serviceDate: daysFromToday(-1) });
    await publish(kit.producer, AttendanceRecorded, back);
    await attendanceSeen(back.recordId);
    await api(kit, site.clinician).delete(`/discharges/${proposal!.discharge_id}`).expect(204);
    await api(kit, site.clinician).get(`/discharges/${proposal!.discharge_id}`).expect(404);
    await sweep.sweep(new Date(), 14);
    expect(await count(kit, `aftercare.discharges WHERE episode_id = $1`, [admission.episodeId])).toBe(0);
    expect(await count(kit, `aftercare.episodes WHERE episode_id = $1 AND status = 'active'`, [admission.episodeId])).toBe(1);
    expect(await count(kit, `aftercare.audit_log WHERE resource = $1 AND action = 'delete'`, [`discharge:${proposal!.discharge_id}`])).toBe(1);

    const signed = await discharge(site, admission);
    expect((await api(kit, site.clinician).delete(`/discharges/${signed.dischargeId}`).expect(409)).body.code).toBe('discharge.signed');
    await api(kit, site.clinician).delete(`/discharges/${crypto.randomUUID()}`).expect(404);
  });

  it('redelivered admissions and attendance change nothing twice', async () => {
    const site = await aSite(kit);
    const admission = await admit(kit, site);
    await publishTwice(kit.producer, PatientAdmitted, admission);
    await publish(kit.producer, PatientAdmitted, { ...admission, plannedStart: daysFromToday(-3) });
    const record = anAttendance(admission);
    await publishTwice(kit.producer, AttendanceRecorded, record);
    await publish(kit.producer, AttendanceRecorded, record);
    // A later event on the same key shows the earlier ones were handled.
    const marker = anAttendance(admission, { serviceDate: daysFromToday(-2) });
    await publish(kit.producer, AttendanceRecorded, marker);
    await attendanceSeen(marker.recordId);
    expect(await kit.infra.adminQuery(`SELECT admitted_on::text AS on FROM aftercare.episodes WHERE episode_id = $1`, [admission.episodeId])).toEqual([
      { on: admission.plannedStart },
    ]);
    const created = (await draft(site, admission).expect(201)).body as Discharge;
    expect(created.summary).toMatchObject({ sessionsAttended: 2, attendedMinutes: 360 });
  });

  describe('bad input changes nothing', () => {
    let site: Site;
    let other: Site;
    let admission: Admission;
    const discharges = () => count(kit, `aftercare.discharges WHERE episode_id = $1`, [admission.episodeId]);
    beforeAll(async () => {
      site = await aSite(kit);
      other = await aSite(kit);
      admission = await admit(kit, site, { plannedStart: daysFromToday(-10) });
    });

    it('an unknown episode, or one at another site, is a 404', async () => {
      expect((await draft(site, { ...admission, episodeId: crypto.randomUUID() }).expect(404)).body.code).toBe('episode.not-found');
      expect((await draft(other, admission).expect(404)).body.code).toBe('episode.not-found');
      expect(await discharges()).toBe(0);
    });

    it('a date before the admission or in the future is a 422 naming the dates', async () => {
      const early = await draft(site, admission, completed({ dischargedOn: daysFromToday(-11) })).expect(422);
      expect(early.body).toMatchObject({ code: 'discharge.before-admission' });
      expect(early.body.detail).toContain(daysFromToday(-11));
      expect(JSON.stringify(early.body)).toContain(admission.plannedStart);
      const future = await draft(site, admission, completed({ dischargedOn: daysFromToday(2) })).expect(422);
      expect(future.body.code).toBe('discharge.in-the-future');
      expect(JSON.stringify(future.body)).toContain(daysFromToday(2));
      expect(await discharges()).toBe(0);
    });

    it('a transfer to the same or an unknown site, a step-down to an unknown program, an unknown reason: 422', async () => {
      const cases: Array<[object, string]> = [
        [{ type: 'transfer', reasonCode: 'moved-away', transferToSiteId: site.siteId }, 'discharge.transfer-same-site'],
        [{ type: 'transfer', reasonCode: 'moved-away', transferToSiteId: crypto.randomUUID() }, 'discharge.site-unknown'],
        [{ type: 'step-down', reasonCode: 'goals-met', stepDown: { programId: crypto.randomUUID() } }, 'discharge.program-unknown'],
        [{ type: 'step-down', reasonCode: 'goals-met' }, 'discharge.destination-missing'],
        [{ type: 'completed', reasonCode: 'moved-away' }, 'discharge.reason-unknown'],
        [{ type: 'completed', reasonCode: 'goals-met', stepUp: { destination: 'inpatient' } }, 'discharge.destination-mismatch'],
      ];
      for (const [body, code] of cases) {
        const res = await draft(site, admission, completed(body)).expect(422);
        expect(res.body.code).toBe(code);
      }
      expect(await discharges()).toBe(0);
    });

    it('invalid bodies, ids and cursors are a 400; a role that may not discharge is a 403', async () => {
      const bodies = [
        {},
        completed({ type: 'graduated' }),
        completed({ dischargedOn: '2026-02-30' }),
        completed({ note: 'x' }),
        completed({ goals: { total: 1, met: 2, partly: 0 } }),
      ];
      for (const body of bodies) await draft(site, admission, body).expect(400);
      await api(kit, site.clinician).post('/episodes/not-a-uuid/discharge', completed()).expect(400);
      await api(kit, site.clinician).get(`/sites/${site.siteId}/discharges?cursor=bm90LWEtY3Vyc29y`).expect(400);
      await api(kit, site.clinician).get(`/sites/${site.siteId}/discharges?limit=0`).expect(400);
      await api(kit, await tokenFor('intake_coordinator', [site.siteId]))
        .post(`/episodes/${admission.episodeId}/discharge`, completed())
        .expect(403);
      expect(await discharges()).toBe(0);
    });

    it('unknown discharge ids are a 404 everywhere', async () => {
      const id = crypto.randomUUID();
      await api(kit, site.clinician).get(`/discharges/${id}`).expect(404);
      await api(kit, site.clinician).patch(`/discharges/${id}`, { reasonCode: 'goals-met' }).expect(404);
      await sign(site, id).expect(404);
      await api(kit, site.clinician).post(`/discharges/${id}/amendments`, { reasonCode: 'goals-met', reason: 'x' }).expect(404);
    });

    it('a second draft, signing twice, and discharging a discharged episode are 409s', async () => {
      const { dischargeId } = (await draft(site, admission).expect(201)).body as Discharge;
      expect((await draft(site, admission).expect(409)).body.code).toBe('discharge.exists');
      await sign(site, dischargeId).expect(200);
      expect((await sign(site, dischargeId).expect(409)).body.code).toBe('discharge.signed');
      expect((await draft(site, admission).expect(409)).body.code).toBe('episode.not-active');
      await api(kit, other.clinician).get(`/discharges/${dischargeId}`).expect(404);
      await eventually(() => expect(discharged.filter((e) => e.dischargeId === dischargeId)).toHaveLength(1));
    });
  });
});
