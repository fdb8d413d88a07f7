/**
 * Attendance end to end, as the issue asks: a network's patients with a week of sessions, every site's check-ins at a
 * session start in one burst through the API → Postgres → outbox → Kafka → the analysts' fact landed in DuckDB (the
 * reference landing of `npm run analytics:land`), and the backfill (`npm run analytics:backfill`'s code path) of a large
 * history of facts against the bare kafkajs produce rate on the same broker in the same run.
 *
 *   npm run bench:attendance [-- --patients 300 --sites 3 --facts 500000 --page-size 500 --concurrency 300]
 *
 * Starts its own development broker unless KAFKA_BROKERS is set, runs attendance as a real process (migrate step and
 * all) on a scratch database on DATABASE_URL's server, and removes both at the end, whether the run succeeds, fails or
 * gets Ctrl-C. Prints a table and writes .run/bench/attendance.json; benchmarks/README.md says what each figure means.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import pino from 'pino';
import type { z } from 'zod';
import { mintDevelopmentToken } from '@iop/auth';
import {
  EnrolmentChanged,
  ProgramDefined,
  SeatsBooked,
  SessionScheduled,
  SiteRegistered,
  TOPICS,
  TreatmentPlanUpdated,
  type EventDefinition,
  type PayloadOf,
} from '@iop/contracts';
import { createKafka, ensureTopics } from '@iop/messaging';
import { assertSqlIdentifier, createServiceDataSource, serviceDatabaseUrl } from '@iop/persistence';
import { publishEvent, startDevBroker, startPlatformProcesses, writeTopicsFile, type DevBroker, type PlatformProcesses } from '@iop/testing';
import { backfillAnalytics } from '../apps/attendance/src/application/analytics-backfill';
import { analyticsPseudonymiser } from '../apps/attendance/src/application/analytics-stream';
import { factIdFor } from '../apps/attendance/src/domain/analytics-fact';
import { localDate } from '../apps/attendance/src/domain/calendar';
import { AnalyticsLanding, type LandedFact } from '../scripts/analytics-landing';
import { withDatabase } from './support/bench-infrastructure';
import { cpuMeter, describeError, sleep } from './support/figures';
import { ms, num, ratio, table } from './support/report';
import { summarise, type LatencySummary } from './support/stats';
import { Teardown } from './support/teardown';

const ROOT = resolve(__dirname, '..');
const BENCH_DIR = resolve(ROOT, '.run/bench');
const OUTPUT = resolve(BENCH_DIR, 'attendance.json');
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];
/** A week of the history: 3 groups a day (60 minutes, 70 apart), Monday to Friday. */
const SLOTS_PER_DAY = 3;
const SESSION_MINUTES = 60;
/** The relay's batch size (OutboxRelay's default), and the kafkajs baseline's. */
const RELAY_BATCH = 500;

interface Parameters {
  readonly patients: number;
  readonly sites: number;
  readonly groupSize: number;
  readonly facts: number;
  readonly pageSize: number;
  readonly concurrency: number;
  readonly stallSeconds: number;
  readonly brokers: number;
}

function parameters(): Parameters {
  const { values } = parseArgs({
    options: {
      patients: { type: 'string', default: '300' },
      sites: { type: 'string', default: '3' },
      'group-size': { type: 'string', default: '12' },
      facts: { type: 'string', default: '500000' },
      'page-size': { type: 'string', default: '500' },
      concurrency: { type: 'string' },
      'stall-seconds': { type: 'string', default: '60' },
      brokers: { type: 'string', default: '1' },
    },
  });
  const whole = (name: string, text: string | undefined, min = 1, max = Number.MAX_SAFE_INTEGER): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return n;
  };
  const patients = whole('patients', values.patients);
  return {
    patients,
    sites: whole('sites', values.sites, 1, ZONES.length),
    groupSize: whole('group-size', values['group-size'], 1, 100),
    facts: whole('facts', values.facts, 0),
    pageSize: whole('page-size', values['page-size'], 1, 5000),
    concurrency: whole('concurrency', values.concurrency ?? String(patients)),
    stallSeconds: whole('stall-seconds', values['stall-seconds']),
    brokers: whole('brokers', values.brokers),
  };
}

const log = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

interface Site {
  readonly siteId: string;
  readonly programId: string;
  readonly timeZone: string;
}

interface Track {
  readonly trackId: string;
  readonly site: Site;
  /** Its sessions of the week; `burst` is the one everybody checks in to. */
  readonly sessions: Array<PayloadOf<typeof SessionScheduled>>;
  readonly burst: string;
}

interface Patient {
  readonly patientId: string;
  readonly enrolmentId: string;
  readonly episodeId: string;
  readonly track: Track;
}

/**
 * The network's week as scheduling would publish it: sites, one program each, tracks of `groupSize` patients (spread
 * round-robin over the sites), each with 3 groups a day from 3 days before the burst to 3 days after. The burst session
 * of every track starts `startsInMinutes` from now, so the check-ins are early arrivals, on time.
 */
function network(params: Parameters, startsInMinutes: number): { sites: Site[]; tracks: Track[]; patients: Patient[] } {
  const sites = Array.from({ length: params.sites }, (_, i) => ({ siteId: randomUUID(), programId: randomUUID(), timeZone: ZONES[i]! }));
  const burstAt = Date.now() + startsInMinutes * 60_000;
  const trackCount = Math.ceil(params.patients / params.groupSize);
  const now = new Date().toISOString();
  const tracks: Track[] = Array.from({ length: trackCount }, (_, t) => {
    const site = sites[t % sites.length]!;
    const trackId = randomUUID();
    const sessions: Array<PayloadOf<typeof SessionScheduled>> = [];
    for (let day = -3; day <= 3; day++) {
      for (let slot = 0; slot < SLOTS_PER_DAY; slot++) {
        const startsAt = new Date(burstAt + day * 86_400_000 + slot * 70 * 60_000);
        sessions.push({
          sessionId: randomUUID(),
          trackId,
          programId: site.programId,
          siteId: site.siteId,
          kind: 'group',
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + SESSION_MINUTES * 60_000).toISOString(),
          localDate: localDate(startsAt, site.timeZone),
          leaderId: randomUUID(),
          coLeaderId: null,
          roomId: randomUUID(),
          capacity: params.groupSize,
          delivery: 'in-person',
          revision: 1,
          occurredAt: now,
        });
      }
    }
    return { trackId, site, sessions, burst: sessions[3 * SLOTS_PER_DAY]!.sessionId };
  });
  const patients = Array.from({ length: params.patients }, (_, i) => ({
    patientId: randomUUID(),
    enrolmentId: randomUUID(),
    episodeId: randomUUID(),
    track: tracks[Math.floor(i / params.groupSize)]!,
  }));
  return { sites, tracks, patients };
}

/**
 * Seeds through the broker: scheduling's events, published as scheduling's relay publishes them, into attendance's own
 * consumers and roster read model (the path the tests take). A few thousand events, so this costs seconds, and it
 * exercises the handlers a real week goes through; direct SQL would skip them and save little.
 */
async function seedThroughKafka(producer: Producer, world: ReturnType<typeof network>): Promise<number> {
  const now = new Date().toISOString();
  let published = 0;
  const send = async <D extends EventDefinition>(definition: D, payload: z.infer<D['schema']>) => {
    await publishEvent(producer, definition, payload);
    published++;
  };
  for (const site of world.sites) {
    await send(SiteRegistered, {
      siteId: site.siteId,
      name: `Bench site ${site.timeZone}`,
      address: { line1: '1 Bench Way', city: 'Oakland', state: 'CA', postalCode: '94607' },
      timeZone: site.timeZone,
      capacity: 200,
      revision: 1,
      occurredAt: now,
    });
    await send(ProgramDefined, {
      programId: site.programId,
      siteId: site.siteId,
      kind: 'substance-use',
      population: 'adult',
      levelOfCare: '2.1',
      minWeeklyMinutes: 540,
      maxWeeklyMinutes: 1140,
      perDiemMinimumMinutes: 180,
      defaultLengthWeeks: 12,
      revision: 1,
      occurredAt: now,
    });
  }
  const inParallel = async <T>(items: readonly T[], width: number, each: (item: T) => Promise<void>) => {
    for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(each));
  };
  await inParallel(
    world.tracks.flatMap((t) => t.sessions),
    20,
    (s) => send(SessionScheduled, s),
  );
  await inParallel(world.patients, 20, async (p) => {
    const ids = { patientId: p.patientId, enrolmentId: p.enrolmentId, episodeId: p.episodeId, siteId: p.track.site.siteId };
    await send(EnrolmentChanged, {
      ...ids,
      change: 'placed',
      trackId: p.track.trackId,
      programId: p.track.site.programId,
      effectiveFrom: p.track.sessions[0]!.localDate,
      occurredAt: now,
    });
    await send(TreatmentPlanUpdated, {
      planId: randomUUID(),
      ...ids,
      version: 1,
      weeklyGroupMinutes: 540,
      individualPerWeek: 1,
      familyPerMonth: 0,
      psychiatricPerMonth: 1,
      effectiveFrom: p.track.sessions[0]!.localDate,
      nextReviewOn: '2099-12-31',
      occurredAt: now,
    });
    await send(SeatsBooked, { ...ids, sessionIds: p.track.sessions.map((s) => s.sessionId), occurredAt: now });
  });
  return published;
}

/** Resolves once attendance's read model holds the whole week (or fails after the stall time without progress). */
async function rosterLanded(admin: Client, world: ReturnType<typeof network>, stallMs: number): Promise<void> {
  const sessions = world.tracks.reduce((n, t) => n + t.sessions.length, 0);
  const seats = world.patients.reduce((n, p) => n + p.track.sessions.length, 0);
  let last = -1;
  let lastChangeAt = Date.now();
  for (;;) {
    const [row] = (
      await admin.query(
        `SELECT (SELECT count(*) FROM attendance.sessions)::int AS sessions,
                (SELECT count(*) FROM attendance.seats WHERE state = 'booked')::int AS seats,
                (SELECT count(*) FROM attendance.enrolments WHERE plan_version > 0 AND program_id IS NOT NULL)::int AS enrolments,
                (SELECT count(*) FROM attendance.programs)::int AS programs,
                (SELECT count(*) FROM attendance.site_directory)::int AS sites`,
      )
    ).rows as [{ sessions: number; seats: number; enrolments: number; programs: number; sites: number }];
    if (
      row.sessions === sessions &&
      row.seats === seats &&
      row.enrolments === world.patients.length &&
      row.programs === world.sites.length &&
      row.sites === world.sites.length
    )
      return;
    const seen = row.sessions + row.seats + row.enrolments + row.programs + row.sites;
    if (seen !== last) [last, lastChangeAt] = [seen, Date.now()];
    if (Date.now() - lastChangeAt > stallMs) throw new Error(`the roster stopped filling: ${JSON.stringify(row)} of ${sessions} sessions and ${seats} seats`);
    await sleep(200);
  }
}

interface BurstFigures {
  readonly checkIns: number;
  readonly failed: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Request sent → 201 received. */
  readonly http: LatencySummary;
  /** Request sent → the fact's DuckDB transaction committed. */
  readonly landed: LatencySummary;
  /** First request → last fact landed. */
  readonly allLandedSeconds: number;
  readonly nodeCpu: number;
}

/** Every patient checks in to their track's burst session at once (`concurrency` requests in flight), then waits for every fact to land. */
async function burst(
  url: string,
  token: string,
  patients: readonly Patient[],
  concurrency: number,
  landedAt: ReadonlyMap<string, number>,
  stallMs: number,
): Promise<BurstFigures> {
  const sentAt = new Map<string, number>();
  const http: number[] = [];
  const failures: string[] = [];
  const cpu = cpuMeter();
  const started = Date.now();
  let lastResponseAt = started;
  let next = 0;
  const worker = async () => {
    while (next < patients.length) {
      const p = patients[next++]!;
      const t0 = Date.now();
      const response = await fetch(`${url}/sessions/${p.track.burst}/check-ins`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ patientId: p.patientId }),
      });
      const text = await response.text();
      lastResponseAt = Date.now();
      if (response.status !== 201) {
        failures.push(`${response.status} ${text.slice(0, 200)}`);
        continue;
      }
      http.push(lastResponseAt - t0);
      sentAt.set(factIdFor((JSON.parse(text) as { recordId: string }).recordId), t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, patients.length) }, worker));
  const httpSeconds = (lastResponseAt - started) / 1000;
  if (failures.length > 0) progress(`warning: ${failures.length} check-ins failed, e.g. ${failures[0]}`);

  let waiting = sentAt.size;
  let lastProgressAt = Date.now();
  for (;;) {
    const missing = [...sentAt.keys()].filter((f) => !landedAt.has(f)).length;
    if (missing === 0) break;
    if (missing !== waiting) [waiting, lastProgressAt] = [missing, Date.now()];
    if (Date.now() - lastProgressAt > stallMs)
      throw new Error(`burst: ${missing} of ${sentAt.size} facts not landed after ${stallMs / 1000} s without progress`);
    await sleep(50);
  }
  const landed = [...sentAt].map(([factId, t0]) => landedAt.get(factId)! - t0);
  const lastLanded = Math.max(...[...sentAt.keys()].map((f) => landedAt.get(f)!));
  return {
    checkIns: sentAt.size,
    failed: failures.length,
    seconds: httpSeconds,
    perSecond: sentAt.size / httpSeconds,
    http: summarise(Float64Array.from(http)),
    landed: summarise(Float64Array.from(landed)),
    allLandedSeconds: (lastLanded - started) / 1000,
    nodeCpu: cpu(),
  };
}

/**
 * The history the backfill re-publishes: `facts` attendance records of the same patients (synthetic ids, `patients` of
 * them spread over the sites as in the burst), 3 groups a day Monday to Friday, going back week by week from the week
 * before this one (about two years for 500,000 facts of 300 patients). Made with generate_series as the administrator:
 * the records and their sessions as attendance's write path leaves them, without the versions (a record without them
 * is revision 1) or the outbox rows of their first publication. Record ids are random, as the service's are, so the
 * backfill's pages (by record id) are scattered over patients and weeks as a real history's would be.
 */
async function seedHistory(admin: Client, sites: readonly Site[], params: Parameters): Promise<number> {
  await admin.query(`CREATE TEMP TABLE bench_sites (idx int, site_id uuid, program_id uuid, time_zone text)`);
  for (const [i, s] of sites.entries()) await admin.query(`INSERT INTO bench_sites VALUES ($1, $2, $3, $4)`, [i, s.siteId, s.programId, s.timeZone]);
  const perSite = Math.ceil(params.patients / sites.length);
  const groups = Math.ceil(perSite / params.groupSize);
  let inserted = 0;
  for (let week = 1; inserted < params.facts; week++) {
    const limit = params.facts - inserted;
    const result = await admin.query(
      `WITH days AS (
         SELECT (date_trunc('week', current_date) - make_interval(days => 7 * $1::int) + make_interval(days => d))::date AS day
           FROM generate_series(0, 4) AS d
       ), planned AS (
         SELECT gen_random_uuid() AS session_id, s.site_id, s.program_id, s.idx AS site_idx, g, days.day,
                (days.day + time '09:00' + make_interval(mins => 70 * k)) AT TIME ZONE s.time_zone AS starts_at
           FROM bench_sites s CROSS JOIN days CROSS JOIN generate_series(0, ${SLOTS_PER_DAY - 1}) AS k CROSS JOIN generate_series(0, $2::int - 1) AS g
       ), sessions AS (
         INSERT INTO attendance.sessions (session_id, site_id, source, kind, program_id, starts_at, ends_at, local_date, delivery, capacity, kiosk_code)
         SELECT session_id, site_id, 'group-session', 'group', program_id, starts_at, starts_at + make_interval(mins => ${SESSION_MINUTES}), day,
                (ARRAY['in-person', 'in-person', 'telehealth', 'hybrid'])[1 + g % 4], $3, lpad((g * 7919 % 1000000)::text, 6, '0')
           FROM planned
         RETURNING session_id
       ), seats AS (
         SELECT p.session_id, p.site_id, p.program_id, p.day, md5('bench-patient-' || p.site_idx || '-' || (p.g * $3 + m))::uuid AS patient_id, random() AS r
           FROM planned p JOIN sessions USING (session_id) CROSS JOIN generate_series(0, $3::int - 1) AS m
          WHERE p.g * $3 + m < $4
          LIMIT $5
       )
       INSERT INTO attendance.attendance_records (record_id, session_id, patient_id, site_id, program_id, service_date, status,
                                                  scheduled_minutes, attended_minutes, late_minutes, early_minutes, source)
       SELECT gen_random_uuid(), session_id, patient_id, site_id, program_id, day,
              CASE WHEN r < 0.80 THEN 'attended' WHEN r < 0.85 THEN 'late' WHEN r < 0.90 THEN 'left-early' WHEN r < 0.96 THEN 'no-show'
                   WHEN r < 0.98 THEN 'excused' WHEN r < 0.99 THEN 'cancelled-by-patient' ELSE 'cancelled-by-clinic' END,
              ${SESSION_MINUTES},
              CASE WHEN r < 0.80 THEN ${SESSION_MINUTES} WHEN r < 0.85 THEN ${SESSION_MINUTES - 10} WHEN r < 0.90 THEN ${SESSION_MINUTES - 15} ELSE 0 END,
              CASE WHEN r >= 0.80 AND r < 0.85 THEN 10 ELSE 0 END,
              CASE WHEN r >= 0.85 AND r < 0.90 THEN 15 ELSE 0 END,
              'group'
         FROM seats`,
      [week, groups, params.groupSize, perSite, limit],
    );
    inserted += result.rowCount ?? 0;
  }
  await admin.query(`DROP TABLE bench_sites`);
  // What autovacuum does after a load: statistics for the planner.
  await admin.query('VACUUM ANALYZE attendance.sessions, attendance.attendance_records');
  return inserted;
}

/** Messages on a topic so far: the sum of its partitions' high-water marks. */
async function topicEnd(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

interface BackfillFigures {
  readonly records: number;
  /** Backfill start → its last page of facts committed to the outbox. */
  readonly factsOutboxSeconds: number;
  /** Backfill start → every fact on the broker. */
  readonly factsPublishedSeconds: number;
  /** Backfill start → its last page of weeks committed to the outbox. */
  readonly outboxSeconds: number;
  /** Backfill start → every event it wrote on the broker (the relay caught up). */
  readonly publishedSeconds: number;
  /** Outbox rows the backfill wrote: facts, patient-weeks and site-weeks. */
  readonly events: number;
  readonly nodeCpu: number;
}

/**
 * `npm run analytics:backfill`'s code path against the scratch database, timed until the relay in the attendance process
 * has put every fact, and then every event the backfill wrote, on the broker.
 */
async function timeBackfill(adminUrl: string, kafka: Kafka, admin: Client, params: Parameters): Promise<BackfillFigures> {
  const dataSource = createServiceDataSource('attendance', [], serviceDatabaseUrl('attendance', adminUrl));
  await dataSource.initialize();
  const factTopic = TOPICS.analyticsAttendance.name;
  const stallMs = params.stallSeconds * 1000;
  try {
    const [{ n: records }] = (await admin.query(`SELECT count(*)::int AS n FROM attendance.attendance_records`)).rows as [{ n: number }];
    const target = (await topicEnd(kafka, factTopic)) + records;
    const [{ seq: seqBefore }] = (await admin.query(`SELECT coalesce(max(seq), 0)::bigint AS seq FROM attendance.outbox`)).rows as [{ seq: string }];
    const cpu = cpuMeter();
    const started = Date.now();
    // The facts reach the broker while the backfill is still writing weeks: watched alongside.
    let factsPublishedAt = 0;
    let watching = true;
    const factsWatch = (async () => {
      while (watching && factsPublishedAt === 0) {
        if ((await topicEnd(kafka, factTopic)) >= target) factsPublishedAt = Date.now();
        else await sleep(250);
      }
    })();
    let lastReport = 0;
    let factsOutboxAt = 0;
    const report = (what: string) => (done: number, total: number) => {
      if (what === 'facts' && done === total) factsOutboxAt = Date.now();
      if (Date.now() - lastReport < 5000) return;
      lastReport = Date.now();
      progress(`backfill: ${num(done)} of ${num(total)} ${what} in the outbox, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    };
    await backfillAnalytics(dataSource, {
      pageSize: params.pageSize,
      pseudonymiser: analyticsPseudonymiser(),
      correlationId: `bench-backfill-${randomUUID()}`,
      onPage: report('facts'),
      onWeeks: report('patient-weeks and site-weeks'),
    });
    const outboxDone = Date.now();
    let pending = -1;
    let lastProgressAt = Date.now();
    for (;;) {
      const [row] = (await admin.query(`SELECT count(*)::int AS n FROM attendance.outbox WHERE seq > $1 AND published_at IS NULL`, [seqBefore])).rows as [
        { n: number },
      ];
      if (row.n === 0) break;
      if (row.n !== pending) [pending, lastProgressAt] = [row.n, Date.now()];
      if (Date.now() - lastProgressAt > stallMs) throw new Error(`backfill: the relay stopped with ${num(row.n)} of the backfill's outbox rows unpublished`);
      await sleep(250);
    }
    const published = Date.now();
    while (factsPublishedAt === 0 && Date.now() - published < stallMs) await sleep(100);
    watching = false;
    await factsWatch;
    if (factsPublishedAt === 0) throw new Error(`backfill: the outbox is drained but ${factTopic} did not grow by ${num(records)} facts`);
    const [{ n: events }] = (await admin.query(`SELECT count(*)::int AS n FROM attendance.outbox WHERE seq > $1`, [seqBefore])).rows as [{ n: number }];
    return {
      records,
      factsOutboxSeconds: ((factsOutboxAt || outboxDone) - started) / 1000,
      factsPublishedSeconds: (factsPublishedAt - started) / 1000,
      outboxSeconds: (outboxDone - started) / 1000,
      publishedSeconds: (published - started) / 1000,
      events,
      nodeCpu: cpu(),
    };
  } finally {
    await dataSource.destroy();
  }
}

/** One message of the fact topic as the relay put it there: key, value and CloudEvents headers. */
async function sampleFact(kafka: Kafka): Promise<{ key: Buffer; value: Buffer; headers: IHeaders; bytes: number }> {
  const consumer = kafka.consumer({ groupId: `bench-sample-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPICS.analyticsAttendance.name, fromBeginning: true });
    const sample = await new Promise<{ key: Buffer; value: Buffer; headers: IHeaders }>((done) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          if (message.key && message.value) done({ key: message.key, value: message.value, headers: message.headers ?? {} });
        },
      });
    });
    const headerBytes = Object.entries(sample.headers).reduce((n, [k, v]) => n + k.length + (v ? Buffer.byteLength(String(v)) : 0), 0);
    return { ...sample, bytes: sample.key.length + sample.value.length + headerBytes };
  } finally {
    await consumer.disconnect();
  }
}

interface ProduceFigures {
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly nodeCpu: number;
}

/** The bare kafkajs produce rate on the same broker: the relay's way of sending (acks -1, one request in flight, batches of 500), no database. */
async function kafkajsProduce(kafka: Kafka, topic: string, sample: Awaited<ReturnType<typeof sampleFact>>, count: number): Promise<ProduceFigures> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
  await producer.connect();
  try {
    const cpu = cpuMeter();
    const started = Date.now();
    for (let sent = 0; sent < count;) {
      const n = Math.min(RELAY_BATCH, count - sent);
      // A key of the same length per message (facts are keyed by factId), the sample's value and headers.
      const messages = Array.from({ length: n }, () => ({ key: randomUUID(), value: sample.value, headers: { ...sample.headers, ce_id: randomUUID() } }));
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
      sent += n;
    }
    const seconds = (Date.now() - started) / 1000;
    return { messages: count, seconds, perSecond: count / seconds, nodeCpu: cpu() };
  } finally {
    await producer.disconnect();
  }
}

interface Results {
  readonly seed: { readonly events: number; readonly seconds: number; readonly sessions: number; readonly seats: number };
  readonly burst: BurstFigures;
  readonly history?: { readonly facts: number; readonly seconds: number };
  readonly backfill?: BackfillFigures;
  readonly kafkajs?: ProduceFigures;
  readonly messageBytes?: number;
}

async function main(): Promise<void> {
  const params = parameters();
  const started = Date.now();
  const suffix = randomBytes(4).toString('hex');
  const serverUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = assertSqlIdentifier(`iop_bench_att_${suffix}`);
  const adminUrl = withDatabase(serverUrl, dbName);
  const workDir = resolve(BENCH_DIR, `attendance-${process.pid}-${suffix}`);
  const teardown = new Teardown();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping`);
      void teardown.run().finally(() => process.exit(130));
    });
  }
  const stallMs = params.stallSeconds * 1000;

  let clean = false;
  try {
    // Removed last: the broker's files and the DuckDB landing; attendance's log stays in the work directory.
    teardown.add('work directory', async () => {
      rmSync(resolve(workDir, 'kafka'), { recursive: true, force: true });
      rmSync(resolve(workDir, 'landing.duckdb'), { force: true });
      rmSync(resolve(workDir, 'landing.duckdb.wal'), { force: true });
    });
    teardown.add(`database ${dbName}`, async () => {
      const client = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    });

    let brokers = process.env['KAFKA_BROKERS'];
    let broker: DevBroker | undefined;
    if (!brokers) {
      progress('starting the development Kafka broker');
      const kafkaDir = resolve(workDir, 'kafka');
      broker = await startDevBroker({ brokers: params.brokers, workDir: kafkaDir, topicsFile: writeTopicsFile(resolve(kafkaDir, 'topics.txt')) });
      teardown.add('Kafka', () => broker!.stop());
      brokers = broker.bootstrap.join(',');
    }
    progress(`migrating ${dbName} and starting attendance (logs in ${resolve(workDir, 'logs')})`);
    const platform: PlatformProcesses = await startPlatformProcesses({
      services: ['attendance'],
      env: {
        DATABASE_URL: adminUrl,
        REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
        KAFKA_BROKERS: brokers,
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
      },
      logs: { dir: resolve(workDir, 'logs') },
    });
    teardown.add('attendance', () => platform.stop());
    const attendance = platform.service('attendance').url;

    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    teardown.add('admin connection', () => admin.end());
    const kafka = createKafka(`iop-bench-attendance-${suffix}`, log, brokers.split(','));
    const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
    await producer.connect();
    teardown.add('producer', () => producer.disconnect());

    const loadAtStart = loadavg()[0]!;
    if (loadAtStart > cpus().length) progress(`warning: load average ${loadAtStart.toFixed(1)} on ${cpus().length} cores; the figures will be low and noisy`);
    const [pg] = (await admin.query(`SELECT current_setting('server_version') AS version`)).rows as [{ version: string }];

    // The burst sessions start 15 minutes from now: seeding takes well under that, so every check-in is an on-time early arrival.
    const world = network(params, 15);
    const sessions = world.tracks.reduce((n, t) => n + t.sessions.length, 0);
    const seats = world.patients.reduce((n, p) => n + p.track.sessions.length, 0);
    progress(
      `seeding ${params.patients} patients' week through Kafka: ${params.sites} sites, ${world.tracks.length} tracks, ${num(sessions)} sessions, ${num(seats)} seats`,
    );
    const seedStarted = Date.now();
    const events = await seedThroughKafka(producer, world);
    await rosterLanded(admin, world, stallMs);
    const seed = { events, seconds: (Date.now() - seedStarted) / 1000, sessions, seats };
    if (Date.now() - seedStarted > 14 * 60_000) throw new Error('seeding took longer than the 15 minutes before the burst sessions start');

    const landedAt = new Map<string, number>();
    const landing = await AnalyticsLanding.open({
      file: resolve(workDir, 'landing.duckdb'),
      brokers: brokers.split(','),
      onFactsLanded: (facts: readonly LandedFact[]) => {
        for (const f of facts) if (!landedAt.has(f.factId)) landedAt.set(f.factId, f.at);
      },
    });
    teardown.add('DuckDB landing', () => landing.close());
    await landing.start();

    const token = await mintDevelopmentToken({ subject: 'bench-clinician', roles: ['clinician'], sites: world.sites.map((s) => s.siteId) });
    progress(`burst: ${params.patients} check-ins, ${Math.min(params.concurrency, params.patients)} at a time, each until its fact lands in DuckDB`);
    const burstFigures = await burst(attendance, token, world.patients, params.concurrency, landedAt, stallMs);
    await landing.close();

    let results: Results = { seed, burst: burstFigures };
    if (params.facts > 0) {
      progress(`history: ${num(params.facts)} attendance records by SQL`);
      const historyStarted = Date.now();
      const facts = await seedHistory(admin, world.sites, params);
      const history = { facts, seconds: (Date.now() - historyStarted) / 1000 };
      progress(
        `history: ${num(facts)} records in ${history.seconds.toFixed(1)} s; backfilling ${num(facts + burstFigures.checkIns)} facts, pages of ${params.pageSize}`,
      );
      const backfill = await timeBackfill(adminUrl, kafka, admin, params);
      const sample = await sampleFact(kafka);
      const rawTopic = `bench.analytics-raw-${suffix}`;
      const partitions = TOPICS.analyticsAttendance.partitions;
      if (broker) await broker.control.createTopic(rawTopic, partitions);
      else {
        const kafkaAdmin = kafka.admin();
        await kafkaAdmin.connect();
        await ensureTopics(kafkaAdmin, [
          { name: rawTopic, partitions, retentionMs: 60 * 60 * 1000, key: 'factId', description: 'benchmark', compatibility: 'backward' },
        ]).finally(() => kafkaAdmin.disconnect());
      }
      progress(`kafkajs baseline: ${num(backfill.records)} messages of ~${sample.bytes} bytes to ${rawTopic}`);
      const kafkajs = await kafkajsProduce(kafka, rawTopic, sample, backfill.records);
      results = { ...results, history, backfill, kafkajs, messageBytes: sample.bytes };
    }

    const context = {
      params,
      machine: { cores: cpus().length, node: process.version, postgres: pg.version, loadAtStart, loadAtEnd: loadavg()[0]! },
      kafka: broker ? `development broker (${params.brokers} broker${params.brokers > 1 ? 's' : ''}, pid ${broker.pid})` : `KAFKA_BROKERS (${brokers})`,
      elapsedSeconds: (Date.now() - started) / 1000,
    };
    print(context, results);
    mkdirSync(BENCH_DIR, { recursive: true });
    writeFileSync(OUTPUT, `${JSON.stringify({ benchmark: 'attendance', at: new Date().toISOString(), ...context, results }, null, 2)}\n`);
  } finally {
    progress('stopping');
    clean = await teardown.run();
  }
  if (!clean) throw new Error('the figures are above, but something could not be stopped or removed (see the lines before)');
}

type Context = {
  params: Parameters;
  machine: { cores: number; node: string; postgres: string; loadAtStart: number; loadAtEnd: number };
  kafka: string;
  elapsedSeconds: number;
};

function print({ params, machine, kafka, elapsedSeconds }: Context, r: Results): void {
  const out: string[] = [];
  out.push('');
  out.push(
    `attendance benchmark: attendance as a process; ${machine.cores} cores, node ${machine.node}, Postgres ${machine.postgres}; kafka: ${kafka}; ` +
      `load average ${machine.loadAtStart.toFixed(1)} at start, ${machine.loadAtEnd.toFixed(1)} at end`,
  );
  out.push(
    `seed: ${num(r.seed.events)} scheduling events through Kafka (${params.sites} sites, ${num(r.seed.sessions)} sessions, ${num(r.seed.seats)} seats, ${params.patients} patients) in the read model after ${r.seed.seconds.toFixed(1)} s`,
  );
  out.push('');
  const b = r.burst;
  out.push(
    table(
      ['burst', 'rate', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'count', 'seconds'],
      [
        [
          'check-ins: request → 201',
          `${num(b.perSecond)} /s`,
          ms(b.http.p50Ms),
          ms(b.http.p95Ms),
          ms(b.http.p99Ms),
          ms(b.http.maxMs),
          num(b.checkIns),
          b.seconds.toFixed(1),
        ],
        [
          'request → fact landed in DuckDB',
          `${num(b.checkIns / b.allLandedSeconds)} /s`,
          ms(b.landed.p50Ms),
          ms(b.landed.p95Ms),
          ms(b.landed.p99Ms),
          ms(b.landed.maxMs),
          num(b.checkIns),
          b.allLandedSeconds.toFixed(1),
        ],
      ],
    ),
  );
  if (b.failed > 0) out.push(`${b.failed} check-ins failed (not counted)`);
  if (r.backfill && r.kafkajs && r.history) {
    out.push('');
    out.push(`history: ${num(r.history.facts)} attendance records made by SQL in ${r.history.seconds.toFixed(1)} s (not measured below)`);
    const bf = r.backfill;
    const perSecond = (seconds: number) => num(bf.records / seconds);
    out.push(
      table(
        ['backfill', 'facts/s', 'facts', 'seconds', 'node CPU'],
        [
          ['analytics:backfill: facts → outbox', perSecond(bf.factsOutboxSeconds), num(bf.records), bf.factsOutboxSeconds.toFixed(1), ''],
          ['analytics:backfill: facts → on the broker', perSecond(bf.factsPublishedSeconds), num(bf.records), bf.factsPublishedSeconds.toFixed(1), ''],
          [
            'analytics:backfill: facts and weeks → on the broker',
            perSecond(bf.publishedSeconds),
            num(bf.records),
            bf.publishedSeconds.toFixed(1),
            `${Math.round(bf.nodeCpu * 100)}%`,
          ],
          [
            'kafkajs produce (same size, batches of 500)',
            num(r.kafkajs.perSecond),
            num(r.kafkajs.messages),
            r.kafkajs.seconds.toFixed(1),
            `${Math.round(r.kafkajs.nodeCpu * 100)}%`,
          ],
        ],
      ),
    );
    out.push(
      `facts on the broker ÷ kafkajs produce: ${ratio(bf.records / bf.factsPublishedSeconds, r.kafkajs.perSecond)}; with the weeks: ${ratio(bf.records / bf.publishedSeconds, r.kafkajs.perSecond)}. ` +
        `The backfill wrote ${num(bf.events)} outbox rows (${num(bf.events - bf.records)} patient-weeks and site-weeks, outbox done at ${bf.outboxSeconds.toFixed(1)} s); ~${r.messageBytes} bytes per fact message`,
    );
  }
  out.push('');
  out.push(`${elapsedSeconds.toFixed(0)} s in all; figures also in ${OUTPUT.replace(`${ROOT}/`, '')}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`\nattendance benchmark failed: ${describeError(error)}\n`);
    process.exit(1);
  },
);
