import { BillableDayRecorded, CoverageVerified } from '@iop/contracts';
import { eventually } from '@iop/testing';
import type * as Kit from './attendance-test-kit';

/*
 * Per-payer per-diem days end to end: insurance's coverage-verified tells attendance each patient's payer, and the
 * payer's rule (ATTENDANCE_PAYER_PER_DIEM, read when the service starts) bills the day: a payer counting half days
 * gets a per-diem day from 1.5 h, in half-day units, and the day again with two units once it reaches 3 h. A payer
 * without a rule keeps the program's minimum.
 */

// The rules must be in the environment before the service's modules load: the kit is imported once they are.
process.env['ATTENDANCE_PAYER_PER_DIEM'] = JSON.stringify([{ payerId: 'half-day-payer', minimumMinutes: 180, unit: 'half-day' }]);

describe("attendance: a payer's per-diem rule", () => {
  let kit: Kit.AttendanceKit;
  let k: typeof Kit;
  beforeAll(async () => {
    k = await import('./attendance-test-kit');
    kit = await k.startAttendance();
  });
  afterAll(async () => {
    await kit?.close();
  });

  const coverage = (clinic: Kit.Clinic, patient: Kit.Patient, payerId: string) =>
    k.publish(kit.producer, CoverageVerified, {
      requestId: crypto.randomUUID(),
      patientId: patient.patientId,
      siteId: clinic.siteId,
      verificationId: crypto.randomUUID(),
      payerId,
      authorizationRequired: true,
      carveOut: false,
      method: 'electronic',
      occurredAt: new Date().toISOString(),
    });

  it('a half-day payer bills 1 h 40 min as a half day and 3 h 10 min as two units; a payer without a rule bills discrete lines, then one day', async () => {
    const days = await kit.eventsOf(BillableDayRecorded);
    const clinic = await k.aClinic(kit);
    const morning = '2026-08-04T16:00:00Z';
    const late = '2026-08-04T18:00:00Z';
    const first = await k.scheduleSession(kit, clinic, morning, 100, '2026-08-04');
    const second = await k.scheduleSession(kit, clinic, late, 90, '2026-08-04');
    const [half, other] = [await k.aPatientIn(kit, clinic, [first, second]), await k.aPatientIn(kit, clinic, [first, second])];
    await k.rosterReady(kit, [first, second], [half!, other!]);
    await coverage(clinic, half!, 'half-day-payer');
    await coverage(clinic, other!, 'payer-without-rule');
    await eventually(async () =>
      expect(await kit.infra.adminQuery(`SELECT 1 FROM attendance.patient_payers WHERE site_id = $1`, [clinic.siteId])).toHaveLength(2),
    );

    const staff = k.api(kit, clinic.staff);
    const attend = async (sessionId: string, patientId: string, start: string, minutes: number) => {
      await staff.post(`/sessions/${sessionId}/check-ins`, { patientId, at: start }).expect(201);
      await staff.post(`/sessions/${sessionId}/check-outs`, { patientId, at: k.minutesAfter(start, minutes) }).expect(200);
    };
    const charges = async (patientId: string) => {
      const res = await k.api(kit, clinic.billing).get(`/sites/${clinic.siteId}/charges?from=2026-08-04&to=2026-08-04`).expect(200);
      return (res.body.charges as Array<{ patientId: string; kind: string; code: string; units: number; minutes: number }>)
        .filter((c) => c.patientId === patientId)
        .map((c) => [c.kind, c.code, c.units, c.minutes]);
    };

    await attend(first, half!.patientId, morning, 100);
    await attend(first, other!.patientId, morning, 100);
    expect(await charges(half!.patientId)).toEqual([['per-diem', 'H0015', 1, 100]]);
    expect(await charges(other!.patientId)).toEqual([['discrete', '90853', 1, 100]]);

    await attend(second, half!.patientId, late, 90);
    await attend(second, other!.patientId, late, 90);
    expect(await charges(half!.patientId)).toEqual([['per-diem', 'H0015', 2, 190]]);
    expect(await charges(other!.patientId)).toEqual([['per-diem', 'H0015', 1, 190]]);

    await eventually(() => expect(days.filter((d) => d.siteId === clinic.siteId)).toHaveLength(3), { timeoutMs: 30_000 });
    const ofPatient = (patientId: string) => days.filter((d) => d.patientId === patientId).map((d) => [d.revision, d.units, d.payerUnits, d.attendedMinutes]);
    // The half day, then the same day again with two units (insurance replaces the day's units); the other payer's day once.
    expect(ofPatient(half!.patientId)).toEqual([
      [1, 1, 1, 100],
      [2, 1, 2, 190],
    ]);
    expect(ofPatient(other!.patientId)).toEqual([[1, 1, 1, 190]]);
  });
});
