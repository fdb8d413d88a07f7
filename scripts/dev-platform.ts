/**
 * The platform for development (`npm start` runs this after scripts/start.sh): the staff console at
 * http://127.0.0.1:3000 (built by start.sh; its address is printed first), the development Kafka broker
 * unless KAFKA_BROKERS names one, the five services as processes, and a small demo network of three sites,
 * then the addresses and tokens to try it with. Ctrl-C stops everything it started.
 *
 *   DATABASE_URL   administrative Postgres URL (default postgres://postgres@127.0.0.1:5432/iop); only the migrate
 *                  step that runs before the services uses it: each service logs in as its own role iop_<service>
 *                  (IOP_<SERVICE>_DATABASE_URL, derived from DATABASE_URL without a password unless set)
 *   REDIS_URL      default redis://127.0.0.1:6379
 *   KAFKA_BROKERS  a running cluster; otherwise an in-memory development broker starts
 *   CLEARINGHOUSE_URL  a clearinghouse for insurance's 270s; otherwise the payer simulator starts on :3099
 *   LOG_LEVEL      the services' log level (default info; full logs go to .run/logs/<service>.log)
 *   CONSOLE_LOG_LEVEL  what of those logs also shows here (default warn)
 */
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { mintDevelopmentToken } from '@iop/auth';
import { SERVICES, SiteUpdated, type Address } from '@iop/contracts';
import { Outbox } from '@iop/messaging';
import {
  DEFAULT_SERVICE_PORTS,
  WORKSPACE_ROOT,
  startDevBroker,
  startPlatformProcesses,
  writeTopicsFile,
  type DevBroker,
  type LogLevel,
  type PlatformProcesses,
} from '@iop/testing';
// The simulator is the demo's clearinghouse and payers; scripts/ is outside the module boundaries.
import { SCENARIOS, startPayerSimulator, type PayerSimulator } from '../apps/payer-simulator/src/payer-simulator';
import { seedDemoAftercare } from './demo-aftercare';
// The console's server (static files, the same-origin proxy, development sign-in); scripts/ is outside the module boundaries.
import { startConsoleServer, type ConsoleServer } from '../apps/console/server';
import { seedDemoWeek } from './demo-week';

interface SiteDetails {
  readonly name: string;
  readonly address: Address;
  readonly timeZone: string;
  readonly capacity: number;
}
interface Site extends SiteDetails {
  readonly siteId: string;
  readonly revision: number;
}

/** Two time zones, so that "this week" and session times differ between sites from the start. */
const DEMO_SITES: readonly SiteDetails[] = [
  {
    name: 'Back Bay Recovery Center',
    address: { line1: '300 Boylston Street', city: 'Boston', state: 'MA', postalCode: '02116' },
    timeZone: 'America/New_York',
    capacity: 40,
  },
  {
    name: 'Hudson Valley IOP',
    address: { line1: '25 Market Street', city: 'Poughkeepsie', state: 'NY', postalCode: '12601' },
    timeZone: 'America/New_York',
    capacity: 30,
  },
  {
    name: 'Mission Bay Recovery',
    address: { line1: '1600 Owens Street', city: 'San Francisco', state: 'CA', postalCode: '94158' },
    timeZone: 'America/Los_Angeles',
    capacity: 35,
  },
];

/** Every service but scheduling keeps a site directory from scheduling's site events. */
const DIRECTORIES = SERVICES.filter((s) => s !== 'scheduling');
const RUN_DIR = resolve(WORKSPACE_ROOT, '.run');
const LOG_DIR = resolve(RUN_DIR, 'logs');

const say = (line = ''): void => void process.stdout.write(`${line}\n`);

const cancel = new AbortController();
const SIMULATOR_PORT = 3099;
const CONSOLE_PORT = 3000;
const running: { console?: ConsoleServer; broker?: DevBroker; simulator?: PayerSimulator; platform?: PlatformProcesses; stopping?: Promise<void> } = {};

function stopEverything(): Promise<void> {
  running.stopping ??= (async () => {
    cancel.abort();
    await running.console?.close();
    // Services first, so that they leave their consumer groups while the broker is still there.
    const platform = running.platform;
    if (platform) {
      await platform.stop();
      for (const service of Object.values(platform.services)) {
        if ((await service.exited).signal === 'SIGKILL') say(`[dev] ${service.service} did not stop within the grace period and was killed`);
      }
    }
    await running.simulator?.close();
    await running.broker?.stop();
  })();
  return running.stopping;
}

// SIGHUP too: a closed terminal must not leave the services (in their own process groups) running.
let firstSignalAt = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // Under `npm start` one Ctrl-C arrives twice: from the terminal to the process group, and forwarded by npm.
    if (running.stopping && Date.now() - firstSignalAt < 1_000) return;
    if (running.stopping) {
      say('[dev] stopping now (SIGKILL)');
      // The launcher's exit hook kills the services; the broker goes with its parent.
      process.exit(130);
    }
    firstSignalAt = Date.now();
    say(`\n[dev] ${signal}: stopping the services${running.broker ? ' and the Kafka broker' : ''} (again to force)`);
    void stopEverything().then(() => {
      say('[dev] stopped');
      process.exit(0);
    });
  });
}

async function main(): Promise<void> {
  const began = Date.now();
  const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/iop';
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  await assertPortsFree();
  running.console = await startConsoleServer({
    port: CONSOLE_PORT,
    services: Object.fromEntries(SERVICES.map((s) => [s, `http://127.0.0.1:${DEFAULT_SERVICE_PORTS[s]}`])) as Record<(typeof SERVICES)[number], string>,
  });
  say(`[dev] console: ${running.console.url} (the services behind it are starting)`);

  let kafkaBrokers = process.env['KAFKA_BROKERS'];
  if (!kafkaBrokers) {
    const workDir = resolve(RUN_DIR, 'kafka');
    running.broker = await startDevBroker({ brokers: 3, workDir, topicsFile: writeTopicsFile(resolve(workDir, 'topics.txt')) });
    kafkaBrokers = running.broker.bootstrap.join(',');
    say(`[dev] development Kafka broker (in memory) on ${kafkaBrokers}`);
  }

  let clearinghouseUrl = process.env['CLEARINGHOUSE_URL'];
  if (!clearinghouseUrl) {
    running.simulator = await startPayerSimulator({ port: SIMULATOR_PORT, slowMs: 15_000 });
    clearinghouseUrl = running.simulator.url;
    say(`[dev] payer simulator answering insurance's 270s on ${clearinghouseUrl}`);
  }

  say(`[dev] migrating, then starting ${SERVICES.join(', ')} (logs in .run/logs/)`);
  running.platform = await startPlatformProcesses({
    ports: DEFAULT_SERVICE_PORTS,
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: kafkaBrokers,
      CLEARINGHOUSE_URL: clearinghouseUrl,
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
    },
    logs: { dir: LOG_DIR, forwardTo: process.stdout, forwardLevel: consoleLogLevel() },
    signal: cancel.signal,
  });
  const platform = running.platform;
  say(`[dev] services ready in ${seconds(platform.startupMs)}`);
  for (const service of Object.values(platform.services)) {
    void service.exited.then(({ code, signal }) => {
      if (!running.stopping) say(`[dev] ${service.service} stopped unexpectedly (${signal ?? `exit code ${code}`}); see .run/logs/${service.service}.log`);
    });
  }

  const adminToken = await mintDevelopmentToken({ subject: 'dev-network-admin', roles: ['network_admin'] });
  const scheduling = platform.service('scheduling').url;
  const sites = await seedDemoNetwork(scheduling, adminToken);
  const everySite = await api<Site[]>('GET', `${scheduling}/sites`, adminToken);
  await makeDirectoriesKnow(everySite, platform, adminToken, databaseUrl);
  for (const site of sites) {
    if (await seedDemoWeek((method, url, body) => api(method, url, adminToken, body), `${scheduling}/sites/${site.siteId}`)) {
      say(`[dev] ${site.name}: two programs, four clinicians, three rooms, a morning and an evening track with 12 weeks of sessions`);
    }
  }

  const first = sites[0]!;
  const coordinatorToken = await mintDevelopmentToken({ subject: 'dev-intake-coordinator', roles: ['intake_coordinator'], sites: [first.siteId] });
  const clinicianToken = await mintDevelopmentToken({ subject: 'dev-clinician', roles: ['clinician'], sites: [first.siteId] });
  const seededAftercare = await seedDemoAftercare({
    call,
    intakeUrl: platform.service('intake').url,
    aftercareUrl: platform.service('aftercare').url,
    siteId: first.siteId,
    timeZone: first.timeZone,
    coordinator: coordinatorToken,
    clinician: clinicianToken,
    databaseUrl,
  });
  say(
    seededAftercare
      ? `[dev] ${first.name}: three patients admitted and discharged 6, 8 and 29 days ago, their follow-ups due or overdue in aftercare`
      : `[dev] ${first.name}: the discharged demo patients are already there`,
  );
  const insuranceToken = await mintDevelopmentToken({ subject: 'dev-insurance-coordinator', roles: ['insurance_coordinator'], sites: [first.siteId] });
  printSummary(platform, sites, { admin: adminToken, intake: coordinatorToken, insurance: insuranceToken }, clearinghouseUrl, Date.now() - began);
}

/** Registers the demo sites that do not exist yet (by name); returns all three as scheduling has them. */
async function seedDemoNetwork(scheduling: string, token: string): Promise<Site[]> {
  const byName = async () => new Map((await api<Site[]>('GET', `${scheduling}/sites`, token)).map((s) => [s.name.toLowerCase(), s]));
  const existing = await byName();
  const created: string[] = [];
  for (const site of DEMO_SITES) {
    if (existing.has(site.name.toLowerCase())) continue;
    await api<Site>('POST', `${scheduling}/sites`, token, site);
    created.push(site.name);
  }
  say(created.length ? `[dev] registered demo sites: ${created.join(', ')}` : '[dev] demo sites already registered');
  const now = await byName();
  return DEMO_SITES.map((d) => now.get(d.name.toLowerCase())!);
}

/**
 * Waits until every site directory knows every site at its current revision. With the same database
 * they already do (the directories live in Postgres next to scheduling's sites), and with a new one
 * the registrations just made fill them through Kafka. The gap is events the development broker lost
 * with its memory: published by an earlier run that stopped before every consumer had read them.
 * Those sites are announced again; directories keep the newest revision, so a repeat changes nothing.
 */
async function makeDirectoriesKnow(sites: readonly Site[], platform: PlatformProcesses, token: string, databaseUrl: string): Promise<void> {
  let missing = await waitForDirectories(sites, platform, token, 10_000);
  if (missing.size > 0) {
    say(`[dev] the site directories lack ${missing.size} site(s), probably from an earlier run's events the in-memory broker lost; announcing them again`);
    await announceAgain([...missing.values()], databaseUrl);
    missing = await waitForDirectories(sites, platform, token, 30_000);
  }
  if (missing.size > 0) {
    say(`[dev] WARNING: still not in every site directory: ${[...missing.values()].map((s) => s.name).join(', ')}; check the services' logs in .run/logs/`);
  } else {
    say(`[dev] all ${DIRECTORIES.length} site directories know the ${sites.length} site(s)`);
  }
}

/** The sites some directory still lacks (or has at an older revision) when everything agrees or time is up. */
async function waitForDirectories(sites: readonly Site[], platform: PlatformProcesses, token: string, timeoutMs: number): Promise<Map<string, Site>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = new Map<string, Site>();
    for (const service of DIRECTORIES) {
      const known = new Map((await api<Site[]>('GET', `${platform.service(service).url}/site-directory`, token)).map((s) => [s.siteId, s.revision]));
      for (const site of sites) if ((known.get(site.siteId) ?? 0) < site.revision) missing.set(site.siteId, site);
    }
    if (missing.size === 0 || Date.now() > deadline) return missing;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Puts the sites' current state in scheduling's outbox, as its relay will publish it. */
async function announceAgain(sites: readonly Site[], databaseUrl: string): Promise<void> {
  const dataSource = await new DataSource({ type: 'postgres', url: databaseUrl, logging: false }).initialize();
  try {
    const occurredAt = new Date().toISOString();
    await dataSource.transaction((manager) =>
      new Outbox('scheduling').addMany(
        manager,
        SiteUpdated,
        sites.map(({ siteId, name, address, timeZone, capacity, revision }) => ({ siteId, name, address, timeZone, capacity, revision, occurredAt })),
      ),
    );
  } finally {
    await dataSource.destroy();
  }
}

async function api<T>(method: 'GET' | 'POST', url: string, token: string, body?: unknown): Promise<T> {
  const { status, text } = await send(method, url, token, body);
  if (status < 200 || status > 299) throw new Error(`${method} ${url} answered ${status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Like api, but answers the status and body of any answer (callers that retry or decide on a 4xx). */
async function call(method: 'GET' | 'POST', url: string, token: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const { status, text } = await send(method, url, token, body);
  return { status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

async function send(method: 'GET' | 'POST', url: string, token: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.any([cancel.signal, AbortSignal.timeout(10_000)]),
  });
  return { status: response.status, text: await response.text() };
}

async function assertPortsFree(): Promise<void> {
  const wanted: Array<[string, number]> = [['console', CONSOLE_PORT], ...Object.entries(DEFAULT_SERVICE_PORTS)];
  if (!process.env['CLEARINGHOUSE_URL']) wanted.push(['payer simulator', SIMULATOR_PORT]);
  for (const [service, port] of wanted) {
    const free = await new Promise<boolean>((answer) => {
      const probe = createServer().once('error', () => answer(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => answer(true)));
    });
    if (!free) throw new Error(`port ${port} (${service}) is already in use: is another \`npm start\` running? Stop it first.`);
  }
}

function consoleLogLevel(): LogLevel {
  const wanted = process.env['CONSOLE_LOG_LEVEL'] ?? 'warn';
  const levels: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  return levels.find((l) => l === wanted) ?? 'warn';
}

function printSummary(
  platform: PlatformProcesses,
  sites: readonly Site[],
  tokens: { admin: string; intake: string; insurance: string },
  clearinghouseUrl: string,
  elapsedMs: number,
): void {
  const pad = Math.max(...SERVICES.map((s) => s.length)) + 2;
  const first = sites[0]!;
  say();
  say(`IOP platform running (ready in ${seconds(elapsedMs)})`);
  say();
  say(`Console     ${running.console?.url ?? `http://127.0.0.1:${CONSOLE_PORT}`}   (development sign-in: pick a role and a site)`);
  say();
  say('OpenAPI UI');
  for (const service of SERVICES) say(`  ${service.padEnd(pad)}${platform.service(service).url}/docs`);
  say();
  say('Demo sites');
  const namePad = Math.max(...sites.map((s) => s.name.length)) + 2;
  for (const site of sites) say(`  ${site.name.padEnd(namePad)}${site.timeZone.padEnd(22)}${site.siteId}`);
  say();
  say('Development tokens (8 hours)');
  say('  network admin:');
  say(`    ${tokens.admin}`);
  say(`  intake coordinator at ${first.name}:`);
  say(`    ${tokens.intake}`);
  say(`  insurance coordinator at ${first.name}:`);
  say(`    ${tokens.insurance}`);
  say(`  others: npm run token -- --role clinician --site ${first.siteId}`);
  say(`  the discharged demo patients' follow-ups (clinician token): ${platform.service('aftercare').url}/sites/${first.siteId}/discharges?status=signed`);
  say();
  say('Try');
  say(`  curl -H "authorization: Bearer <network admin token>" ${platform.service('scheduling').url}/sites`);
  say(`  curl -H "authorization: Bearer <network admin token>" ${platform.service('intake').url}/site-directory`);
  say(
    `  curl -H "authorization: Bearer <network admin token>" "${platform.service('scheduling').url}/sites/${first.siteId}/sessions?from=<YYYY-MM-DD>&to=<YYYY-MM-DD>"`,
  );
  say(`  curl -H "authorization: Bearer <network admin token>" ${platform.service('scheduling').url}/sites/${first.siteId}/tracks`);
  say();
  if (running.simulator) {
    say(`Payer simulator (the demo's clearinghouse) on ${clearinghouseUrl}: a coverage's member id picks the payer's answer by prefix`);
    say(`  ACTIVE... (or anything else) active, ACTIVECOPAY..., INACTIVE..., AAA72... (bad member id), CARVEOUT..., SLOW..., ERROR...`);
    say(`  scenarios: ${SCENARIOS.join(', ')}`);
  } else {
    say(`Clearinghouse: ${clearinghouseUrl}`);
  }
  say();
  say(`Logs in .run/logs/<service>.log (warnings and errors also show here). Ctrl-C stops everything.`);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

main().catch(async (error: unknown) => {
  // A Ctrl-C during start-up cancels it; the signal handler is already stopping everything.
  if (cancel.signal.aborted) return;
  process.stderr.write(`[dev] ${error instanceof Error ? error.message : String(error)}\n`);
  await stopEverything();
  process.exit(1);
});
