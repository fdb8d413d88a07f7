import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import request from 'supertest';
import {
  ProgramDefined,
  SeatsBooked,
  SessionScheduled,
  SiteRegistered,
  TreatmentPlanUpdated,
  EnrolmentChanged,
  type EventDefinition,
  type PayloadOf,
} from '@iop/contracts';
import { createKafka } from '@iop/messaging';
import {
  EventReaders,
  eventually,
  publishEvent,
  quietLogger,
  startService,
  tokenFor,
  uniqueName,
  useTestInfrastructure,
  type TestInfrastructure,
} from '@iop/testing';
import { AttendanceModule } from '../src/attendance.module';

export const WEBHOOK_SECRET = 'test-telehealth-secret';

export interface AttendanceKit {
  readonly infra: TestInfrastructure;
  readonly app: INestApplication;
  readonly producer: Producer;
  /** Every event of this type attendance publishes from now on (read from the beginning of its topic). */
  eventsOf<D extends EventDefinition>(definition: D): Promise<Array<PayloadOf<D>>>;
  close(): Promise<void>;
}

/** The attendance service in-process and a producer standing in for scheduling (scheduling itself is not started). */
export async function startAttendance(): Promise<AttendanceKit> {
  const infra = await useTestInfrastructure();
  process.env['TELEHEALTH_WEBHOOK_SECRET'] = WEBHOOK_SECRET;
  const app = await startService(AttendanceModule, 'attendance');
  const kafka: Kafka = createKafka(uniqueName('attendance-test'), quietLogger());
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
  await producer.connect();
  const readers = new EventReaders(kafka);
  return {
    infra,
    app,
    producer,
    eventsOf: (definition) => readers.eventsOf(definition),
    async close() {
      await readers.close();
      await producer.disconnect().catch(() => undefined);
      await app?.close();
    },
  };
}

/** One of scheduling's events, as scheduling's outbox relay publishes it (a CloudEvent on its topic). */
/** Publishes an event as its producer would; see `publishEvent`. */
export const publish = publishEvent;

export const api = (kit: AttendanceKit, token: string) => ({
  post: (path: string, body: object) => request(kit.app.getHttpServer()).post(path).set('authorization', `Bearer ${token}`).send(body),
  get: (path: string) => request(kit.app.getHttpServer()).get(path).set('authorization', `Bearer ${token}`),
});

export interface Clinic {
  readonly siteId: string;
  readonly timeZone: string;
  readonly staff: string;
  readonly billing: string;
  readonly programId: string;
}

/** A site, as scheduling registers it, and a program with its per-diem minimum; resolves once attendance knows both. */
export async function aClinic(
  kit: AttendanceKit,
  options: { timeZone?: string; kind?: 'substance-use' | 'mental-health' | 'co-occurring'; perDiemMinimumMinutes?: number; minWeeklyMinutes?: number } = {},
): Promise<Clinic> {
  const siteId = crypto.randomUUID();
  const timeZone = options.timeZone ?? 'America/Los_Angeles';
  const now = new Date().toISOString();
  await publish(kit.producer, SiteRegistered, {
    siteId,
    name: uniqueName('Clinic'),
    address: { line1: '1 Harbor Way', city: 'Oakland', state: 'CA', postalCode: '94607' },
    timeZone,
    capacity: 30,
    revision: 1,
    occurredAt: now,
  });
  const programId = crypto.randomUUID();
  await publish(kit.producer, ProgramDefined, {
    programId,
    siteId,
    kind: options.kind ?? 'substance-use',
    population: 'adult',
    levelOfCare: '2.1',
    minWeeklyMinutes: options.minWeeklyMinutes ?? 540,
    maxWeeklyMinutes: 1140,
    perDiemMinimumMinutes: options.perDiemMinimumMinutes ?? 180,
    defaultLengthWeeks: 12,
    revision: 1,
    occurredAt: now,
  });
  await eventually(async () => {
    expect(await kit.infra.adminQuery(`SELECT 1 FROM attendance.site_directory WHERE site_id = $1`, [siteId])).toHaveLength(1);
    expect(await kit.infra.adminQuery(`SELECT 1 FROM attendance.programs WHERE program_id = $1`, [programId])).toHaveLength(1);
  });
  return { siteId, timeZone, programId, staff: await tokenFor('clinician', [siteId]), billing: await tokenFor('insurance_coordinator', [siteId]) };
}

/** A group session as scheduling publishes it; does not wait (seats may come first). */
export async function scheduleSession(
  kit: AttendanceKit,
  clinic: Clinic,
  startsAt: string,
  minutes: number,
  localDate: string,
  overrides: Partial<PayloadOf<typeof SessionScheduled>> = {},
): Promise<string> {
  const sessionId = overrides.sessionId ?? crypto.randomUUID();
  await publish(kit.producer, SessionScheduled, {
    sessionId,
    trackId: crypto.randomUUID(),
    programId: clinic.programId,
    siteId: clinic.siteId,
    kind: 'group',
    startsAt,
    endsAt: new Date(new Date(startsAt).getTime() + minutes * 60_000).toISOString(),
    localDate,
    leaderId: crypto.randomUUID(),
    coLeaderId: null,
    roomId: crypto.randomUUID(),
    capacity: 12,
    delivery: 'in-person',
    revision: 1,
    occurredAt: new Date().toISOString(),
    ...overrides,
  });
  return sessionId;
}

export interface Patient {
  readonly patientId: string;
  readonly enrolmentId: string;
  readonly episodeId: string;
}

/** A patient placed in the clinic's program with a plan, holding seats in these sessions (through Kafka). */
export async function aPatientIn(kit: AttendanceKit, clinic: Clinic, sessionIds: string[], weeklyGroupMinutes = 540): Promise<Patient> {
  const patient = { patientId: crypto.randomUUID(), enrolmentId: crypto.randomUUID(), episodeId: crypto.randomUUID() };
  const now = new Date().toISOString();
  await publish(kit.producer, EnrolmentChanged, {
    ...patient,
    siteId: clinic.siteId,
    change: 'placed',
    trackId: crypto.randomUUID(),
    programId: clinic.programId,
    effectiveFrom: '2026-01-05',
    occurredAt: now,
  });
  await publish(kit.producer, TreatmentPlanUpdated, {
    planId: crypto.randomUUID(),
    ...patient,
    siteId: clinic.siteId,
    version: 1,
    weeklyGroupMinutes,
    individualPerWeek: 1,
    familyPerMonth: 0,
    psychiatricPerMonth: 1,
    effectiveFrom: '2026-01-05',
    nextReviewOn: '2026-12-31',
    occurredAt: now,
  });
  if (sessionIds.length > 0) await bookSeats(kit, clinic, patient, sessionIds);
  return patient;
}

export async function bookSeats(kit: AttendanceKit, clinic: Clinic, patient: Patient, sessionIds: string[]): Promise<void> {
  await publish(kit.producer, SeatsBooked, { ...patient, siteId: clinic.siteId, sessionIds, occurredAt: new Date().toISOString() });
}

/** Resolves once attendance's roster has every session and every seat. */
export async function rosterReady(kit: AttendanceKit, sessionIds: string[], patients: Patient[]): Promise<void> {
  await eventually(async () => {
    const sessions = await kit.infra.adminQuery(`SELECT 1 FROM attendance.sessions WHERE session_id = ANY($1::uuid[])`, [sessionIds]);
    expect(sessions).toHaveLength(sessionIds.length);
    const seats = await kit.infra.adminQuery(
      `SELECT 1 FROM attendance.seats WHERE session_id = ANY($1::uuid[]) AND patient_id = ANY($2::uuid[]) AND state = 'booked'`,
      [sessionIds, patients.map((p) => p.patientId)],
    );
    expect(seats.length).toBeGreaterThanOrEqual(sessionIds.length);
    const plans = await kit.infra.adminQuery(`SELECT 1 FROM attendance.enrolments WHERE enrolment_id = ANY($1::uuid[]) AND plan_version > 0`, [
      patients.map((p) => p.enrolmentId),
    ]);
    expect(plans).toHaveLength(patients.length);
  });
}

export const minutesAfter = (iso: string, minutes: number) => new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();
