/**
 * Scheduling under load: materialising a network's calendar, then placing patients with many bookers at once, and
 * what the no-double-booking exclusion constraint costs, measured against a copy of `scheduling.commitments` without it.
 *
 *   npm run bench:scheduling [-- --sites 3 --tracks 6 --weeks 12 --patients 300 --bookers 20]
 *
 * Provisions a scratch database on DATABASE_URL's server with scheduling's own migrations, runs scheduling's own code
 * (`materialise`, `Placement.place`, `holdCommitments`) with the real Outbox and AuditTrail, and drops the database at
 * the end, also on failure or Ctrl-C. Prints a table and writes .run/bench/scheduling.json. See benchmarks/README.md.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditTrail, type Principal } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import {
  assertSqlIdentifier,
  createServiceDataSource,
  inScopedTransaction,
  platformMigrations,
  provisionServiceDatabase,
  serviceDatabaseUrl,
  serviceRoleName,
  siteIsolationSql,
  sitesScope,
} from '@iop/persistence';
import { DomainError, UnitOfWork, requestContextMiddleware } from '@iop/platform';
import { materialise } from '../apps/scheduling/src/application/materialise';
import { Placement } from '../apps/scheduling/src/application/placement';
import { trackRepository } from '../apps/scheduling/src/application/track-repository';
import { holdCommitments, type Commitment } from '../apps/scheduling/src/infrastructure/commitments';
import { Sites1763800001000 } from '../apps/scheduling/src/infrastructure/migrations/1763800001000-sites';
import { Week1763800011000 } from '../apps/scheduling/src/infrastructure/migrations/1763800011000-week';
import { PatientCare1763800013000 } from '../apps/scheduling/src/infrastructure/migrations/1763800013000-patient-care';
import { SiteEntity } from '../apps/scheduling/src/infrastructure/site.entity';
import { withDatabase } from './support/bench-infrastructure';
import { Teardown } from './support/teardown';
import { cpuMeter, describeError, type Figure } from './support/figures';
import { latencyCells, ms, num, ratio, table } from './support/report';
import { perSecond, summarise, type LatencySummary } from './support/stats';

const ROOT = resolve(__dirname, '..');
const OUTPUT = resolve(ROOT, '.run/bench/scheduling.json');
const BUDGET_SECONDS = 180;
/** The service's own schema and role: scheduling's SQL names `scheduling.*`, so the scratch database uses both. */
const SERVICE = 'scheduling';
const COPY = 'commitments_unconstrained';
const ZONES = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'America/Denver', 'America/Phoenix'];
/** A block: 4 groups of 50 minutes, an hour apart; the morning block 09:00–12:50, the afternoon block 13:00–16:50. */
const SESSIONS_PER_BLOCK = 4;
const SESSION_MINUTES = 50;
const BLOCK_STARTS = ['09:00', '13:00'];
/** 9 h, the 2.1 adult minimum: ten 50-minute groups a week (the earliest of each week). */
const PLAN_WEEKLY_MINUTES = 540;

interface Parameters {
  readonly sites: number;
  readonly tracks: number;
  readonly weeks: number;
  readonly patients: number;
  readonly bookers: number;
}

function parameters(): Parameters {
  const { values } = parseArgs({
    options: {
      sites: { type: 'string', default: '3' },
      tracks: { type: 'string', default: '6' },
      weeks: { type: 'string', default: '12' },
      patients: { type: 'string', default: '300' },
      bookers: { type: 'string', default: '20' },
    },
  });
  const whole = (name: string, text: string | undefined, min: number, max: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return n;
  };
  return {
    sites: whole('sites', values.sites, 1, ZONES.length),
    // Two blocks a day share a pair of clinicians and a room, so tracks come in pairs.
    tracks: whole('tracks', values.tracks, 1, 40),
    weeks: whole('weeks', values.weeks, 1, 104),
    patients: whole('patients', values.patients, 1, 100_000),
    bookers: whole('bookers', values.bookers, 1, 80),
  };
}

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

interface Scratch {
  readonly name: string;
  readonly adminUrl: string;
  readonly serviceUrl: string;
  drop(): Promise<void>;
}

/**
 * A database of the run's own with scheduling's migrations, provisioned as the service's (role `iop_scheduling`, RLS,
 * grants), plus the copy of `commitments` without the exclusion constraint. The role is shared by every database on
 * the server (tests, development), so it is dropped only when this run created it and nothing else uses it.
 */
async function createScratch(serverUrl: string): Promise<Scratch> {
  const name = `iop_bench_${randomBytes(4).toString('hex')}`;
  const adminUrl = withDatabase(serverUrl, name);
  const maintenance = withDatabase(serverUrl, 'postgres');
  const role = assertSqlIdentifier(serviceRoleName(SERVICE));
  const client = new Client({ connectionString: maintenance });
  await client.connect();
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]).finally(() => client.end());
  const roleExisted = (rowCount ?? 0) > 0;
  const drop = async (): Promise<void> => {
    const c = new Client({ connectionString: maintenance });
    await c.connect();
    try {
      // FORCE: a connection a failed run left open must not keep the database alive.
      await c.query(`DROP DATABASE IF EXISTS ${assertSqlIdentifier(name)} WITH (FORCE)`);
      if (!roleExisted) await c.query(`DROP ROLE IF EXISTS ${role}`).catch((e: unknown) => progress(`role ${role} kept: ${describeError(e)}`));
    } finally {
      await c.end();
    }
  };
  try {
    await provisionServiceDatabase(
      {
        service: SERVICE,
        migrations: [...platformMigrations(SERVICE), Sites1763800001000, Week1763800011000, PatientCare1763800013000],
        appendOnlyTables: ['treatment_plan_versions'],
      },
      adminUrl,
    );
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      // Same columns, defaults, NOT NULL and CHECKs, the same unique and plain indexes, the foreign key and RLS: all
      // that differs is the gist exclusion constraint (LIKE copies EXCLUDE only with INCLUDING INDEXES).
      await admin.query(`CREATE TABLE ${SERVICE}.${COPY} (LIKE ${SERVICE}.commitments INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      await admin.query(`ALTER TABLE ${SERVICE}.${COPY} ADD PRIMARY KEY (commitment_id), ADD UNIQUE (holder_kind, holder_id, source_kind, source_id),
                           ADD FOREIGN KEY (site_id) REFERENCES ${SERVICE}.sites (site_id)`);
      await admin.query(`CREATE INDEX ${COPY}_source ON ${SERVICE}.${COPY} (source_kind, source_id)`);
      await admin.query(`CREATE INDEX ${COPY}_start ON ${SERVICE}.${COPY} (lower(during))`);
      for (const sql of siteIsolationSql(SERVICE, COPY)) await admin.query(sql);
      await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${SERVICE}.${COPY} TO ${role}`);
      const { rows } = await admin.query(
        `SELECT c.relname AS table, count(*) FILTER (WHERE k.contype = 'x')::int AS exclusions FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
          WHERE c.relname IN ('commitments', $1) GROUP BY c.relname`,
        [COPY],
      );
      const exclusions = Object.fromEntries(rows.map((r: { table: string; exclusions: number }) => [r.table, r.exclusions]));
      if (exclusions['commitments'] !== 1 || exclusions[COPY] !== 0) throw new Error(`unexpected exclusion constraints: ${JSON.stringify(exclusions)}`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  return { name, adminUrl, serviceUrl: serviceDatabaseUrl(SERVICE, adminUrl), drop };
}

interface SiteSetup {
  readonly siteId: string;
  readonly timeZone: string;
  readonly today: string;
  readonly trackIds: string[];
}

/** Sites, programs, staff, rooms, tracks, enrolments awaiting placement and their plans, by SQL (setup is not measured). */
async function seed(ds: DataSource, p: Parameters): Promise<{ sites: SiteSetup[]; patients: Array<{ enrolmentId: string; siteId: string; trackId: string }> }> {
  const sites: SiteSetup[] = [];
  const pairs = Math.ceil(p.tracks / BLOCK_STARTS.length);
  for (let s = 0; s < p.sites; s++) {
    const siteId = randomUUID();
    const timeZone = ZONES[s]!;
    const today = DateTime.now().setZone(timeZone).toISODate()!;
    const programId = randomUUID();
    const trackIds: string[] = [];
    await inScopedTransaction(ds, sitesScope([siteId]), async (m) => {
      await m.query(`INSERT INTO scheduling.sites (site_id, name, address, time_zone, capacity) VALUES ($1, $2, $3, $4, 200)`, [
        siteId,
        `Bench site ${s + 1}`,
        JSON.stringify({ line1: `${s + 1} Main St`, city: 'Springfield', state: 'IL', postalCode: '62701' }),
        timeZone,
      ]);
      await m.query(
        `INSERT INTO scheduling.programs (program_id, site_id, name, kind, population, level_of_care, min_weekly_minutes, max_weekly_minutes,
           per_diem_minimum_minutes, default_length_weeks) VALUES ($1, $2, 'Adult SUD IOP', 'substance-use', 'adult', '2.1', 540, 1140, 180, 10)`,
        [programId, siteId],
      );
      // Each pair of tracks (morning, afternoon) has its own two clinicians and room: nothing clashes unless the code is wrong.
      const staff = [];
      for (let k = 0; k < pairs; k++) {
        const [a, b, room] = [randomUUID(), randomUUID(), randomUUID()];
        for (const [i, id] of [a, b].entries()) {
          await m.query(
            `INSERT INTO scheduling.clinicians (clinician_id, site_id, subject, display_name, roles, program_ids) VALUES ($1, $2, $3, $4, '{clinician}', $5)`,
            [id, siteId, `bench-${s}-${k}-${i}`, `Clinician ${s}.${k}.${i}`, [programId]],
          );
        }
        await m.query(`INSERT INTO scheduling.rooms (room_id, site_id, name, capacity) VALUES ($1, $2, $3, 30)`, [room, siteId, `Room ${k + 1}`]);
        staff.push({ a, b, room });
      }
      for (let t = 0; t < p.tracks; t++) {
        const { a, b, room } = staff[t % pairs]!;
        const trackId = randomUUID();
        trackIds.push(trackId);
        await trackRepository.insert(m, {
          trackId,
          siteId,
          programId,
          name: `Track ${t + 1}`,
          recurrence: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
          startsOn: today,
          endsOn: null,
          blockStart: BLOCK_STARTS[Math.floor(t / pairs) % BLOCK_STARTS.length]!,
          enrolment: 'open',
          cohortWeeks: null,
          weeklyMinutes: SESSIONS_PER_BLOCK * SESSION_MINUTES * 5,
          materialisedTo: null,
          active: true,
          revision: 1,
          sessions: Array.from({ length: SESSIONS_PER_BLOCK }, (_, i) => ({
            position: i + 1,
            topic: `Group ${i + 1}`,
            modality: 'process',
            offsetMinutes: i * 60,
            durationMinutes: SESSION_MINUTES,
            leaderId: i % 2 === 0 ? a : b,
            coLeaderId: i % 2 === 0 ? b : a,
            roomId: room,
            capacity: 30,
            delivery: 'in-person' as const,
          })),
        });
      }
    });
    sites.push({ siteId, timeZone, today, trackIds });
  }
  const patients: Array<{ enrolmentId: string; siteId: string; trackId: string }> = [];
  for (const site of sites) {
    const mine = Array.from({ length: p.patients }, (_, i) => i).filter((i) => i % p.sites === sites.indexOf(site));
    await inScopedTransaction(ds, sitesScope([site.siteId]), async (m) => {
      for (const i of mine) {
        const [enrolmentId, patientId, episodeId] = [randomUUID(), randomUUID(), randomUUID()];
        await m.query(
          `INSERT INTO scheduling.enrolments (enrolment_id, site_id, patient_id, episode_id, referral_id, program_type, level_of_care,
             planned_weekly_minutes, planned_start, status) VALUES ($1, $2, $3, $4, $5, 'substance-use', '2.1', $6, $7, 'awaiting-placement')`,
          [enrolmentId, site.siteId, patientId, episodeId, randomUUID(), PLAN_WEEKLY_MINUTES, site.today],
        );
        await m.query(
          `INSERT INTO scheduling.treatment_plans (plan_id, site_id, patient_id, episode_id, enrolment_id, version, weekly_group_minutes, individual_per_week,
             family_per_month, psychiatric_per_month, effective_from, next_review_on, updated_by) VALUES ($1, $2, $3, $4, $5, 1, $6, 1, 1, 1, $7, $7::date + 30, 'bench')`,
          [randomUUID(), site.siteId, patientId, episodeId, enrolmentId, PLAN_WEEKLY_MINUTES, site.today],
        );
        patients.push({ enrolmentId, siteId: site.siteId, trackId: site.trackIds[Math.floor(i / p.sites) % site.trackIds.length]! });
      }
    });
  }
  return { sites, patients };
}

interface Materialisation {
  readonly tracks: number;
  readonly sessions: number;
  readonly staffCommitments: number;
  readonly events: number;
  readonly seconds: number;
  readonly perTrack: LatencySummary;
  readonly nodeCpu: number;
}

/** Each track in its own transaction under the site's scope, one after another, as defining a track or the horizon job does. */
async function materialiseAll(ds: DataSource, outbox: Outbox, sites: SiteSetup[]): Promise<Materialisation> {
  const perTrack: number[] = [];
  let sessions = 0;
  const cpu = cpuMeter();
  const started = performance.now();
  for (const site of sites) {
    for (const trackId of site.trackIds) {
      const t0 = performance.now();
      const created = await inScopedTransaction(ds, sitesScope([site.siteId]), async (m) => {
        const track = await trackRepository.find(m, trackId, true);
        return materialise(m, outbox, track!, { timeZone: site.timeZone, onClash: 'refuse', correlationId: randomUUID() });
      });
      perTrack.push(performance.now() - t0);
      sessions += created.length;
    }
  }
  const elapsed = performance.now() - started;
  const [counts] = (await inScopedTransaction(ds, { kind: 'all' }, (m) =>
    m.query(`SELECT (SELECT count(*) FROM scheduling.commitments)::int AS commitments, (SELECT count(*) FROM scheduling.outbox)::int AS events`),
  )) as [{ commitments: number; events: number }];
  return {
    tracks: perTrack.length,
    sessions,
    staffCommitments: counts.commitments,
    events: counts.events,
    seconds: elapsed / 1000,
    perTrack: summarise(Float64Array.from(perTrack)),
    nodeCpu: cpu(),
  };
}

/** `work` for items 0..n-1 from `concurrency` loops; returns each item's latency (NaN when it failed) and the elapsed ms. */
async function drive(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<{ latencies: Float64Array; elapsed: number }> {
  const latencies = new Float64Array(n).fill(NaN);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const t0 = performance.now();
        await work(i);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  return { latencies, elapsed: performance.now() - started };
}

function figure(name: string, unit: Figure['unit'], latencies: Float64Array, elapsed: number, nodeCpu: number): Figure {
  const ok = latencies.filter((v) => !Number.isNaN(v));
  return { name, unit, count: ok.length, seconds: elapsed / 1000, perSecond: perSecond(ok.length, elapsed), latency: summarise(ok), nodeCpu };
}

interface Placements {
  readonly figure: Figure;
  readonly refused: Record<string, number>;
  readonly seats: LatencySummary;
  readonly seatsTotal: number;
  readonly events: number;
  readonly auditRows: number;
}

/**
 * The real command: `Placement.place` with the real UnitOfWork (site scope from the caller), Outbox and AuditTrail,
 * each call inside a request context whose principal is the site's admin, as the HTTP layer would set it.
 */
async function placeAll(ds: DataSource, outbox: Outbox, patients: Array<{ enrolmentId: string; siteId: string; trackId: string }>, bookers: number) {
  const placement = new Placement(new UnitOfWork(ds), outbox, new AuditTrail(SERVICE));
  const seatCounts: number[] = [];
  const refused: Record<string, number> = {};
  const refusedAt = new Set<number>();
  const [{ events: eventsBefore }] = (await inScopedTransaction(ds, { kind: 'all' }, (m) =>
    m.query(`SELECT count(*)::int AS events FROM scheduling.outbox`),
  )) as [{ events: number }];
  const place = (enrolmentId: string, siteId: string, trackId: string) => {
    const principal: Principal = { subject: 'bench-site-admin', roles: ['site_admin'], siteIds: [siteId], allSites: false };
    return new Promise<Awaited<ReturnType<Placement['place']>>>((done, fail) =>
      requestContextMiddleware({ headers: {}, principal }, { setHeader: () => undefined }, () => {
        placement.place(enrolmentId, { trackId }).then(done, fail);
      }),
    );
  };
  const cpu = cpuMeter();
  const { latencies, elapsed } = await drive(patients.length, bookers, async (i) => {
    const p = patients[i]!;
    try {
      const result = await place(p.enrolmentId, p.siteId, p.trackId);
      seatCounts.push(result.bookedSessionIds.length);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      refusedAt.add(i);
      refused[error.code] = (refused[error.code] ?? 0) + 1;
    }
  });
  const nodeCpu = cpu();
  // A refused placement still took time, but is not a booking: its latency does not count.
  const booked = latencies.map((v, i) => (refusedAt.has(i) ? NaN : v));
  const [{ events, audit }] = (await inScopedTransaction(ds, { kind: 'all' }, (m) =>
    m.query(`SELECT (SELECT count(*) FROM scheduling.outbox)::int AS events, (SELECT count(*) FROM scheduling.audit_log)::int AS audit`),
  )) as [{ events: number; audit: number }];
  return {
    figure: figure(`placement (Placement.place, ${bookers} bookers)`, 'tx', booked, elapsed, nodeCpu),
    refused,
    seats: summarise(Float64Array.from(seatCounts)),
    seatsTotal: seatCounts.reduce((a, b) => a + b, 0),
    events: events - eventsBefore,
    auditRows: audit,
  } satisfies Placements;
}

/** holdCommitments' statement, word for word, against the copy without the exclusion constraint. */
async function holdInCopy(manager: EntityManager, commitments: readonly Commitment[]): Promise<void> {
  await manager.query('SAVEPOINT hold_commitments');
  await manager.query(
    `INSERT INTO scheduling.${COPY} (site_id, holder_kind, holder_id, during, source_kind, source_id)
     SELECT c.site_id, c.holder_kind, c.holder_id, tstzrange(c.starts_at, c.ends_at, '[)'), c.source_kind, c.source_id
       FROM jsonb_to_recordset($1::jsonb) AS c(site_id uuid, holder_kind text, holder_id uuid, starts_at timestamptz, ends_at timestamptz, source_kind text, source_id uuid)`,
    [
      JSON.stringify(
        commitments.map((c) => ({
          site_id: c.siteId,
          holder_kind: c.holderKind,
          holder_id: c.holderId,
          starts_at: c.startsAt.toISOString(),
          ends_at: c.endsAt.toISOString(),
          source_kind: c.sourceKind,
          source_id: c.sourceId,
        })),
      ),
    ],
  );
  await manager.query('RELEASE SAVEPOINT hold_commitments');
}

interface ConstraintCost {
  readonly rows: number;
  readonly constrained: Figure;
  readonly unconstrained: Figure;
}

/**
 * The patients' commitments the placements made, taken out of `commitments` and written again, one transaction per
 * patient (as each placement wrote them), by the same number of writers: once with `holdCommitments` into the real
 * table, once with the same statement into the copy. Both tables hold the same staff commitments beforehand.
 */
async function constraintCost(ds: DataSource, scratch: Scratch, zoneOf: Map<string, string>, bookers: number): Promise<ConstraintCost> {
  const rows = (await inScopedTransaction(ds, { kind: 'all' }, (m) =>
    m.query(
      `SELECT site_id AS "siteId", holder_id AS "holderId", lower(during) AS "startsAt", upper(during) AS "endsAt", source_id AS "sourceId"
         FROM scheduling.commitments WHERE holder_kind = 'patient' ORDER BY commitment_id`,
    ),
  )) as Array<{ siteId: string; holderId: string; startsAt: Date; endsAt: Date; sourceId: string }>;
  const byPatient = new Map<string, Commitment[]>();
  for (const r of rows) {
    const list = byPatient.get(r.holderId) ?? [];
    list.push({
      siteId: r.siteId,
      holderKind: 'patient',
      holderId: r.holderId,
      startsAt: r.startsAt,
      endsAt: r.endsAt,
      sourceKind: 'session',
      sourceId: r.sourceId,
    });
    byPatient.set(r.holderId, list);
  }
  const groups = [...byPatient.values()];
  const admin = new Client({ connectionString: scratch.adminUrl });
  await admin.connect();
  /** Both tables back to the same staff commitments, with no dead tuples and fresh statistics. */
  const reset = async () => {
    await admin.query(`DELETE FROM scheduling.commitments WHERE holder_kind = 'patient'`);
    await admin.query(`DELETE FROM scheduling.${COPY} WHERE holder_kind = 'patient'`);
    await admin.query(`VACUUM ANALYZE scheduling.commitments`);
    await admin.query(`VACUUM ANALYZE scheduling.${COPY}`);
  };
  const samples = { with: [] as Float64Array[], without: [] as Float64Array[] };
  const time = { with: 0, without: 0 };
  const cpuMs = { with: 0, without: 0 };
  const run = async (which: 'with' | 'without') => {
    const cpu = cpuMeter();
    const { latencies, elapsed } = await drive(groups.length, bookers, (i) => {
      const group = groups[i]!;
      return inScopedTransaction(ds, sitesScope([group[0]!.siteId]), (m) =>
        which === 'with' ? holdCommitments(m, group, zoneOf.get(group[0]!.siteId)!) : holdInCopy(m, group),
      );
    });
    samples[which].push(latencies);
    time[which] += elapsed;
    cpuMs[which] += cpu() * elapsed;
  };
  try {
    await admin.query(`INSERT INTO scheduling.${COPY} SELECT * FROM scheduling.commitments WHERE holder_kind <> 'patient'`);
    // A-B, then B-A: neither side always runs on a warmer cache or a fuller WAL.
    await reset();
    await run('with');
    await run('without');
    await reset();
    await run('without');
    await run('with');
  } finally {
    await admin.end();
  }
  const pooled = (which: 'with' | 'without', name: string) => {
    const all = new Float64Array(samples[which].reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of samples[which]) {
      all.set(a, at);
      at += a.length;
    }
    return figure(name, 'tx', all, time[which], cpuMs[which] / time[which]);
  };
  const constrained = pooled('with', 'commitment inserts, with exclusion (holdCommitments)');
  const unconstrained = pooled('without', 'same inserts into the copy without it');
  const [{ real, copy }] = (await inScopedTransaction(ds, { kind: 'all' }, (m) =>
    m.query(`SELECT (SELECT count(*) FROM scheduling.commitments)::int AS real, (SELECT count(*) FROM scheduling.${COPY})::int AS copy`),
  )) as [{ real: number; copy: number }];
  if (real !== copy) throw new Error(`the two tables hold ${real} and ${copy} commitments after the same inserts`);
  return { rows: rows.length, constrained, unconstrained };
}

async function main(): Promise<void> {
  const params = parameters();
  const teardown = new Teardown();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping`);
      void teardown.run().finally(() => process.exit(130));
    });
  }
  const runStarted = Date.now();
  const loadAtStart = loadavg()[0]!;
  let clean = false;
  try {
    const serverUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    progress('provisioning a scratch database with scheduling migrations');
    const scratch = await createScratch(serverUrl);
    teardown.add(`database ${scratch.name}`, () => scratch.drop());
    // One connection per booker, plus one for the counts.
    process.env['DB_POOL_SIZE'] ??= String(params.bookers + 2);
    const poolSize = Number(process.env['DB_POOL_SIZE']);
    const ds = createServiceDataSource(SERVICE, [SiteEntity], scratch.serviceUrl);
    await ds.initialize();
    teardown.add('data source', () => ds.destroy());
    const outbox = new Outbox(SERVICE);
    const [pg] = (await ds.query(`SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sc`)) as [
      { version: string; sc: string },
    ];

    progress(`seeding ${params.sites} sites × ${params.tracks} tracks, ${params.patients} patients awaiting placement`);
    process.env['SCHEDULING_HORIZON_WEEKS'] = String(params.weeks);
    const { sites, patients } = await seed(ds, params);

    progress(`materialising ${params.weeks} weeks`);
    const mat = await materialiseAll(ds, outbox, sites);
    if (mat.sessions === 0) throw new Error('materialisation created no sessions');

    progress(`placing ${patients.length} patients, ${params.bookers} bookers`);
    // Shuffled, so bookers meet each other on the same tracks' session rows as a busy intake team would.
    const order = [...patients].sort(() => Math.random() - 0.5);
    const placed = await placeAll(ds, outbox, order, params.bookers);
    if (placed.figure.count === 0) throw new Error(`no placement succeeded: ${JSON.stringify(placed.refused)}`);

    progress('the same commitments again: with the exclusion constraint, then into the copy without it');
    const cost = await constraintCost(ds, scratch, new Map(sites.map((s) => [s.siteId, s.timeZone])), params.bookers);

    const elapsedSeconds = (Date.now() - runStarted) / 1000;
    const context = {
      params,
      poolSize,
      machine: { cores: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', node: process.version, loadAtStart, loadAtEnd: loadavg()[0]! },
      postgres: { version: pg.version, synchronousCommit: pg.sc },
      elapsedSeconds,
    };
    print(context, mat, placed, cost);
    writeJson(context, mat, placed, cost);
  } finally {
    progress('cleaning up');
    clean = await teardown.run();
  }
  if (!clean) throw new Error('the figures are above, but something could not be removed (see the lines before)');
}

type Context = {
  params: Parameters;
  poolSize: number;
  machine: { cores: number; cpuModel: string; node: string; loadAtStart: number; loadAtEnd: number };
  postgres: { version: string; synchronousCommit: string };
  elapsedSeconds: number;
};

function print(c: Context, mat: Materialisation, placed: Placements, cost: ConstraintCost): void {
  const { params } = c;
  const out: string[] = [''];
  out.push(
    `machine: ${c.machine.cores} cores (${c.machine.cpuModel}), node ${c.machine.node}; load average ${c.machine.loadAtStart.toFixed(1)} at start, ${c.machine.loadAtEnd.toFixed(1)} at end; ` +
      `postgres ${c.postgres.version} (synchronous_commit ${c.postgres.synchronousCommit}), pool ${c.poolSize}`,
  );
  out.push(
    `setup: ${params.sites} sites × ${params.tracks} tracks (Mon–Fri, ${SESSIONS_PER_BLOCK} × ${SESSION_MINUTES} min a day, morning and afternoon blocks), ` +
      `${params.weeks} weeks; ${num(params.patients)} patients, plans of ${PLAN_WEEKLY_MINUTES} group min/week; ${params.bookers} concurrent bookers; events to the real outbox (no relay)`,
  );
  out.push('');
  out.push(
    table(
      ['materialisation', 'tracks', 'sessions', 'staff commitments', 'events', 'seconds', 'sessions/s', 'per track p50 ms', 'p99 ms', 'node CPU'],
      [
        [
          'materialise(), one tx per track',
          num(mat.tracks),
          num(mat.sessions),
          num(mat.staffCommitments),
          num(mat.events),
          mat.seconds.toFixed(2),
          num(mat.sessions / mat.seconds),
          ms(mat.perTrack.p50Ms),
          ms(mat.perTrack.p99Ms),
          `${Math.round(mat.nodeCpu * 100)}%`,
        ],
      ],
    ),
  );
  out.push('');
  const row = (f: Figure) => [
    f.name,
    `${num(f.perSecond, 1)} ${f.unit}/s`,
    ...latencyCells(f.latency),
    num(f.count),
    f.seconds.toFixed(1),
    `${Math.round(f.nodeCpu * 100)}%`,
  ];
  out.push(
    table(
      ['booking', 'rate', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'count', 'seconds', 'node CPU'],
      [placed.figure, cost.constrained, cost.unconstrained].map(row),
    ),
  );
  const refused = Object.entries(placed.refused);
  out.push(
    `placements: ${num(placed.seatsTotal)} seats (${num(placed.seats.p50Ms)} per patient at p50), ${num(placed.events)} events, ${num(placed.auditRows)} audit rows; ` +
      `refused: ${refused.length ? refused.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`,
  );
  out.push(
    `constraint phases: the placements' ${num(cost.rows)} patient commitments, one tx per patient, ${params.bookers} writers, over the same staff commitments; each side twice (with, without, without, with), pooled`,
  );
  out.push('');
  const share = (cost.constrained.latency.p50Ms - cost.unconstrained.latency.p50Ms) / placed.figure.latency.p50Ms;
  out.push(
    table(
      ['ratio', 'value'],
      [
        ['with ÷ without exclusion: tx/s', ratio(cost.constrained.perSecond, cost.unconstrained.perSecond)],
        ['with ÷ without exclusion: p50 latency', ratio(cost.constrained.latency.p50Ms, cost.unconstrained.latency.p50Ms)],
        ['with ÷ without exclusion: p99 latency', ratio(cost.constrained.latency.p99Ms, cost.unconstrained.latency.p99Ms)],
        ['(with − without) p50 ÷ placement p50', Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : 'n/a'],
      ],
    ),
  );
  const over = c.elapsedSeconds > BUDGET_SECONDS ? ` (over the ${BUDGET_SECONDS} s budget)` : '';
  out.push(`run took ${c.elapsedSeconds.toFixed(0)} s${over}; figures also in ${OUTPUT.replace(`${ROOT}/`, '')}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function writeJson(c: Context, mat: Materialisation, placed: Placements, cost: ConstraintCost): void {
  const document = {
    benchmark: 'scheduling',
    at: new Date().toISOString(),
    ...c,
    figures: { materialisation: mat, placement: placed, commitmentsWithExclusion: cost.constrained, commitmentsWithoutExclusion: cost.unconstrained },
    ratios: {
      txPerSecond: cost.constrained.perSecond / cost.unconstrained.perSecond,
      p50: cost.constrained.latency.p50Ms / cost.unconstrained.latency.p50Ms,
      p99: cost.constrained.latency.p99Ms / cost.unconstrained.latency.p99Ms,
      constraintShareOfPlacementP50: (cost.constrained.latency.p50Ms - cost.unconstrained.latency.p50Ms) / placed.figure.latency.p50Ms,
    },
  };
  mkdirSync(resolve(OUTPUT, '..'), { recursive: true });
  writeFileSync(OUTPUT, `${JSON.stringify(document, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`\nscheduling benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
