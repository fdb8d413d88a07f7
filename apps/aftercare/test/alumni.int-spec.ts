import { AlumniJoined, AlumniLeft, type PayloadOf } from '@iop/contracts';
import { eventually, tokenFor } from '@iop/testing';
import { aSite, admit, api, count, daysFromToday, startAftercare, type Admission, type AftercareKit, type Site } from './aftercare-test-kit';

describe("aftercare: a site's alumni roster", () => {
  let kit: AftercareKit;
  let joined: Array<PayloadOf<typeof AlumniJoined>>;
  let left: Array<PayloadOf<typeof AlumniLeft>>;
  beforeAll(async () => {
    kit = await startAftercare();
    joined = await kit.eventsOf(AlumniJoined);
    left = await kit.eventsOf(AlumniLeft);
  });
  afterAll(async () => {
    await kit?.close();
  });

  const consent = (site: Site, patientId: string, optIn: boolean, token = site.clinician) =>
    api(kit, token).post(`/patients/${patientId}/alumni-consent`, { siteId: site.siteId, optIn });
  const roster = (site: Site) => api(kit, site.clinician).get(`/sites/${site.siteId}/alumni`);

  /** An admitted patient whose discharge a clinician signed. */
  async function aDischargedPatient(site: Site): Promise<Admission> {
    const admission = await admit(kit, site);
    const body = { type: 'completed', reasonCode: 'goals-met', dischargedOn: daysFromToday(-1), goals: { total: 2, met: 2, partly: 0 } };
    const { dischargeId } = (await api(kit, site.clinician).post(`/episodes/${admission.episodeId}/discharge`, body).expect(201)).body as {
      dischargeId: string;
    };
    await api(kit, site.clinician).post(`/discharges/${dischargeId}/sign`).expect(200);
    return admission;
  }

  it('a discharged patient opts in and out: the roster follows, every consent is kept, and only changes are published', async () => {
    const site = await aSite(kit);
    const patient = await aDischargedPatient(site);

    const optIn = await consent(site, patient.patientId, true).expect(200);
    expect(optIn.body).toMatchObject({ patientId: patient.patientId, siteId: site.siteId, optedIn: true, changed: true });
    const again = await consent(site, patient.patientId, true).expect(200);
    expect(again.body).toMatchObject({ optedIn: true, changed: false, since: optIn.body.since });

    const listed = await roster(site).expect(200);
    expect(listed.body).toEqual({
      siteId: site.siteId,
      items: [{ patientId: patient.patientId, optedInAt: optIn.body.since, lastDischargedOn: daysFromToday(-1) }],
      nextCursor: null,
    });
    expect(
      await count(kit, `aftercare.audit_log WHERE patient_id = $1 AND action = 'list' AND resource = $2`, [patient.patientId, `sites/${site.siteId}/alumni`]),
    ).toBe(1);

    await consent(site, patient.patientId, false).expect(200);
    expect((await roster(site).expect(200)).body.items).toEqual([]);
    expect(await count(kit, `aftercare.alumni_consents WHERE patient_id = $1`, [patient.patientId])).toBe(2);

    await eventually(() => {
      expect(joined.filter((e) => e.patientId === patient.patientId)).toHaveLength(1);
      expect(left.filter((e) => e.patientId === patient.patientId)).toHaveLength(1);
    });
    expect(joined.find((e) => e.patientId === patient.patientId)).toEqual({
      consentId: expect.any(String),
      patientId: patient.patientId,
      siteId: site.siteId,
      occurredAt: expect.any(String),
    });
  });

  it('the roster pages by cursor and shows only the opted-in patients of its own site', async () => {
    const site = await aSite(kit);
    const other = await aSite(kit);
    const patients = [await aDischargedPatient(site), await aDischargedPatient(site), await aDischargedPatient(site)];
    const elsewhere = await aDischargedPatient(other);
    for (const p of patients) await consent(site, p.patientId, true).expect(200);
    await consent(other, elsewhere.patientId, true).expect(200);

    const first = await api(kit, site.clinician).get(`/sites/${site.siteId}/alumni?limit=2`).expect(200);
    const second = await api(kit, site.clinician).get(`/sites/${site.siteId}/alumni?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.nextCursor).toBeNull();
    const ids = [...first.body.items, ...second.body.items].map((i: { patientId: string }) => i.patientId);
    expect(ids).toEqual(patients.map((p) => p.patientId).sort());
  });

  it('a patient not yet discharged, an unknown patient, another site and bad bodies are refused and record nothing', async () => {
    const site = await aSite(kit);
    const other = await aSite(kit);
    const inTreatment = await admit(kit, site);
    expect((await consent(site, inTreatment.patientId, true).expect(409)).body.code).toBe('alumni.not-discharged');
    expect((await consent(site, crypto.randomUUID(), true).expect(404)).body.code).toBe('patient.not-found');
    await consent(site, inTreatment.patientId, true, other.clinician).expect(403);
    await api(kit, site.clinician).get(`/sites/${site.siteId}/alumni`).set('authorization', `Bearer ${other.clinician}`).expect(403);
    await api(kit, site.clinician).post(`/patients/${inTreatment.patientId}/alumni-consent`, { siteId: site.siteId, optIn: 'yes' }).expect(400);
    await api(kit, site.clinician).post(`/patients/${inTreatment.patientId}/alumni-consent`, { optIn: true }).expect(400);
    await api(kit, site.clinician).get(`/sites/${site.siteId}/alumni?cursor=bm9wZQ`).expect(400);
    await api(kit, await tokenFor('insurance_coordinator', [site.siteId]))
      .get(`/sites/${site.siteId}/alumni`)
      .expect(403);
    expect(await count(kit, `aftercare.alumni_consents WHERE site_id = $1`, [site.siteId])).toBe(0);
  });
});
