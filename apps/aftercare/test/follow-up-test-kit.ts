import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import request from 'supertest';
import { PatientAdmitted, PatientDischarged, SiteRegistered, type EventDefinition, type PayloadOf } from '@iop/contracts';
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
import { AftercareModule } from '../src/aftercare.module';
import { FollowUpSweep } from '../src/application/follow-up.use-cases';

export interface FollowUpKit {
  readonly infra: TestInfrastructure;
  readonly app: INestApplication;
  readonly producer: Producer;
  /** The follow-up clock, run by hand at a chosen instant (its own timer is set to an hour so it never interferes). */
  readonly sweep: FollowUpSweep;
  /** Every event of this type on its topic from the beginning; the array fills as they arrive. */
  eventsOf<D extends EventDefinition>(definition: D): Promise<Array<PayloadOf<D>>>;
  close(): Promise<void>;
}

/** The aftercare service in-process, and a producer standing in for scheduling, intake and the discharge module. */
export async function startFollowUps(): Promise<FollowUpKit> {
  const infra = await useTestInfrastructure();
  process.env['FOLLOW_UP_SWEEP_INTERVAL_MS'] = String(60 * 60 * 1000);
  const app = await startService(AftercareModule, 'aftercare');
  const kafka: Kafka = createKafka(uniqueName('aftercare-test'), quietLogger());
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
  await producer.connect();
  const readers = new EventReaders(kafka);
  return {
    infra,
    app,
    producer,
    sweep: app.get(FollowUpSweep),
    eventsOf: (definition) => readers.eventsOf(definition),
    async close() {
      await readers.close();
      await producer.disconnect().catch(() => undefined);
      await app.close();
    },
  };
}

export const api = (kit: FollowUpKit, token: string) => ({
  get: (path: string) => request(kit.app.getHttpServer()).get(path).set('authorization', `Bearer ${token}`),
  post: (path: string, body: object = {}) => request(kit.app.getHttpServer()).post(path).set('authorization', `Bearer ${token}`).send(body),
  put: (path: string, body: object) => request(kit.app.getHttpServer()).put(path).set('authorization', `Bearer ${token}`).send(body),
});

export interface Site {
  readonly siteId: string;
  readonly timeZone: string;
  /** A clinician of this site. */
  readonly staff: string;
}

/** A site as scheduling registers it; resolves once aftercare's site directory has it. */
export async function aSite(kit: FollowUpKit, timeZone = 'America/Los_Angeles'): Promise<Site> {
  const siteId = crypto.randomUUID();
  await publishEvent(kit.producer, SiteRegistered, {
    siteId,
    name: uniqueName('Clinic'),
    address: { line1: '1 Harbor Way', city: 'Oakland', state: 'CA', postalCode: '94607' },
    timeZone,
    capacity: 30,
    revision: 1,
    occurredAt: new Date().toISOString(),
  });
  await eventually(async () => {
    expect(await kit.infra.adminQuery(`SELECT 1 FROM aftercare.site_directory WHERE site_id = $1`, [siteId])).toHaveLength(1);
  });
  return { siteId, timeZone, staff: await tokenFor('clinician', [siteId]) };
}

export type Discharge = PayloadOf<typeof PatientDischarged>;

/** A signed discharge as the discharge module publishes it (not waited for). */
export function aDischarge(site: Site, overrides: Partial<Discharge> = {}): Discharge {
  return {
    dischargeId: crypto.randomUUID(),
    episodeId: crypto.randomUUID(),
    patientId: crypto.randomUUID(),
    siteId: site.siteId,
    type: 'completed',
    reasonCode: 'goals-met',
    admittedOn: '2026-01-05',
    dischargedOn: '2026-03-02',
    stepDown: null,
    stepUp: null,
    transferToSiteId: null,
    signedAt: new Date().toISOString(),
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

export async function discharge(kit: FollowUpKit, payload: Discharge): Promise<Discharge> {
  await publishEvent(kit.producer, PatientDischarged, payload);
  return payload;
}

export interface FollowUpRow {
  follow_up_id: string;
  day_offset: number;
  due_on: string;
  due_at: Date;
  overdue_at: Date;
  state: string;
}

/** The episode's follow-ups as stored, once `count` of them are there. */
export async function followUpsOf(kit: FollowUpKit, episodeId: string, count = 3): Promise<FollowUpRow[]> {
  return eventually(async () => {
    const rows = await kit.infra.adminQuery<FollowUpRow>(
      `SELECT follow_up_id, day_offset, due_on::text AS due_on, due_at, overdue_at, state FROM aftercare.follow_ups WHERE episode_id = $1 ORDER BY day_offset`,
      [episodeId],
    );
    expect(rows).toHaveLength(count);
    return rows;
  });
}

/** intake.patient-admitted for a patient, on a site-local day (noon there). */
export async function admit(kit: FollowUpKit, site: Site, patientId: string, admittedAt: string, extra: Record<string, unknown> = {}): Promise<string> {
  const episodeId = crypto.randomUUID();
  await publishEvent(kit.producer, PatientAdmitted, {
    episodeId,
    patientId,
    referralId: crypto.randomUUID(),
    siteId: site.siteId,
    programType: 'substance-use',
    levelOfCare: '2.1',
    plannedWeeklyHours: 9,
    plannedStart: admittedAt.slice(0, 10),
    occurredAt: admittedAt,
    ...extra,
  } as PayloadOf<typeof PatientAdmitted>);
  return episodeId;
}

/** Counts rows of an aftercare table as the administrator (bypassing row-level security). */
export async function countRows(kit: FollowUpKit, table: string, where = 'TRUE', params: unknown[] = []): Promise<number> {
  const [row] = await kit.infra.adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM aftercare.${table} WHERE ${where}`, params);
  return row!.n;
}
