import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import { DateTime } from 'luxon';
import request from 'supertest';
import type { z } from 'zod';
import { PatientAdmitted, type EventDefinition, type PayloadOf } from '@iop/contracts';
import { createKafka, encodeEvent } from '@iop/messaging';
import { aSiteRegistration, eventually, quietLogger, startService, tokenFor, uniqueName, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { SchedulingModule } from '../../src/scheduling.module';
import { blocksBetween } from '../../src/domain/recurrence';

export interface SchedulingKit {
  readonly infra: TestInfrastructure;
  readonly app: INestApplication;
  readonly producer: Producer;
  readonly admin: string;
  close(): Promise<void>;
}

/** Scheduling in-process with a Kafka producer standing in for intake. */
export async function startScheduling(env: Record<string, string> = {}): Promise<SchedulingKit> {
  const infra = await useTestInfrastructure();
  Object.assign(process.env, env);
  const app = await startService(SchedulingModule, 'scheduling');
  const kafka: Kafka = createKafka(uniqueName('scheduling-test'), quietLogger());
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
  await producer.connect();
  return {
    infra,
    app,
    producer,
    admin: await tokenFor('network_admin'),
    async close() {
      await producer.disconnect().catch(() => undefined);
      await app?.close();
      for (const key of Object.keys(env)) Reflect.deleteProperty(process.env, key);
    },
  };
}

export async function publish<D extends EventDefinition>(producer: Producer, definition: D, payload: z.infer<D['schema']>): Promise<void> {
  const event = encodeEvent(definition, payload, `/iop/${definition.producer}`, {});
  await producer.send({ topic: definition.topic, acks: -1, messages: [{ key: event.key, value: JSON.stringify(event.payload), headers: event.headers }] });
}

export const api = (kit: SchedulingKit, token: string) => ({
  post: (path: string, body: object) => request(kit.app.getHttpServer()).post(path).set('authorization', `Bearer ${token}`).send(body),
  put: (path: string, body: object) => request(kit.app.getHttpServer()).put(path).set('authorization', `Bearer ${token}`).send(body),
  get: (path: string) => request(kit.app.getHttpServer()).get(path).set('authorization', `Bearer ${token}`),
});

export interface Clinic {
  readonly siteId: string;
  readonly name: string;
  readonly timeZone: string;
  /** A coordinator and a clinician of this site only. */
  readonly coordinator: string;
  readonly clinician: string;
}

export async function aClinic(kit: SchedulingKit, timeZone = 'America/New_York'): Promise<Clinic> {
  const body = aSiteRegistration({ timeZone });
  const res = await api(kit, kit.admin).post('/sites', body).expect(201);
  const siteId = (res.body as { siteId: string }).siteId;
  return {
    siteId,
    name: body.name,
    timeZone,
    coordinator: await tokenFor('intake_coordinator', [siteId]),
    clinician: await tokenFor('clinician', [siteId]),
  };
}

export function anAdmission(siteId: string, overrides: Partial<PayloadOf<typeof PatientAdmitted>> = {}): PayloadOf<typeof PatientAdmitted> {
  return {
    episodeId: crypto.randomUUID(),
    patientId: crypto.randomUUID(),
    referralId: crypto.randomUUID(),
    siteId,
    programType: 'substance-use',
    levelOfCare: '2.1',
    plannedWeeklyHours: 9,
    plannedStart: DateTime.now().toISODate()!,
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

export interface Admitted {
  readonly enrolmentId: string;
  readonly patientId: string;
  readonly episodeId: string;
}

/** Intake's admission, through Kafka as in production; resolves once scheduling has the enrolment. */
export async function admit(kit: SchedulingKit, siteId: string, overrides: Partial<PayloadOf<typeof PatientAdmitted>> = {}): Promise<Admitted> {
  const admission = anAdmission(siteId, overrides);
  await publish(kit.producer, PatientAdmitted, admission);
  const [row] = await eventually(async () => {
    const rows = await kit.infra.adminQuery<{ enrolment_id: string }>(`SELECT enrolment_id FROM scheduling.enrolments WHERE episode_id = $1`, [
      admission.episodeId,
    ]);
    expect(rows).toHaveLength(1);
    return rows;
  });
  return { enrolmentId: row!.enrolment_id, patientId: admission.patientId, episodeId: admission.episodeId };
}

/*
 * Clinicians, rooms, programs and tracks, written with SQL: the other half of scheduling builds their API.
 */

export async function aClinician(kit: SchedulingKit, siteId: string): Promise<string> {
  const id = crypto.randomUUID();
  await kit.infra.adminQuery(`INSERT INTO scheduling.clinicians (clinician_id, site_id, subject, display_name, roles) VALUES ($1, $2, $3, $4, $5)`, [
    id,
    siteId,
    uniqueName('subject'),
    uniqueName('Dr'),
    ['therapist'],
  ]);
  return id;
}

export async function aRoom(kit: SchedulingKit, siteId: string, capacity = 12): Promise<string> {
  const id = crypto.randomUUID();
  await kit.infra.adminQuery(`INSERT INTO scheduling.rooms (room_id, site_id, name, capacity) VALUES ($1, $2, $3, $4)`, [
    id,
    siteId,
    uniqueName('Room'),
    capacity,
  ]);
  return id;
}

export async function aProgram(
  kit: SchedulingKit,
  siteId: string,
  p: Partial<{ kind: string; levelOfCare: string; minWeeklyMinutes: number }> = {},
): Promise<string> {
  const id = crypto.randomUUID();
  await kit.infra.adminQuery(
    `INSERT INTO scheduling.programs (program_id, site_id, name, kind, population, level_of_care, min_weekly_minutes, per_diem_minimum_minutes, default_length_weeks)
     VALUES ($1, $2, $3, $4, 'adult', $5, $6, 180, 12)`,
    [id, siteId, uniqueName('Program'), p.kind ?? 'substance-use', p.levelOfCare ?? '2.1', p.minWeeklyMinutes ?? 540],
  );
  return id;
}

export interface TrackSpec {
  readonly siteId: string;
  readonly timeZone: string;
  readonly programId: string;
  readonly rule?: string;
  readonly startsOn: string;
  readonly blockStart?: string;
  readonly enrolment?: 'open' | 'closed';
  readonly cohortWeeks?: number;
  /** Group sessions of each block: minutes each, back to back. */
  readonly sessions?: number[];
  readonly capacity?: number;
}

export interface Track {
  readonly trackId: string;
  readonly spec: TrackSpec;
  readonly leaderId: string;
  readonly roomId: string;
}

export async function aTrack(kit: SchedulingKit, spec: TrackSpec): Promise<Track> {
  const trackId = crypto.randomUUID();
  const leaderId = await aClinician(kit, spec.siteId);
  const roomId = await aRoom(kit, spec.siteId, spec.capacity ?? 12);
  const rule = spec.rule ?? 'FREQ=WEEKLY;BYDAY=MO,TU,TH';
  const sessions = spec.sessions ?? [60, 60, 60];
  const perWeek = rule.includes('BYDAY=') ? rule.split('BYDAY=')[1]!.split(';')[0]!.split(',').length : 1;
  await kit.infra.adminQuery(
    `INSERT INTO scheduling.tracks (track_id, site_id, program_id, name, recurrence, starts_on, block_start, enrolment, cohort_weeks, weekly_minutes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      trackId,
      spec.siteId,
      spec.programId,
      uniqueName('Track'),
      rule,
      spec.startsOn,
      spec.blockStart ?? '18:00',
      spec.enrolment ?? 'open',
      spec.cohortWeeks ?? null,
      perWeek * sessions.reduce((a, b) => a + b, 0),
    ],
  );
  let offset = 0;
  for (const [i, minutes] of sessions.entries()) {
    await kit.infra.adminQuery(
      `INSERT INTO scheduling.track_sessions (track_id, position, site_id, topic, modality, offset_minutes, duration_minutes, leader_id, room_id, capacity, delivery)
       VALUES ($1, $2, $3, 'Recovery skills', 'cbt', $4, $5, $6, $7, $8, 'in-person')`,
      [trackId, i + 1, spec.siteId, offset, minutes, leaderId, roomId, spec.capacity ?? 12],
    );
    offset += minutes;
  }
  return { trackId, spec, leaderId, roomId };
}

export interface SessionRef {
  readonly sessionId: string;
  readonly localDate: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
}

/** The track's sessions between two local dates, as the materialiser would write them (with the leader's and room's commitments). */
export async function materialise(kit: SchedulingKit, track: Track, fromDate: string, toDate: string): Promise<SessionRef[]> {
  const s = track.spec;
  const blocks = blocksBetween(
    { rule: s.rule ?? 'FREQ=WEEKLY;BYDAY=MO,TU,TH', startsOn: s.startsOn, blockStart: s.blockStart ?? '18:00', timeZone: s.timeZone },
    fromDate,
    toDate,
  );
  const out: Array<SessionRef & { position: number }> = [];
  for (const block of blocks) {
    let offset = 0;
    for (const [i, minutes] of (s.sessions ?? [60, 60, 60]).entries()) {
      const startsAt = new Date(block.startsAt.getTime() + offset * 60_000);
      out.push({
        sessionId: crypto.randomUUID(),
        localDate: block.localDate,
        startsAt,
        endsAt: new Date(startsAt.getTime() + minutes * 60_000),
        position: i + 1,
      });
      offset += minutes;
    }
  }
  if (out.length === 0) return [];
  await kit.infra.adminQuery(
    `WITH s AS (
       INSERT INTO scheduling.sessions (session_id, site_id, track_id, position, series_date, local_date, starts_at, ends_at, topic, modality, leader_id, room_id, capacity, delivery)
       SELECT x.session_id, $1, $2, x.position, x.local_date, x.local_date, x.starts_at, x.ends_at, 'Recovery skills', 'cbt', $3, $4, $5, 'in-person'
         FROM jsonb_to_recordset($6::jsonb) AS x(session_id uuid, position int, local_date date, starts_at timestamptz, ends_at timestamptz)
       RETURNING session_id, starts_at, ends_at)
     INSERT INTO scheduling.commitments (site_id, holder_kind, holder_id, during, source_kind, source_id)
     SELECT $1, h.kind, h.id, tstzrange(s.starts_at, s.ends_at, '[)'), 'session', s.session_id
       FROM s CROSS JOIN (VALUES ('clinician', $3::uuid), ('room', $4::uuid)) AS h(kind, id)`,
    [
      s.siteId,
      track.trackId,
      track.leaderId,
      track.roomId,
      s.capacity ?? 12,
      JSON.stringify(out.map((o) => ({ session_id: o.sessionId, position: o.position, local_date: o.localDate, starts_at: o.startsAt, ends_at: o.endsAt }))),
    ],
  );
  return out.map(({ sessionId, localDate, startsAt, endsAt }) => ({ sessionId, localDate, startsAt, endsAt }));
}

/** The Monday `weeks` weeks after this week's, in a zone. */
export function mondayIn(weeks: number, timeZone = 'America/New_York'): string {
  const today = DateTime.now().setZone(timeZone);
  return today
    .minus({ days: today.weekday - 1 })
    .plus({ weeks })
    .toISODate()!;
}

export async function bookedSessions(kit: SchedulingKit, enrolmentId: string): Promise<string[]> {
  const rows = await kit.infra.adminQuery<{ session_id: string }>(
    `SELECT b.session_id FROM scheduling.seat_bookings b JOIN scheduling.sessions s USING (session_id) WHERE b.enrolment_id = $1 AND b.status = 'booked' ORDER BY s.starts_at`,
    [enrolmentId],
  );
  return rows.map((r) => r.session_id);
}
