import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import request from 'supertest';
import { AttendanceRecorded, PatientAdmitted, ProgramDefined, SiteRegistered, type EventDefinition, type PayloadOf } from '@iop/contracts';
import { createKafka } from '@iop/messaging';
import type { z } from 'zod';
import {
  EventReaders,
  deliverEvent,
  encodeEventMessage,
  eventually,
  publishEvent,
  quietLogger,
  startService,
  tokenFor,
  uniqueName,
  useTestInfrastructure,
  type TestInfrastructure,
} from '@iop/testing';
import { AftercareModule } from '../src/aftercare.module';

/*
 * The aftercare service in-process, with a producer standing in for intake, scheduling and attendance (which are not
 * started): their events are published onto Kafka as their relays would. Generic: discharge, alumni and follow-up tests
 * build their own helpers on these.
 */

export interface AftercareKit {
  readonly infra: TestInfrastructure;
  readonly app: INestApplication;
  readonly producer: Producer;
  /** Every event of this type on its topic from the beginning (the array fills as they arrive). */
  eventsOf<D extends EventDefinition>(definition: D): Promise<Array<PayloadOf<D>>>;
  close(): Promise<void>;
}

export async function startAftercare(env: Record<string, string> = {}): Promise<AftercareKit> {
  const infra = await useTestInfrastructure();
  Object.assign(process.env, env);
  const app = await startService(AftercareModule, 'aftercare');
  const kafka: Kafka = createKafka(uniqueName('aftercare-test'), quietLogger());
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
      for (const key of Object.keys(env)) Reflect.deleteProperty(process.env, key);
    },
  };
}

/** Publishes another service's event as its relay would; returns the event id. */
export const publish = publishEvent;

/** The same event (same id) delivered twice at once, as a relay that crashed before marking it sent would. */
export async function publishTwice<D extends EventDefinition>(producer: Producer, definition: D, payload: z.infer<D['schema']>): Promise<void> {
  await deliverEvent(producer, encodeEventMessage(definition, payload), 2);
}

export const api = (kit: AftercareKit, token: string) => {
  const server = () => request(kit.app.getHttpServer());
  const auth = (r: request.Test) => r.set('authorization', `Bearer ${token}`);
  return {
    get: (path: string) => auth(server().get(path)),
    post: (path: string, body?: object) => auth(server().post(path)).send(body),
    put: (path: string, body: object) => auth(server().put(path)).send(body),
    patch: (path: string, body: object) => auth(server().patch(path)).send(body),
    delete: (path: string) => auth(server().delete(path)),
  };
};

export const count = async (kit: AftercareKit, sql: string, params: unknown[] = []) =>
  Number((await kit.infra.adminQuery<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params))[0]!.n);

/** A local date so many days from today (UTC's today; keep a day's margin when the site's zone matters). */
export const daysFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

export interface Site {
  readonly siteId: string;
  readonly timeZone: string;
  /** A clinician's token for this site. */
  readonly clinician: string;
}

/** A site as scheduling registers it; resolves once aftercare's site directory has it. */
export async function aSite(kit: AftercareKit, timeZone = 'America/New_York'): Promise<Site> {
  const siteId = crypto.randomUUID();
  await publish(kit.producer, SiteRegistered, {
    siteId,
    name: uniqueName('Clinic'),
    address: { line1: '1 Harbor Way', city: 'Boston', state: 'MA', postalCode: '02110' },
    timeZone,
    capacity: 30,
    revision: 1,
    occurredAt: new Date().toISOString(),
  });
  await eventually(async () => expect(await count(kit, `aftercare.site_directory WHERE site_id = $1`, [siteId])).toBe(1));
  return { siteId, timeZone, clinician: await tokenFor('clinician', [siteId]) };
}

/** A program scheduling defined at the site; resolves once aftercare knows it. */
export async function aProgram(kit: AftercareKit, site: Site, levelOfCare: '1' | '2.1' | '2.5' = '1'): Promise<string> {
  const programId = crypto.randomUUID();
  await publish(kit.producer, ProgramDefined, {
    programId,
    siteId: site.siteId,
    kind: 'substance-use',
    population: 'adult',
    levelOfCare,
    minWeeklyMinutes: levelOfCare === '1' ? 0 : 540,
    maxWeeklyMinutes: levelOfCare === '2.5' ? null : 1140,
    perDiemMinimumMinutes: 180,
    defaultLengthWeeks: 10,
    revision: 1,
    occurredAt: new Date().toISOString(),
  });
  await eventually(async () => expect(await count(kit, `aftercare.programs WHERE program_id = $1`, [programId])).toBe(1));
  return programId;
}

export type Admission = PayloadOf<typeof PatientAdmitted>;

/** An admission as intake publishes it (`intake.patient-admitted`); resolves once aftercare has the episode. */
export async function admit(kit: AftercareKit, site: Site, overrides: Partial<Admission> = {}): Promise<Admission> {
  const admission: Admission = {
    episodeId: crypto.randomUUID(),
    patientId: crypto.randomUUID(),
    referralId: crypto.randomUUID(),
    siteId: site.siteId,
    programType: 'substance-use',
    levelOfCare: '2.1',
    plannedWeeklyHours: 9,
    plannedStart: daysFromToday(-30),
    occurredAt: new Date().toISOString(),
    ...overrides,
  } as Admission;
  await publish(kit.producer, PatientAdmitted, admission);
  await eventually(async () => expect(await count(kit, `aftercare.episodes WHERE episode_id = $1`, [admission.episodeId])).toBe(1));
  return admission;
}

export type Attendance = PayloadOf<typeof AttendanceRecorded>;

/** One attendance record of the patient's, as attendance publishes it (does not wait). */
export function anAttendance(admission: Admission, overrides: Partial<Attendance> = {}): Attendance {
  return {
    recordId: crypto.randomUUID(),
    sessionId: crypto.randomUUID(),
    patientId: admission.patientId,
    episodeId: admission.episodeId,
    siteId: admission.siteId,
    programId: null,
    sessionKind: 'group',
    serviceDate: daysFromToday(-7),
    status: 'attended',
    scheduledMinutes: 180,
    attendedMinutes: 180,
    lateMinutes: 0,
    earlyMinutes: 0,
    revision: 1,
    source: 'staff',
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}
