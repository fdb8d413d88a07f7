import { DataSource } from 'typeorm';
import { DateTime } from 'luxon';
import { Outbox } from '@iop/messaging';
import { quietLogger } from '@iop/testing';
import { ReminderSweep } from '../src/application/reminders';
import { aClinic, aClinician, admit, api, startScheduling, type SchedulingKit } from './support/scheduling-kit';

describe('reminders before each commitment', () => {
  let kit: SchedulingKit;

  beforeAll(async () => {
    kit = await startScheduling({ REMINDER_INTERVAL_MS: String(60 * 60 * 1000) });
  });
  afterAll(async () => kit?.close());

  const anAppointmentIn = async (hours: number) => {
    const clinic = await aClinic(kit);
    const clinicianId = await aClinician(kit, clinic.siteId);
    const patient = await admit(kit, clinic.siteId);
    const start = DateTime.now().plus({ hours }).startOf('minute');
    const res = await api(kit, clinic.coordinator)
      .post(`/sites/${clinic.siteId}/appointments`, {
        patientId: patient.patientId,
        clinicianId,
        telehealth: true,
        kind: 'individual-therapy',
        startsAt: start.toISO(),
        endsAt: start.plus({ minutes: 50 }).toISO(),
      })
      .expect(201);
    return { clinic, patient, clinicianId, appointmentId: res.body.appointmentId as string };
  };
  const remindersOf = (sourceId: string) =>
    kit.infra.adminQuery<{ holder: string; lead: string; n: number }>(
      `SELECT payload->>'holderKind' AS holder, payload->>'lead' AS lead, count(*)::int AS n FROM scheduling.outbox
        WHERE type = 'scheduling.reminder-due' AND payload->>'sourceId' = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [sourceId],
    );

  it('a commitment 23 hours ahead gets exactly one 24-hour reminder per person, however often and however many instances run', async () => {
    const { appointmentId, patient } = await anAppointmentIn(23);
    const one = kit.app.get(ReminderSweep);
    const another = new ReminderSweep(kit.app.get(DataSource), kit.app.get(Outbox), quietLogger());
    const now = new Date();
    await Promise.all([one.runOnce(now), another.runOnce(now), one.runOnce(now), another.runOnce(now)]);
    await one.runOnce(new Date());
    expect(await remindersOf(appointmentId)).toEqual([
      { holder: 'clinician', lead: '24h', n: 1 },
      { holder: 'patient', lead: '24h', n: 1 },
    ]);
    const [event] = await kit.infra.adminQuery<{ key: string; payload: Record<string, unknown> }>(
      `SELECT key, payload FROM scheduling.outbox WHERE type = 'scheduling.reminder-due' AND payload->>'holderId' = $1`,
      [patient.patientId],
    );
    expect(event!.key).toBe(patient.patientId);
    expect(Object.keys(event!.payload).sort()).toEqual([
      'holderId',
      'holderKind',
      'lead',
      'occurredAt',
      'reminderId',
      'siteId',
      'sourceId',
      'sourceKind',
      'startsAt',
    ]);
  });

  it('the 2-hour reminder comes when its time comes, once; something an hour away gets only that one', async () => {
    const { appointmentId } = await anAppointmentIn(23);
    const sweep = kit.app.get(ReminderSweep);
    await sweep.runOnce(new Date());
    const later = new Date(Date.now() + 21.5 * 60 * 60 * 1000);
    await sweep.runOnce(later);
    await sweep.runOnce(later);
    expect(await remindersOf(appointmentId)).toEqual([
      { holder: 'clinician', lead: '24h', n: 1 },
      { holder: 'clinician', lead: '2h', n: 1 },
      { holder: 'patient', lead: '24h', n: 1 },
      { holder: 'patient', lead: '2h', n: 1 },
    ]);
    const soon = await anAppointmentIn(1);
    await sweep.runOnce(new Date());
    expect((await remindersOf(soon.appointmentId)).map((r) => r.lead)).toEqual(['2h', '2h']);
  });

  it('nothing for what is more than 24 hours away, and a rescheduled appointment is reminded of its new time', async () => {
    const { appointmentId, clinic } = await anAppointmentIn(30);
    const sweep = kit.app.get(ReminderSweep);
    await sweep.runOnce(new Date());
    expect(await remindersOf(appointmentId)).toEqual([]);
    const moved = DateTime.now().plus({ hours: 20 }).startOf('minute');
    await api(kit, clinic.coordinator)
      .post(`/appointments/${appointmentId}/reschedule`, { startsAt: moved.toISO(), endsAt: moved.plus({ minutes: 50 }).toISO() })
      .expect(200);
    await sweep.runOnce(new Date());
    expect((await remindersOf(appointmentId)).map((r) => r.n)).toEqual([1, 1]);
  });
});
