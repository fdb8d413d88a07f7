import { DataSource } from 'typeorm';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { tokenFor } from '@iop/testing';
import { aClinic, admit, api, startScheduling, type Clinic, type SchedulingKit } from './support/scheduling-kit';

describe('treatment plans', () => {
  let kit: SchedulingKit;
  let clinic: Clinic;

  beforeAll(async () => {
    kit = await startScheduling();
    clinic = await aClinic(kit);
  });
  afterAll(async () => kit?.close());

  const review = (over: object = {}) => ({
    version: 1,
    reason: '30-day review: attending, first milestone met',
    weeklyGroupMinutes: 360,
    individualPerWeek: 1,
    familyPerMonth: 2,
    psychiatricPerMonth: 1,
    goals: [
      {
        description: 'Abstinent from alcohol for 60 days',
        targetDate: '2031-05-01',
        milestones: [{ description: 'Two weeks without a drink', targetDate: '2031-03-17', met: true }],
      },
    ],
    ...over,
  });
  const versions = async (enrolmentId: string) =>
    (
      await kit.infra.adminQuery<{ n: number }>(
        `SELECT count(*)::int AS n FROM scheduling.treatment_plan_versions v JOIN scheduling.treatment_plans p USING (plan_id) WHERE p.enrolment_id = $1`,
        [enrolmentId],
      )
    )[0]!.n;

  it('the first draft is there to read, and the read is audited', async () => {
    const patient = await admit(kit, clinic.siteId, { plannedWeeklyHours: 9 });
    const res = await api(kit, clinic.clinician).get(`/enrolments/${patient.enrolmentId}/plan`).expect(200);
    expect(res.body).toMatchObject({ version: 1, weeklyGroupMinutes: 540, individualPerWeek: 1, goals: [], updatedBy: 'intake-admission' });
    const audit = await kit.infra.adminQuery(`SELECT action FROM scheduling.audit_log WHERE patient_id = $1 AND resource LIKE 'treatment-plan:%'`, [
      patient.patientId,
    ]);
    expect(audit).toEqual([{ action: 'read' }]);
  });

  it('a clinician writes a new version with goals; every version is kept; the event carries hours and dates, never goals', async () => {
    const patient = await admit(kit, clinic.siteId);
    const res = await api(kit, clinic.clinician).put(`/enrolments/${patient.enrolmentId}/plan`, review()).expect(200);
    expect(res.body).toMatchObject({
      version: 2,
      weeklyGroupMinutes: 360,
      goals: [expect.objectContaining({ description: 'Abstinent from alcohol for 60 days' })],
    });
    const list = await api(kit, clinic.clinician).get(`/enrolments/${patient.enrolmentId}/plan/versions`).expect(200);
    expect(list.body.map((v: { version: number; reason: string }) => [v.version, v.reason])).toEqual([
      [2, '30-day review: attending, first milestone met'],
      [1, 'first draft from the admission'],
    ]);
    expect(list.body[1].plan.weeklyGroupMinutes).toBe(540);
    const events = await kit.infra.adminQuery<{ payload: object }>(
      `SELECT payload FROM scheduling.outbox WHERE key = $1 AND type = 'scheduling.treatment-plan-updated' ORDER BY seq`,
      [patient.patientId],
    );
    expect(events.map((e) => (e.payload as { version: number }).version)).toEqual([1, 2]);
    expect(JSON.stringify(events)).not.toMatch(/goals|Abstinent|drink/);
  });

  it('a write from a stale version is refused with 409 and writes nothing', async () => {
    const patient = await admit(kit, clinic.siteId);
    await api(kit, clinic.clinician).put(`/enrolments/${patient.enrolmentId}/plan`, review()).expect(200);
    const stale = await api(kit, clinic.clinician)
      .put(`/enrolments/${patient.enrolmentId}/plan`, review({ weeklyGroupMinutes: 180 }))
      .expect(409);
    expect(stale.body.code).toBe('plan.stale');
    expect(stale.body.detail).toContain('version 2');
    expect(await versions(patient.enrolmentId)).toBe(2);
  });

  it('only clinicians write plans; bad bodies are 400 and write nothing', async () => {
    const patient = await admit(kit, clinic.siteId);
    await api(kit, clinic.coordinator).put(`/enrolments/${patient.enrolmentId}/plan`, review()).expect(403);
    for (const bad of [
      review({ version: 0 }),
      review({ reason: '' }),
      review({ weeklyGroupMinutes: 100 }),
      review({ weeklyGroupMinutes: -15 }),
      review({ goals: [{ description: 'x', targetDate: 'soon' }] }),
      review({ nextReviewOn: '31/12/2031' }),
      review({ surprise: true }),
      { version: 1 },
    ]) {
      const res = await api(kit, clinic.clinician).put(`/enrolments/${patient.enrolmentId}/plan`, bad);
      expect({ status: res.status, bad }).toEqual({ status: 400, bad });
    }
    await api(kit, clinic.clinician).put(`/enrolments/not-an-id/plan`, review()).expect(400);
    expect(await versions(patient.enrolmentId)).toBe(1);
  });

  it("another site's clinician neither reads nor writes the plan (404), and plan versions cannot be rewritten even by the service", async () => {
    const other = await aClinic(kit);
    const patient = await admit(kit, clinic.siteId);
    await api(kit, other.clinician).get(`/enrolments/${patient.enrolmentId}/plan`).expect(404);
    await api(kit, other.clinician).get(`/enrolments/${patient.enrolmentId}/plan/versions`).expect(404);
    await api(kit, other.clinician).put(`/enrolments/${patient.enrolmentId}/plan`, review()).expect(404);
    const networkClinician = await tokenFor('clinician', [clinic.siteId, other.siteId]);
    await api(kit, networkClinician).get(`/enrolments/${patient.enrolmentId}/plan`).expect(200);
    await expect(
      inScopedTransaction(kit.app.get(DataSource), ALL_SITES, (m) => m.query(`UPDATE treatment_plan_versions SET reason = 'rewritten'`)),
    ).rejects.toThrow(/permission denied/);
  });
});
