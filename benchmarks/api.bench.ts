/**
 * HTTP reads and writes of the intake service as a client sees them, with /health/live in the same run as the
 * ceiling of the process stack, and how list and pipeline reads grow with the referrals a site has kept.
 *
 *   npm run bench:api [-- --rows 100000 --seconds 8 --growth-seconds 5 --connections 10 --rate 100 --profile]
 *
 * Starts its own development broker unless KAFKA_BROKERS is set, runs intake as a real process (migrate step
 * and all) on a scratch database on DATABASE_URL's server, and removes both at the end. Load comes from
 * autocannon in this process. Prints tables and writes .run/bench/api.json; benchmarks/README.md says what
 * each figure means.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { mintDevelopmentToken } from '@iop/auth';
import { assertSqlIdentifier } from '@iop/persistence';
import { startDevBroker, startPlatformProcesses, writeTopicsFile, type DevBroker, type PlatformProcesses } from '@iop/testing';
import { withDatabase } from './support/bench-infrastructure';
import { processCpuMs } from './support/cpu';
import { describeError } from './support/figures';
import { ms, num, ratio, table } from './support/report';

const ROOT = resolve(__dirname, '..');
const BENCH_DIR = resolve(ROOT, '.run/bench');
const OUTPUT = resolve(BENCH_DIR, 'api.json');
const GROWTH_LEVELS = [1_000, 10_000, 100_000];

interface Parameters {
  readonly rows: number;
  readonly seconds: number;
  readonly growthSeconds: number;
  readonly fixedSeconds: number;
  readonly connections: number;
  readonly rate: number;
  readonly seedReferrals: number;
  readonly profile: boolean;
}

function parameters(): Parameters {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      seconds: { type: 'string', default: '8' },
      'growth-seconds': { type: 'string', default: '5' },
      'fixed-seconds': { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      rate: { type: 'string', default: '100' },
      seed: { type: 'string', default: '200' },
      profile: { type: 'boolean', default: false },
    },
  });
  const whole = (name: string, text: string | undefined, min = 1): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
    return n;
  };
  return {
    rows: whole('rows', values.rows, 0),
    seconds: whole('seconds', values.seconds),
    growthSeconds: whole('growth-seconds', values['growth-seconds']),
    fixedSeconds: whole('fixed-seconds', values['fixed-seconds']),
    connections: whole('connections', values.connections),
    rate: whole('rate', values.rate),
    seedReferrals: whole('seed', values.seed, 20),
    profile: values.profile,
  };
}

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** One measured phase: what autocannon saw, reduced to what the tables print. */
interface Phase {
  readonly name: string;
  readonly connections: number;
  readonly offeredRate?: number;
  readonly seconds: number;
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly non2xx: number;
  readonly errors: number;
  /** CPU time per answered request: the service process, the Postgres backends serving it, and this process (autocannon); null without /proc. */
  readonly cpuMsPerRequest: { readonly service: number; readonly postgres: number; readonly loadGenerator: number } | null;
}

type RequestShape = { method?: string; path: string; headers?: Record<string, string>; body?: string };

/**
 * GETs at a steady `rate`, open loop: request i is sent at start + i/rate whatever the answers before it, and its
 * latency runs from that moment (so a stall counts for every request it delays). autocannon's `overallRate` is not
 * this: each connection sends its share of a second back to back as the second starts, then waits, which measures a
 * burst of `connections` clients once a second.
 */
async function paced(baseUrl: string, name: string, nextPath: () => string, options: { rate: number; seconds: number; token: string }): Promise<Phase> {
  const count = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    const path = nextPath();
    inFlight.push(
      fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${options.token}` } })
        .then(async (response) => {
          await response.arrayBuffer();
          if (response.status >= 200 && response.status < 300) latencies.push(performance.now() - due);
          else non2xx++;
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN);
  if (non2xx > 0 || errors > 0) progress(`warning: ${name}: ${non2xx} non-2xx answers, ${errors} errors`);
  return {
    name,
    connections: 0,
    offeredRate: options.rate,
    seconds,
    requests: count,
    perSecond: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
    non2xx,
    errors,
    cpuMsPerRequest: null,
  };
}

/** `next` is called for every request, so each can have its own id, cursor or Idempotency-Key. */
async function load(
  baseUrl: string,
  name: string,
  next: () => RequestShape,
  options: { seconds: number; connections: number; rate?: number; token?: string; cpu?: CpuMeter; idleCpuPerSecond?: IdleCpu },
): Promise<Phase> {
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const cpuBefore = await options.cpu?.();
  const startedAt = Date.now();
  const result = await autocannon({
    url: baseUrl,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: [
      {
        setupRequest: (request) => {
          const shape = next();
          return {
            ...request,
            method: shape.method ?? 'GET',
            path: shape.path,
            headers: { ...auth, ...(shape.headers ?? {}) },
            ...(shape.body ? { body: shape.body } : {}),
          };
        },
      },
    ],
  });
  const total = result['2xx'] + result.non2xx;
  const cpuAfter = await options.cpu?.();
  // What intake and its backends burn with no request at all (consumers, relay, timers), for as long as the phase ran.
  const idleMs = (kind: 'service' | 'postgres') => (options.idleCpuPerSecond?.[kind] ?? 0) * ((Date.now() - startedAt) / 1000);
  const phase: Phase = {
    name,
    connections: options.connections,
    ...(options.rate ? { offeredRate: options.rate } : {}),
    seconds: result.duration,
    requests: total,
    perSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuMsPerRequest:
      cpuBefore && cpuAfter && total > 0
        ? {
            service: Math.max(0, cpuAfter.service - cpuBefore.service - idleMs('service')) / total,
            postgres: Math.max(0, cpuSince(cpuBefore.postgres, cpuAfter.postgres) - idleMs('postgres')) / total,
            loadGenerator: (cpuAfter.loadGenerator - cpuBefore.loadGenerator) / total,
          }
        : null,
  };
  if (phase.non2xx > 0 || phase.errors > 0) {
    const codes = Object.entries(result.statusCodeStats ?? {})
      .map(([code, { count }]) => `${code}×${count}`)
      .join(' ');
    progress(`warning: ${name}: ${phase.non2xx} non-2xx answers (${codes}), ${phase.errors} errors or timeouts`);
  }
  return phase;
}

/** CPU time so far (ms): the service process, and each Postgres backend connected to the bench database by pid. */
type CpuMeter = () => Promise<{ service: number; postgres: Map<number, number>; loadGenerator: number } | undefined>;

/** CPU ms per second that the service and its Postgres backends use while no request comes. */
type IdleCpu = { readonly service: number; readonly postgres: number };

async function idleCpu(cpu: CpuMeter, seconds: number): Promise<IdleCpu | undefined> {
  const before = await cpu();
  const startedAt = Date.now();
  await new Promise((done) => setTimeout(done, seconds * 1000));
  const after = await cpu();
  const elapsed = (Date.now() - startedAt) / 1000;
  if (!before || !after) return undefined;
  return { service: (after.service - before.service) / elapsed, postgres: cpuSince(before.postgres, after.postgres) / elapsed };
}

function cpuMeter(servicePid: number, admin: Client, database: string): CpuMeter {
  return async () => {
    const service = processCpuMs(servicePid);
    if (service === undefined) return undefined;
    const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
    const postgres = new Map<number, number>();
    for (const { pid } of rows) {
      const used = processCpuMs(pid);
      if (used !== undefined) postgres.set(pid, used);
    }
    const own = process.cpuUsage();
    return { service, postgres, loadGenerator: (own.user + own.system) / 1000 };
  };
}

/** Postgres CPU between two readings: backends seen in both, plus those that connected in between (all of theirs). */
function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, ms] of after) used += ms - (before.get(pid) ?? 0);
  return used;
}

async function api<T>(baseUrl: string, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 400)}`);
  return JSON.parse(text) as T;
}

let callerCounter = 0;
/** A new caller each time (unique names and phone), so a write never links to a patient on file. */
function newReferralBody(siteId: string) {
  const n = ++callerCounter;
  const tag = randomBytes(4).toString('hex');
  return {
    siteId,
    source: 'self',
    caller: {
      givenName: `Bench${tag}`,
      familyName: `Caller${n}`,
      dateOfBirth: `19${50 + (n % 50)}-0${1 + (n % 9)}-1${n % 10}`,
      phone: `555${String(n).padStart(7, '0')}`,
    },
    presentingConcerns: ['alcohol'],
  };
}

function postReferral(siteId: string): RequestShape {
  return {
    method: 'POST',
    path: '/referrals',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(newReferralBody(siteId)),
  };
}

/** Sites straight into intake's directory (as scheduling's events would put them), so only intake needs to run. */
async function registerSites(admin: Client, sites: ReadonlyArray<{ siteId: string; name: string }>): Promise<void> {
  for (const site of sites) {
    await admin.query(
      `INSERT INTO intake.site_directory (site_id, name, time_zone, capacity, revision, updated_at) VALUES ($1, $2, 'America/New_York', 40, 1, now())`,
      [site.siteId, site.name],
    );
  }
}

/**
 * The documented bulk path: the same patient and referral rows CreateReferral writes (plus the lifecycle columns
 * the later steps set), made with generate_series as the administrator, without the outbox and audit rows a
 * create also writes (reads do not look at them). Referrals go back 15 minutes apiece, so 100,000 are about three
 * years of a busy site's history; most are closed or admitted, as history is. Row `i` is the same whichever level
 * added it. Triggers on the tables fire as they do for the service's writes.
 */
async function seedSite(admin: Client, siteId: string, from: number, to: number): Promise<void> {
  const step = 20_000;
  for (let start = from + 1; start <= to; start += step) {
    const end = Math.min(to, start + step - 1);
    await admin.query(
      `WITH s AS (
         SELECT i, gen_random_uuid() AS patient_id, gen_random_uuid() AS referral_id,
                now() - make_interval(mins => i * 15) AS received_at,
                (ARRAY['closed','closed','closed','admitted','admitted','assessed','assessment-booked','pre-screened','contacted','new'])[1 + i % 10] AS stage
           FROM generate_series($2::int, $3::int) AS i
       ), p AS (
         INSERT INTO intake.patients (patient_id, site_id, given_name, family_name, date_of_birth, phone, phone_normalised, created_at)
         SELECT patient_id, $1, 'Seed' || i, 'Patient' || i, date '1960-01-01' + (i % 15000), '555' || lpad(i::text, 7, '0'), '555' || lpad(i::text, 7, '0'), received_at
           FROM s
       )
       INSERT INTO intake.referrals (referral_id, patient_id, site_id, source, urgency, presenting_concerns, stage, received_at, last_changed_at,
                                     closure, assessed_at, admitted_at, created_by)
       SELECT referral_id, patient_id, $1, 'self', 'routine', ARRAY['alcohol'], stage, received_at,
              received_at + make_interval(days => 1 + i % 30),
              CASE WHEN stage = 'closed' THEN jsonb_build_object('reason', jsonb_build_object('kind', 'declined'),
                     'closedAt', to_char((received_at + make_interval(days => 1 + i % 30)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                     'closedAtStage', 'contacted') END,
              CASE WHEN stage IN ('assessed', 'admitted') THEN received_at + make_interval(days => 1 + i % 20) END,
              CASE WHEN stage = 'admitted' THEN received_at + make_interval(days => 1 + i % 20 + i % 7) END,
              'bench-seed'
         FROM s`,
      [siteId, start, end],
    );
  }
  // What autovacuum does after a load: statistics for the planner, and the versions a bulk load leaves behind cleared
  // (a counter row the triggers bumped 20,000 times in one statement, when the read model has one).
  await admin.query('VACUUM ANALYZE intake.patients, intake.referrals');
  const readModel = (await admin.query(`SELECT to_regclass('intake.referral_counts') AS t`)).rows[0] as { t: string | null };
  if (readModel.t) await admin.query('VACUUM ANALYZE intake.referral_counts, intake.referral_durations');
}

interface GrowthRow {
  readonly rows: number;
  readonly read: Phase;
  readonly list: Phase;
  readonly page40: Phase;
  readonly cursor?: Phase;
  readonly pipeline: Phase;
}

interface Results {
  readonly health: Phase;
  readonly read: Phase;
  readonly list: Phase;
  readonly write: Phase;
  /** autocannon's `overallRate`: bursts once a second. */
  readonly bursts: Phase;
  /** The health endpoint paced as `fixed` is: the floor of the process stack at that rate. */
  readonly fixedHealth: Phase;
  /** The fixed rate as a clinic's traffic arrives: one request every 1/rate s. */
  readonly fixed: Phase;
  readonly growth: GrowthRow[];
}

async function main(): Promise<void> {
  const params = parameters();
  const started = Date.now();
  const suffix = randomBytes(4).toString('hex');
  const serverUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = assertSqlIdentifier(`iop_bench_api_${suffix}`);
  const adminUrl = withDatabase(serverUrl, dbName);
  const running: { broker?: DevBroker; platform?: PlatformProcesses; admin?: Client; dbCreated?: boolean } = {};
  const workDir = resolve(BENCH_DIR, `api-${process.pid}-${suffix}`);

  let stopping: Promise<boolean> | undefined;
  const teardown = (): Promise<boolean> =>
    (stopping ??= (async () => {
      let clean = true;
      const step = async (what: string, run: () => Promise<unknown>) => {
        try {
          await run();
        } catch (error) {
          clean = false;
          progress(`could not stop ${what}: ${describeError(error)}`);
        }
      };
      if (running.platform) await step('intake', () => running.platform!.stop());
      if (running.admin) await step('admin connection', () => running.admin!.end());
      if (running.broker) await step('Kafka', () => running.broker!.stop());
      await step(`database ${dbName}`, async () => {
        const client = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      });
      rmSync(resolve(workDir, 'kafka'), { recursive: true, force: true });
      return clean;
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping`);
      void teardown().finally(() => process.exit(130));
    });
  }

  let clean = false;
  try {
    let brokers = process.env['KAFKA_BROKERS'];
    if (!brokers) {
      progress('starting the development Kafka broker');
      const kafkaDir = resolve(workDir, 'kafka');
      running.broker = await startDevBroker({ brokers: 1, workDir: kafkaDir, topicsFile: writeTopicsFile(resolve(kafkaDir, 'topics.txt')) });
      brokers = running.broker.bootstrap.join(',');
    }
    const profileDir = resolve(BENCH_DIR, 'profiles');
    if (params.profile) mkdirSync(profileDir, { recursive: true });
    progress(`migrating ${dbName} and starting intake (logs in ${resolve(workDir, 'logs')})`);
    running.platform = await startPlatformProcesses({
      services: ['intake'],
      env: {
        DATABASE_URL: adminUrl,
        REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
        KAFKA_BROKERS: brokers,
        LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
        ...(params.profile ? { NODE_OPTIONS: `--require ${resolve(__dirname, 'support/cpu-profile.js')}`, IOP_CPU_PROFILE_DIR: profileDir } : {}),
      },
      logs: { dir: resolve(workDir, 'logs') },
    });
    running.dbCreated = true;
    const intake = running.platform.service('intake').url;

    running.admin = new Client({ connectionString: adminUrl });
    await running.admin.connect();
    const admin = running.admin;
    const siteA = { siteId: randomUUID(), name: 'Bench Main Site' };
    const siteG = { siteId: randomUUID(), name: 'Bench Growth Site' };
    await registerSites(admin, [siteA, siteG]);
    const token = await mintDevelopmentToken({ subject: 'bench-coordinator', roles: ['intake_coordinator'], sites: [siteA.siteId, siteG.siteId] });
    const loadAtStart = loadavg()[0]!;
    if (loadAtStart > cpus().length) progress(`warning: load average ${loadAtStart.toFixed(1)} on ${cpus().length} cores; the figures will be low and noisy`);
    const [pg] = (await admin.query(`SELECT current_setting('server_version') AS version`)).rows as [{ version: string }];

    progress(`seeding ${params.seedReferrals} referrals at the main site through POST /referrals`);
    const seeded: string[] = [];
    for (let i = 0; i < params.seedReferrals; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, params.seedReferrals - i) }, () =>
          api<{ referralId: string }>(intake, 'POST', '/referrals', token, newReferralBody(siteA.siteId), { 'idempotency-key': randomUUID() }),
        ),
      );
      seeded.push(...batch.map((b) => b.referralId));
    }
    const pick = (ids: readonly string[]) => ids[Math.floor(Math.random() * ids.length)]!;
    const c = params.connections;
    const cpu = cpuMeter(running.platform.service('intake').pid, admin, dbName);

    progress('warming up (JIT, pools)');
    await load(intake, 'warm-up', () => ({ path: `/referrals/${pick(seeded)}` }), { seconds: 3, connections: c, token });
    await load(intake, 'warm-up', () => ({ path: `/referrals?siteId=${siteA.siteId}&pageSize=20` }), { seconds: 2, connections: c, token });
    progress('measuring what intake and its Postgres backends use with no request (5 s)');
    const idle = await idleCpu(cpu, 5);
    const opts = { seconds: params.seconds, connections: c, token, cpu, ...(idle ? { idleCpuPerSecond: idle } : {}) };

    progress(`saturated phases: ${c} connections, ${params.seconds} s each`);
    const health = await load(intake, 'GET /health/live', () => ({ path: '/health/live' }), {
      seconds: params.seconds,
      connections: c,
      cpu,
      ...(idle ? { idleCpuPerSecond: idle } : {}),
    });
    const read = await load(intake, 'GET /referrals/{id}', () => ({ path: `/referrals/${pick(seeded)}` }), opts);
    const list = await load(intake, 'GET /referrals?siteId&pageSize=20', () => ({ path: `/referrals?siteId=${siteA.siteId}&pageSize=20` }), opts);
    progress(`fixed rate: GET /referrals/{id} at ${params.rate} req/s for ${params.fixedSeconds} s`);
    const bursts = await load(intake, `GET /referrals/{id} @ ${params.rate} req/s, autocannon`, () => ({ path: `/referrals/${pick(seeded)}` }), {
      ...opts,
      seconds: params.fixedSeconds,
      rate: params.rate,
    });
    const pacing = { rate: params.rate, seconds: params.fixedSeconds, token };
    const fixedHealth = await paced(intake, `GET /health/live @ ${params.rate} req/s, paced`, () => '/health/live', pacing);
    const fixed = await paced(intake, `GET /referrals/{id} @ ${params.rate} req/s, paced`, () => `/referrals/${pick(seeded)}`, pacing);
    const write = await load(intake, 'POST /referrals', () => postReferral(siteA.siteId), opts);

    const growth: GrowthRow[] = [];
    const levels = [
      ...new Set([...GROWTH_LEVELS.filter((l) => l <= params.rows), ...(params.rows > 0 && !GROWTH_LEVELS.includes(params.rows) ? [params.rows] : [])]),
    ].sort((a, b) => a - b);
    let have = 0;
    for (const level of levels) {
      progress(`growth: seeding the growth site to ${num(level)} referrals (bulk SQL path)`);
      const seedStarted = Date.now();
      await seedSite(admin, siteG.siteId, have, level);
      have = level;
      progress(`growth: seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s; measuring ${params.growthSeconds} s per endpoint`);
      const ids = (await admin.query(`SELECT referral_id FROM intake.referrals WHERE site_id = $1 ORDER BY random() LIMIT 500`, [siteG.siteId])).rows.map(
        (r: { referral_id: string }) => r.referral_id,
      );
      const g = { ...opts, seconds: params.growthSeconds };
      const listPath = `/referrals?siteId=${siteG.siteId}&pageSize=20`;
      // Keyset pagination where the service offers it: the cursor that starts page 40, taken once and replayed.
      const first = await api<{ nextCursor?: string | null }>(intake, 'GET', listPath, token);
      let cursor: string | undefined;
      if (first.nextCursor !== undefined && level >= 800) {
        cursor = first.nextCursor ?? undefined;
        for (let p = 2; p < 40 && cursor; p++)
          cursor = (await api<{ nextCursor?: string | null }>(intake, 'GET', `${listPath}&cursor=${cursor}`, token)).nextCursor ?? undefined;
      }
      growth.push({
        rows: level,
        read: await load(intake, `read @${level}`, () => ({ path: `/referrals/${pick(ids)}` }), g),
        list: await load(intake, `list @${level}`, () => ({ path: listPath }), g),
        page40: await load(intake, `list page 40 @${level}`, () => ({ path: `${listPath}&page=40` }), g),
        ...(cursor ? { cursor: await load(intake, `list cursor @${level}`, () => ({ path: `${listPath}&cursor=${cursor}` }), g) } : {}),
        pipeline: await load(intake, `pipeline @${level}`, () => ({ path: `/sites/${siteG.siteId}/pipeline` }), g),
      });
    }

    const results: Results = { health, read, list, write, bursts, fixedHealth, fixed, growth };
    const context = {
      params,
      machine: { cores: cpus().length, node: process.version, postgres: pg.version, loadAtStart, loadAtEnd: loadavg()[0]! },
      idleCpuPerSecond: idle ?? null,
      elapsedSeconds: (Date.now() - started) / 1000,
    };
    print(context, results);
    mkdirSync(BENCH_DIR, { recursive: true });
    writeFileSync(OUTPUT, JSON.stringify({ measuredAt: new Date().toISOString(), ...context, results }, null, 2));
    process.stdout.write(`\nwritten to ${OUTPUT}${params.profile ? `; CPU profiles of intake in ${profileDir} once it has stopped` : ''}\n`);
  } finally {
    progress('stopping');
    clean = await teardown();
  }
  if (!clean) throw new Error('the figures are above, but something could not be stopped or removed (see the lines before)');
}

type Context = {
  params: Parameters;
  machine: { cores: number; node: string; postgres: string; loadAtStart: number; loadAtEnd: number };
  idleCpuPerSecond: IdleCpu | null;
  elapsedSeconds: number;
};

function print({ params, machine, idleCpuPerSecond, elapsedSeconds }: Context, r: Results): void {
  const out: string[] = [];
  const cpuCell = (p: Phase) => {
    const cpu = p.cpuMsPerRequest;
    return cpu ? `${cpu.service.toFixed(2)} + ${cpu.postgres.toFixed(2)} + ${cpu.loadGenerator.toFixed(2)}` : 'n/a';
  };
  const row = (p: Phase) => [
    p.name,
    num(p.perSecond),
    ms(p.p50Ms),
    ms(p.p99Ms),
    ms(p.maxMs),
    ratio(p.perSecond, r.health.perSecond),
    cpuCell(p),
    num(p.non2xx + p.errors),
  ];
  out.push('');
  out.push(
    `API benchmark: intake as a process, ${params.connections} connections, ${params.seconds} s per phase; ${machine.cores} cores, node ${machine.node}, Postgres ${machine.postgres}; load ${machine.loadAtStart.toFixed(1)} at start`,
  );
  out.push('');
  if (idleCpuPerSecond) {
    out.push(
      `CPU per request is net of what intake and its Postgres backends use with no request (measured for 5 s: ${idleCpuPerSecond.service.toFixed(0)} + ${idleCpuPerSecond.postgres.toFixed(0)} ms per second)`,
    );
  }
  out.push(
    table(
      ['saturated', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '× health', 'CPU ms/req: intake + Postgres + autocannon', 'failed'],
      [row(r.health), row(r.read), row(r.list), row(r.write)],
    ),
  );
  out.push('');
  out.push(
    table(
      ['fixed rate', 'offered/s', 'served/s', 'p50 ms', 'p99 ms', 'max ms', 'failed'],
      [r.bursts, r.fixedHealth, r.fixed].map((f) => [
        f.name,
        num(f.offeredRate ?? 0),
        num(f.perSecond),
        ms(f.p50Ms),
        ms(f.p99Ms),
        ms(f.maxMs),
        num(f.non2xx + f.errors),
      ]),
    ),
  );
  out.push(
    `autocannon: ${r.bursts.connections} connections, each sending its share of a second back to back as the second starts (a burst of ${r.bursts.connections} clients once a second); paced: one request every ${ms(1000 / (r.fixed.offeredRate ?? 1))} ms, open loop, latency from when it was due.`,
  );
  out.push('');
  const readRatio = r.read.perSecond / r.health.perSecond;
  out.push(`target: single-patient read ≥ 0.5× health: ${readRatio.toFixed(2)}× (${readRatio >= 0.5 ? 'met' : 'not met'})`);
  if (r.read.cpuMsPerRequest && r.health.cpuMsPerRequest) {
    // What a request costs in CPU moves far less with the machine's other load than req/s does. On a machine the run
    // saturates, req/s ≈ cores ÷ CPU per request (service, Postgres and load generator), so their ratio is the same target.
    const cost = (p: Phase) => p.cpuMsPerRequest!.service + p.cpuMsPerRequest!.postgres + p.cpuMsPerRequest!.loadGenerator;
    const cpuRatio = cost(r.health) / cost(r.read);
    out.push(
      `        the same from CPU per request (intake + Postgres + autocannon), which other load moves far less: ${cpuRatio.toFixed(2)}× (${cpuRatio >= 0.5 ? 'met' : 'not met'})`,
    );
  }
  out.push(`target: read p99 < 20 ms at ${params.rate} req/s offered (paced): ${ms(r.fixed.p99Ms)} ms (${r.fixed.p99Ms < 20 ? 'met' : 'not met'})`);
  if (r.growth.length > 0) {
    const hasCursor = r.growth.some((g) => g.cursor);
    const cell = (p: Phase | undefined) => (p ? `${num(p.perSecond)} / ${ms(p.p99Ms)}` : 'n/a');
    out.push('');
    out.push(`growth: one site, req/s / p99 ms at each size (${params.growthSeconds} s per cell)`);
    const header = [
      'referrals at the site',
      'GET /referrals/{id}',
      'list pageSize=20',
      'list page=40',
      ...(hasCursor ? ['list cursor (page 40)'] : []),
      'GET /sites/{id}/pipeline',
    ];
    const rows = r.growth.map((g) => [num(g.rows), cell(g.read), cell(g.list), cell(g.page40), ...(hasCursor ? [cell(g.cursor)] : []), cell(g.pipeline)]);
    const base = r.growth[0]!;
    const last = r.growth[r.growth.length - 1]!;
    if (r.growth.length > 1) {
      // Cost = time per request at saturation; the target is ≤ 1.5× from the smallest size to the largest.
      const cost = (a: Phase | undefined, b: Phase | undefined) => (a && b ? `${ratio(a.perSecond, b.perSecond)}× / ${ratio(b.p99Ms, a.p99Ms)}×` : 'n/a');
      rows.push([
        `cost ${num(last.rows)} vs ${num(base.rows)}`,
        cost(base.read, last.read),
        cost(base.list, last.list),
        cost(base.page40, last.page40),
        ...(hasCursor ? [cost(base.cursor, last.cursor)] : []),
        cost(base.pipeline, last.pipeline),
      ]);
    }
    out.push(table(header, rows));
    if (r.growth.length > 1) out.push(`(cost row: slowdown in req/s and growth of p99 from ${num(base.rows)} to ${num(last.rows)} referrals; target ≤ 1.5×)`);
  }
  out.push('');
  out.push(`${elapsedSeconds.toFixed(0)} s in all; load average ${machine.loadAtEnd.toFixed(1)} at the end`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`api benchmark failed: ${describeError(error)}\n`);
    process.exit(1);
  },
);
