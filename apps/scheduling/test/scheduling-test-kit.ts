import type { INestApplication } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import request from 'supertest';
import type { EventDefinition, PayloadOf } from '@iop/contracts';
import { createKafka } from '@iop/messaging';
import { EventReaders, aSiteRegistration, quietLogger, startService, tokenFor, uniqueName, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { SchedulingModule } from '../src/scheduling.module';

export interface SchedulingKit {
  readonly infra: TestInfrastructure;
  readonly app: INestApplication;
  readonly admin: string;
  /** Every event of this type scheduling publishes, read from Kafka as a downstream consumer would. */
  eventsOf<D extends EventDefinition>(definition: D): Promise<Array<PayloadOf<D>>>;
  close(): Promise<void>;
}

export async function startScheduling(env: Record<string, string> = {}): Promise<SchedulingKit> {
  const infra = await useTestInfrastructure();
  Object.assign(process.env, env);
  const app = await startService(SchedulingModule, 'scheduling');
  const kafka: Kafka = createKafka(uniqueName('scheduling-test'), quietLogger());
  const readers = new EventReaders(kafka);
  return {
    infra,
    app,
    admin: await tokenFor('network_admin'),
    eventsOf: (definition) => readers.eventsOf(definition),
    async close() {
      await readers.close();
      await app?.close();
      for (const key of Object.keys(env)) Reflect.deleteProperty(process.env, key);
    },
  };
}

export type Call = (method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object) => request.Test;

/** Requests as one caller. */
export function as(kit: SchedulingKit, token: string): Call {
  return (method, path, body) => {
    const req = request(kit.app.getHttpServer())[method](path).set('authorization', `Bearer ${token}`);
    return body ? req.send(body) : req;
  };
}

export interface Clinic {
  readonly siteId: string;
  readonly siteName: string;
  readonly timeZone: string;
  readonly siteAdmin: string;
  readonly call: Call;
  readonly programId: string;
  /** Two clinicians who may lead the program, one who may not. */
  readonly therapists: [string, string];
  readonly outsider: string;
  readonly groupRoom: string;
  readonly smallRoom: string;
  readonly secondRoom: string;
}

/** A site in the zone, with a 2.1 adult SUD program, clinicians allowed to lead it and rooms. */
export async function aClinic(kit: SchedulingKit, timeZone = 'America/New_York', program: Record<string, unknown> = {}): Promise<Clinic> {
  const site = (await as(kit, kit.admin)('post', '/sites', aSiteRegistration({ timeZone })).expect(201)).body as { siteId: string; name: string };
  const siteAdmin = await tokenFor('site_admin', [site.siteId]);
  const call = as(kit, siteAdmin);
  const { programId } = (
    await call('post', `/sites/${site.siteId}/programs`, {
      name: 'Evening SUD',
      kind: 'substance-use',
      population: 'adult',
      levelOfCare: '2.1',
      ...program,
    }).expect(201)
  ).body as { programId: string };
  const clinician = async (name: string, programIds: string[]) =>
    (
      (await call('post', `/sites/${site.siteId}/clinicians`, { subject: uniqueName(name), displayName: name, roles: ['therapist'], programIds }).expect(201))
        .body as {
        clinicianId: string;
      }
    ).clinicianId;
  const room = async (name: string, capacity: number) =>
    ((await call('post', `/sites/${site.siteId}/rooms`, { name, capacity }).expect(201)).body as { roomId: string }).roomId;
  return {
    siteId: site.siteId,
    siteName: site.name,
    timeZone,
    siteAdmin,
    call,
    programId,
    therapists: [await clinician('Dana Reyes', [programId]), await clinician('Sam Okafor', [programId])],
    outsider: await clinician('Lee Park', []),
    groupRoom: await room('Group room A', 12),
    smallRoom: await room('Office 3', 4),
    secondRoom: await room('Group room B', 12),
  };
}

/** A track body: Mon/Tue/Thu 18:00, three 60-minute groups (9 h a week), led by the clinic's first therapist. */
export function aTrack(clinic: Clinic, overrides: Record<string, unknown> = {}) {
  const session = (topic: string) => ({
    topic,
    modality: 'CBT group',
    durationMinutes: 60,
    leaderId: clinic.therapists[0],
    roomId: clinic.groupRoom,
    capacity: 10,
  });
  return {
    programId: clinic.programId,
    name: uniqueName('Evening SUD adults'),
    recurrence: 'FREQ=WEEKLY;BYDAY=MO,TU,TH',
    startsOn: inDays(1),
    blockStart: '18:00',
    sessions: [session('Relapse prevention'), session('Coping skills'), session('Process group')],
    ...overrides,
  };
}

/** A local date so many days from today (UTC's today: tests keep a day's margin either side). */
export function inDays(days: number): string {
  return new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

export interface SessionItem {
  sessionId: string;
  trackId: string;
  startsAt: string;
  endsAt: string;
  localStart: string;
  localDate: string;
  status: string;
  leaderId: string;
  roomId: string;
  position: number;
  bookedSeats: number;
  cancelReason: string | null;
}

/** Every session of the site between two local dates, following the cursor page by page. */
export async function sessionsOf(clinic: Clinic, from: string, to: string, limit = 100): Promise<SessionItem[]> {
  const all: SessionItem[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `from=${from}&to=${to}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await clinic.call('get', `/sites/${clinic.siteId}/sessions?${query}`).expect(200)).body as {
      items: SessionItem[];
      nextCursor: string | null;
    };
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}
