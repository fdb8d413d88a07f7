import { DataSource } from 'typeorm';
import { DateTime } from 'luxon';
import { inScopedTransaction, sitesScope } from '@iop/persistence';
import { aClinic, aClinician, aRoom, admit, api, startScheduling, type Clinic, type SchedulingKit } from './support/scheduling-kit';

const at = (daysAhead: number, hour: number, minutes = 60) => {
  const start = DateTime.now().setZone('America/New_York').plus({ days: daysAhead }).set({ hour, minute: 0, second: 0, millisecond: 0 });
  return { startsAt: start.toISO()!, endsAt: start.plus({ minutes }).toISO()! };
};

describe('appointments', () => {
  let kit: SchedulingKit;
  let clinic: Clinic;
  let clinicianId: string;
  let roomId: string;

  beforeAll(async () => {
    kit = await startScheduling();
    clinic = await aClinic(kit);
    clinicianId = await aClinician(kit, clinic.siteId);
    roomId = await aRoom(kit, clinic.siteId);
  });
  afterAll(async () => kit?.close());

  const book = (token: string, body: object, siteId = clinic.siteId) => api(kit, token).post(`/sites/${siteId}/appointments`, body);
  const count = async () => (await kit.infra.adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM scheduling.appointments`))[0]!.n;

  it('books an appointment in a room, readable by id, announced without the reason or anything clinical', async () => {
    const patient = await admit(kit, clinic.siteId);
    const res = await book(clinic.coordinator, { patientId: patient.patientId, clinicianId, roomId, kind: 'individual-therapy', ...at(3, 10) }).expect(201);
    expect(res.body).toMatchObject({ status: 'booked', enrolmentId: patient.enrolmentId, roomId, telehealth: false });
    const read = await api(kit, clinic.clinician).get(`/appointments/${res.body.appointmentId}`).expect(200);
    expect(read.body.appointmentId).toBe(res.body.appointmentId);
    const held = await kit.infra.adminQuery(`SELECT holder_kind FROM scheduling.commitments WHERE source_id = $1 ORDER BY holder_kind`, [
      res.body.appointmentId,
    ]);
    expect(held.map((h) => h.holder_kind)).toEqual(['clinician', 'patient', 'room']);
    const events = await kit.infra.adminQuery(`SELECT type FROM scheduling.outbox WHERE key = $1 AND type LIKE 'scheduling.appointment-%'`, [
      patient.patientId,
    ]);
    expect(events).toEqual([{ type: 'scheduling.appointment-booked' }]);
  });

  it('20 parallel bookings of one clinician slot: exactly one wins, the others get 409 naming the clinician', async () => {
    const patients = await Promise.all(Array.from({ length: 20 }, () => admit(kit, clinic.siteId)));
    const slot = at(4, 9);
    const results = await Promise.all(
      patients.map((p) => book(clinic.coordinator, { patientId: p.patientId, clinicianId, telehealth: true, kind: 'case-management', ...slot })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.map((r) => r.status)).toEqual(Array(19).fill(409));
    expect(refused[0]!.body.code).toBe('schedule.clinician-busy');
    expect(refused[0]!.body.detail).toContain(clinicianId);
  });

  it('the same patient cannot be at two clinics at once, and the refusal does not say what the other clinic booked', async () => {
    const other = await aClinic(kit);
    const otherClinician = await aClinician(kit, other.siteId);
    const patient = await admit(kit, clinic.siteId);
    await admit(kit, other.siteId, { patientId: patient.patientId });
    const slot = at(5, 14);
    const first = await book(clinic.coordinator, { patientId: patient.patientId, clinicianId, telehealth: true, kind: 'individual-therapy', ...slot }).expect(
      201,
    );
    const res = await book(
      other.coordinator,
      { patientId: patient.patientId, clinicianId: otherClinician, telehealth: true, kind: 'individual-therapy', ...slot },
      other.siteId,
    ).expect(409);
    expect(res.body.code).toBe('schedule.patient-busy');
    expect(JSON.stringify(res.body)).not.toContain(first.body.appointmentId);
  });

  it('reschedules, refusing a time the clinician is busy; a cancelled slot is free again', async () => {
    const [a, b] = [await admit(kit, clinic.siteId), await admit(kit, clinic.siteId)];
    const first = await book(clinic.coordinator, { patientId: a.patientId, clinicianId, telehealth: true, kind: 'family-therapy', ...at(6, 9) }).expect(201);
    const second = await book(clinic.coordinator, { patientId: b.patientId, clinicianId, telehealth: true, kind: 'family-therapy', ...at(6, 11) }).expect(201);
    const clash = await api(kit, clinic.coordinator).post(`/appointments/${second.body.appointmentId}/reschedule`, at(6, 9)).expect(409);
    expect(clash.body.code).toBe('schedule.clinician-busy');
    const moved = await api(kit, clinic.coordinator)
      .post(`/appointments/${second.body.appointmentId}/reschedule`, at(6, 13, 90))
      .expect(200);
    expect(moved.body).toMatchObject({ startsAt: new Date(at(6, 13).startsAt).toISOString(), revision: 2 });
    await api(kit, clinic.coordinator)
      .post(`/appointments/${first.body.appointmentId}/cancellation`, { reason: 'patient unwell', cancelledBy: 'patient' })
      .expect(200);
    await api(kit, clinic.coordinator).post(`/appointments/${first.body.appointmentId}/cancellation`, { reason: 'again' }).expect(409);
    // Attendance records it as the patient's cancellation; the free-text reason stays here.
    const [cancelled] = await kit.infra.adminQuery<{ payload: { cancelledBy?: string; reason?: string } }>(
      `SELECT payload FROM scheduling.outbox WHERE type = 'scheduling.appointment-cancelled' AND payload->>'appointmentId' = $1`,
      [first.body.appointmentId],
    );
    expect(cancelled!.payload).toMatchObject({ cancelledBy: 'patient' });
    expect(JSON.stringify(cancelled!.payload)).not.toContain('unwell');
    await api(kit, clinic.coordinator).post(`/appointments/${second.body.appointmentId}/reschedule`, at(6, 9)).expect(200);
  });

  describe('refusals that write nothing', () => {
    it('a patient with no open enrolment at the site: the same 422 whether unknown or enrolled at another site', async () => {
      const other = await aClinic(kit);
      const elsewhere = await admit(kit, other.siteId);
      const before = await count();
      const unknown = await book(clinic.coordinator, { patientId: crypto.randomUUID(), clinicianId, roomId, kind: 'case-management', ...at(3, 15) }).expect(
        422,
      );
      const atOther = await book(clinic.coordinator, { patientId: elsewhere.patientId, clinicianId, roomId, kind: 'case-management', ...at(3, 15) }).expect(
        422,
      );
      expect(unknown.body.code).toBe('patient.not-at-site');
      expect(atOther.body.code).toBe('patient.not-at-site');
      expect(atOther.body.detail.replace(elsewhere.patientId, 'X')).toBe(unknown.body.detail.replace(/patient [0-9a-f-]+/, 'patient X'));
      expect(await count()).toBe(before);
    });

    it("another site's clinician or room, a time in the past, an end before the start, more than 8 hours, no room and no telehealth", async () => {
      const other = await aClinic(kit);
      const otherClinician = await aClinician(kit, other.siteId);
      const otherRoom = await aRoom(kit, other.siteId);
      const patient = await admit(kit, clinic.siteId);
      const ok = { patientId: patient.patientId, clinicianId, roomId, kind: 'individual-therapy', ...at(3, 16) };
      const before = await count();
      expect((await book(clinic.coordinator, { ...ok, clinicianId: otherClinician }).expect(422)).body.code).toBe('clinician.not-at-site');
      expect((await book(clinic.coordinator, { ...ok, roomId: otherRoom }).expect(422)).body.code).toBe('room.not-at-site');
      expect((await book(clinic.coordinator, { ...ok, ...at(-1, 10) }).expect(422)).body.code).toBe('appointment.in-past');
      const backwards = await book(clinic.coordinator, { ...ok, endsAt: ok.startsAt, startsAt: ok.endsAt }).expect(400);
      expect(backwards.body.detail).toContain('end after it starts');
      expect((await book(clinic.coordinator, { ...ok, ...at(3, 8, 9 * 60) }).expect(400)).body.detail).toContain('8 hours');
      expect((await book(clinic.coordinator, { ...ok, roomId: undefined }).expect(400)).body.detail).toContain('telehealth');
      await book(clinic.coordinator, { ...ok, kind: 'massage' }).expect(400);
      await book(clinic.coordinator, { ...ok, extra: 1 }).expect(400);
      await book(clinic.coordinator, { ...ok, startsAt: '2031-03-03 10:00' }).expect(400);
      await api(kit, clinic.coordinator).post(`/appointments/not-a-uuid/cancellation`, { reason: 'x' }).expect(400);
      await api(kit, clinic.coordinator).post(`/appointments/${crypto.randomUUID()}/cancellation`, { reason: '' }).expect(400);
      await api(kit, clinic.coordinator).post(`/appointments/${crypto.randomUUID()}/cancellation`, { reason: 'x', cancelledBy: 'nobody' }).expect(400);
      await api(kit, clinic.coordinator).post(`/appointments/${crypto.randomUUID()}/reschedule`, { startsAt: 'soon' }).expect(400);
      expect(await count()).toBe(before);
    });
  });

  describe('site isolation', () => {
    it("another site's staff neither book here (403) nor read an appointment (404), and row-level security hides it with the guard bypassed", async () => {
      const other = await aClinic(kit);
      const patient = await admit(kit, clinic.siteId);
      const res = await book(clinic.coordinator, { patientId: patient.patientId, clinicianId, roomId, kind: 'case-management', ...at(7, 10) }).expect(201);
      await book(other.coordinator, { patientId: patient.patientId, clinicianId, roomId, kind: 'case-management', ...at(7, 12) }).expect(403);
      const read = await api(kit, other.coordinator).get(`/appointments/${res.body.appointmentId}`).expect(404);
      expect(JSON.stringify(read.body)).not.toContain(patient.patientId);
      await api(kit, other.coordinator).post(`/appointments/${res.body.appointmentId}/cancellation`, { reason: 'x' }).expect(404);
      const rows = await inScopedTransaction(kit.app.get(DataSource), sitesScope([other.siteId]), (m) =>
        m.query(
          `SELECT appointment_id FROM appointments UNION ALL SELECT enrolment_id FROM enrolments WHERE patient_id = $1
           UNION ALL SELECT plan_id FROM treatment_plans WHERE patient_id = $1 UNION ALL SELECT plan_id FROM treatment_plan_versions
           UNION ALL SELECT source_id FROM commitments WHERE holder_id = $1`,
          [patient.patientId],
        ),
      );
      expect(rows).toEqual([]);
    });
  });
});
