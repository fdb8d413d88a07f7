import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startService, tokenFor, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { IntakeModule } from '../src/intake.module';
import { aClearPreScreen, anIopAssessment, aReferral, intakeKit, type Kit } from './intake-test-kit';

/** Every read that returns patients writes one audit row per patient returned, naming the reader and what they read. */
describe("reads of patients' records in lists and work queues are audited per patient", () => {
  let infra: TestInfrastructure;
  let intake: INestApplication;
  let kit: Kit;
  let siteId: string;
  let coordinator: string;
  let inPlace: { referralId: string; patientId: string };
  let head: { referralId: string; patientId: string };
  let next: { referralId: string; patientId: string };
  let elsewhere: { referralId: string; patientId: string };

  const http = () => request(intake.getHttpServer());
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const selfPay = { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: tomorrow() };
  const post = (path: string, body: object, token = coordinator) => http().post(path).set('authorization', `Bearer ${token}`).send(body);

  async function assessed(site: string, token: string) {
    const created = (await post('/referrals', aReferral(site), token).expect(201)).body as { referralId: string; patientId: string };
    await post(`/referrals/${created.referralId}/pre-screen`, aClearPreScreen(), token).expect(201);
    await post(`/referrals/${created.referralId}/assessment-booking`, { appointmentAt: new Date(Date.now() + 60_000).toISOString() }, token).expect(200);
    await post(`/referrals/${created.referralId}/assessment`, anIopAssessment(), token).expect(201);
    return created;
  }

  /** A reader of its own, so that its audit rows are told apart from everyone else's. */
  async function readAs(path: string): Promise<{ subject: string; body: unknown }> {
    const subject = `reader-${crypto.randomUUID().slice(0, 8)}`;
    const token = await tokenFor('intake_coordinator', [siteId], subject);
    const res = await http().get(path).set('authorization', `Bearer ${token}`).expect(200);
    return { subject, body: res.body };
  }

  const auditOf = (subject: string) =>
    infra.adminQuery<{ patient_id: string }>(
      `SELECT actor, role, site_id, patient_id, action, resource FROM intake.audit_log WHERE actor = $1 ORDER BY patient_id, resource`,
      [subject],
    );
  const row = (subject: string, patientId: string, action: string, resource: string) => ({
    actor: subject,
    role: 'intake_coordinator',
    site_id: siteId,
    patient_id: patientId,
    action,
    resource,
  });
  const byPatient = (ids: string[]) => [...ids].sort();

  // One site with one place: one patient in it, two waiting; the place is freed and offered to the head of the list,
  // which opens a follow-up task. Another site has a patient of its own who must appear in nobody's audit here.
  beforeAll(async () => {
    infra = await useTestInfrastructure();
    intake = await startService(IntakeModule, 'intake');
    kit = await intakeKit(infra, intake);
    siteId = await kit.site(1);
    coordinator = await tokenFor('intake_coordinator', [siteId]);
    [inPlace, head, next] = [await assessed(siteId, coordinator), await assessed(siteId, coordinator), await assessed(siteId, coordinator)];
    const otherSite = await kit.site(1);
    elsewhere = await assessed(otherSite, await tokenFor('intake_coordinator', [otherSite]));
    const admitted = await post(`/referrals/${inPlace.referralId}/admission`, selfPay).expect(201);
    await post(`/referrals/${head.referralId}/admission`, selfPay).expect(409);
    await post(`/referrals/${next.referralId}/admission`, selfPay).expect(409);
    await kit.discharge(admitted.body.episode);
  });

  afterAll(async () => {
    await kit?.close();
    await intake?.close();
  });

  it("the site's waitlist: one 'list' row per patient on it", async () => {
    const { subject, body } = await readAs(`/sites/${siteId}/waitlist`);
    expect((body as Array<{ patientId: string }>).map((e) => e.patientId)).toEqual([head.patientId, next.patientId]);
    expect(await auditOf(subject)).toEqual(byPatient([head.patientId, next.patientId]).map((p) => row(subject, p, 'list', 'waitlist')));
  });

  it("a patient's waitlist position: a 'read' row for that patient", async () => {
    const { subject, body } = await readAs(`/referrals/${next.referralId}/waitlist-position`);
    expect(body).toMatchObject({ referralId: next.referralId, position: 2, of: 2 });
    const [entry] = await infra.adminQuery<{ entry_id: string }>(`SELECT entry_id FROM intake.waitlist_entries WHERE referral_id = $1`, [next.referralId]);
    expect(await auditOf(subject)).toEqual([row(subject, next.patientId, 'read', `waitlist:${entry!.entry_id}`)]);
  });

  it("the site's follow-up tasks: one 'list' row per patient a task names", async () => {
    const { subject, body } = await readAs(`/sites/${siteId}/follow-up-tasks`);
    expect(body).toEqual([expect.objectContaining({ kind: 'offer-place', referralId: head.referralId, patientId: head.patientId })]);
    expect(await auditOf(subject)).toEqual([row(subject, head.patientId, 'list', 'follow-up-tasks')]);
  });

  it("the referral list: one 'list' row per referral listed, and none for referrals left out", async () => {
    const { subject, body } = await readAs(`/referrals?siteId=${siteId}`);
    const listed = (body as { items: Array<{ patientId: string }> }).items.map((r) => r.patientId);
    expect(byPatient(listed)).toEqual(byPatient([inPlace.patientId, head.patientId, next.patientId]));
    const audit = await auditOf(subject);
    expect(audit).toEqual(byPatient(listed).map((p) => row(subject, p, 'list', 'referrals')));
    expect(audit.map((a) => a.patient_id)).not.toContain(elsewhere.patientId);
  });

  it('an empty list audits nobody', async () => {
    const empty = await kit.site(5);
    const subject = `reader-${crypto.randomUUID().slice(0, 8)}`;
    const token = await tokenFor('intake_coordinator', [empty], subject);
    for (const path of [`/sites/${empty}/waitlist`, `/sites/${empty}/follow-up-tasks`, `/referrals?siteId=${empty}`]) {
      await http().get(path).set('authorization', `Bearer ${token}`).expect(200);
    }
    expect(await auditOf(subject)).toEqual([]);
  });
});
