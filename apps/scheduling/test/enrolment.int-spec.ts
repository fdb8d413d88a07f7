import { PatientAdmitted } from '@iop/contracts';
import { eventually, tokenFor } from '@iop/testing';
import { aClinic, admit, anAdmission, api, publish, startScheduling, type SchedulingKit } from './support/scheduling-kit';

describe('an admission from intake enrols the patient at the site', () => {
  let kit: SchedulingKit;

  beforeAll(async () => {
    kit = await startScheduling();
  });
  afterAll(async () => kit?.close());

  it('creates an enrolment awaiting placement and the first draft of the treatment plan', async () => {
    const clinic = await aClinic(kit);
    const patient = await admit(kit, clinic.siteId, { plannedWeeklyHours: 9, levelOfCare: '2.1', plannedStart: '2031-03-03' });
    const res = await api(kit, clinic.coordinator).get(`/enrolments/${patient.enrolmentId}`).expect(200);
    expect(res.body).toMatchObject({ status: 'awaiting-placement', patientId: patient.patientId, plannedWeeklyMinutes: 540, plannedStart: '2031-03-03' });
    const plans = await kit.infra.adminQuery(
      `SELECT weekly_group_minutes, version, next_review_on::text FROM scheduling.treatment_plans WHERE enrolment_id = $1`,
      [patient.enrolmentId],
    );
    expect(plans).toEqual([{ weekly_group_minutes: 540, version: 1, next_review_on: '2031-04-02' }]);
    const events = await kit.infra.adminQuery<{ type: string; payload: Record<string, unknown> }>(
      `SELECT type, payload FROM scheduling.outbox WHERE key = $1 ORDER BY seq`,
      [patient.patientId],
    );
    expect(events.map((e) => e.type)).toEqual(['scheduling.patient-enrolled', 'scheduling.treatment-plan-updated']);
    expect(JSON.stringify(events)).not.toContain('goals');
  });

  it('the same admission delivered twice enrols once', async () => {
    const clinic = await aClinic(kit);
    const admission = anAdmission(clinic.siteId);
    await publish(kit.producer, PatientAdmitted, admission);
    await publish(kit.producer, PatientAdmitted, { ...admission, occurredAt: new Date().toISOString() });
    const later = await admit(kit, clinic.siteId);
    expect(later.enrolmentId).toBeDefined();
    const rows = await kit.infra.adminQuery(`SELECT 1 FROM scheduling.enrolments WHERE episode_id = $1`, [admission.episodeId]);
    expect(rows).toHaveLength(1);
  });

  it('an admission for a site scheduling does not know is parked, and the consumer goes on', async () => {
    const unknownSite = crypto.randomUUID();
    const admission = anAdmission(unknownSite);
    await publish(kit.producer, PatientAdmitted, admission);
    await eventually(async () => {
      const parked = await kit.infra.adminQuery(`SELECT state FROM scheduling.parked_admissions WHERE episode_id = $1`, [admission.episodeId]);
      expect(parked).toEqual([{ state: 'site-unknown' }]);
    });
    const clinic = await aClinic(kit);
    await admit(kit, clinic.siteId);
    const dead = await kit.infra.adminQuery(`SELECT 1 FROM scheduling.enrolments WHERE episode_id = $1`, [admission.episodeId]);
    expect(dead).toHaveLength(0);
  });

  describe("the site's work queue", () => {
    it('lists enrolments awaiting placement, oldest planned start first, page by page', async () => {
      const clinic = await aClinic(kit);
      const c = await admit(kit, clinic.siteId, { plannedStart: '2031-01-20' });
      const a = await admit(kit, clinic.siteId, { plannedStart: '2031-01-06' });
      const b = await admit(kit, clinic.siteId, { plannedStart: '2031-01-13' });
      const first = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/enrolments?status=awaiting-placement&limit=2`).expect(200);
      expect(first.body.items.map((e: { enrolmentId: string }) => e.enrolmentId)).toEqual([a.enrolmentId, b.enrolmentId]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/enrolments?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body).toEqual({ items: [expect.objectContaining({ enrolmentId: c.enrolmentId })], nextCursor: null });
      const audited = await kit.infra.adminQuery(`SELECT DISTINCT patient_id FROM scheduling.audit_log WHERE resource = $1`, [
        `sites/${clinic.siteId}/enrolments`,
      ]);
      expect(audited).toHaveLength(3);
    });

    it('refuses a cursor it did not give and an unknown status with 400', async () => {
      const clinic = await aClinic(kit);
      const bad = await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/enrolments?cursor=not-a-cursor`).expect(400);
      expect(bad.body.detail).toContain('cursor');
      await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/enrolments?status=lost`).expect(400);
    });

    it('a coordinator of another site sees neither the queue nor an enrolment (403 / 404, nothing leaked)', async () => {
      const clinic = await aClinic(kit);
      const other = await aClinic(kit);
      const patient = await admit(kit, clinic.siteId);
      const res = await api(kit, other.coordinator).get(`/sites/${clinic.siteId}/enrolments`).expect(403);
      expect(JSON.stringify(res.body)).not.toContain(patient.patientId);
      const one = await api(kit, other.coordinator).get(`/enrolments/${patient.enrolmentId}`).expect(404);
      expect(JSON.stringify(one.body)).not.toContain(patient.patientId);
      const analyst = await tokenFor('analyst', [clinic.siteId]);
      await api(kit, analyst).get(`/enrolments/${patient.enrolmentId}`).expect(403);
    });
  });
});
