// Runs the platform's services as real Node processes, the way they run in production: each with its
// own OpenTelemetry SDK loaded before anything it instruments. Jest's module system defeats that
// patching, so tests about telemetry, signals or process boundaries use this; `npm start` does too.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVICES, type ServiceName } from '@iop/contracts';
import { adminDatabaseUrl, serviceDatabaseUrl, serviceDatabaseUrlVariable } from '@iop/persistence';
import { WORKSPACE_ROOT } from './test-environment';

/** The ports each service listens on when nobody says otherwise (README, docker-compose). */
export const DEFAULT_SERVICE_PORTS: Readonly<Record<ServiceName, number>> = {
  intake: 3001,
  insurance: 3002,
  scheduling: 3003,
  attendance: 3004,
  aftercare: 3005,
};

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LEVELS)[number];

export interface PlatformProcessesOptions {
  /** Which services to run; all five unless given. */
  readonly services?: readonly ServiceName[];
  /** Port per service; services left out get a free ephemeral port. */
  readonly ports?: Partial<Record<ServiceName, number>>;
  /**
   * Added to this process's environment for every child (DATABASE_URL, REDIS_URL, KAFKA_BROKERS,
   * OTEL_EXPORTER_OTLP_ENDPOINT, LOG_LEVEL...). `undefined` removes an inherited variable. PORT is set per service.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logs?: {
    /** Writes each service's raw output to `<dir>/<service>.log`, truncated at start. */
    readonly dir?: string;
    /** Forwards output here, prefixed with the service name (e.g. process.stdout). */
    readonly forwardTo?: NodeJS.WritableStream;
    /** Forwarded JSON log lines below this level are left out (files keep everything). Default: everything. */
    readonly forwardLevel?: LogLevel;
  };
  /** How long each service may take to answer 200 on /health/ready. Default 90 s. */
  readonly readyTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL when stopping. Default 10 s. */
  readonly stopGraceMs?: number;
  /** Aborting while the services start (a Ctrl-C) stops them and rejects. */
  readonly signal?: AbortSignal;
  /**
   * Run each service's migrate step (`main.ts migrate`, as the administrator DATABASE_URL) before starting
   * it, as the Kubernetes Job and compose's migrate service do. Default true. The services themselves never
   * get DATABASE_URL: each gets only its own `IOP_<SERVICE>_DATABASE_URL`.
   */
  readonly migrate?: boolean;
}

export interface ServiceProcess {
  readonly service: ServiceName;
  readonly port: number;
  /** e.g. http://127.0.0.1:3003 */
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn until /health/ready first answered 200. */
  readonly readyAfterMs: number;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The service's most recent output lines, oldest first. */
  lastLines(count?: number): string[];
}

export interface PlatformProcesses {
  readonly services: Readonly<Partial<Record<ServiceName, ServiceProcess>>>;
  /** The running service, or an error naming the ones that run. */
  service(name: ServiceName): ServiceProcess;
  /** Milliseconds from the first spawn until the last service was ready. */
  readonly startupMs: number;
  /** SIGTERM to all, SIGKILL to those still running after the grace period. Idempotent. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

const KEEP_LINES = 200;
const QUOTE_LINES = 25;

/**
 * Starts the services in parallel and resolves once every one answers 200 and "ready" on `/health/ready`
 * (Postgres, Redis and Kafka reachable, consumers joined; not "degraded"). If any fails to start, all are stopped
 * and the error quotes the failing services' last log lines.
 */
export async function startPlatformProcesses(options: PlatformProcessesOptions = {}): Promise<PlatformProcesses> {
  const names = options.services ?? SERVICES;
  const ports = await assignPorts(names, options.ports ?? {});
  if (options.logs?.dir) mkdirSync(resolve(options.logs.dir), { recursive: true });
  const started = Date.now();
  if (options.migrate ?? true) await migrateAll(names, options);
  const children = names.map((service) => launch(service, ports[service]!, { ...options, env: servingEnvironment(service, options.env ?? {}) }));

  let stopping: Promise<void> | undefined;
  const stop = (stopOptions: { graceMs?: number } = {}): Promise<void> => {
    stopping ??= (async () => {
      const grace = stopOptions.graceMs ?? options.stopGraceMs ?? 10_000;
      await Promise.all(children.map((child) => child.terminate(grace)));
      process.removeListener('exit', killAllNow);
    })();
    return stopping;
  };
  // Backstop for a parent that exits without stop(): no orphaned service keeps its port.
  const killAllNow = (): void => children.forEach((child) => child.killNow());
  process.once('exit', killAllNow);

  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  // One service that cannot start fails the start-up now, not once the others are ready.
  const failed = new AbortController();
  const giveUp = options.signal ? AbortSignal.any([options.signal, failed.signal]) : failed.signal;
  const failures: string[] = [];
  await Promise.all(
    children.map((child) =>
      child.waitUntilReady(timeoutMs, giveUp).catch((error: unknown) => {
        if (giveUp.aborted) return;
        failures.push(error instanceof Error ? error.message : String(error));
        failed.abort();
      }),
    ),
  );
  if (options.signal?.aborted) {
    await stop();
    throw new Error('start-up of the platform was cancelled; the services were stopped', { cause: options.signal.reason });
  }
  if (failures.length > 0) {
    await stop({ graceMs: 3_000 });
    throw new Error(`the platform did not start:\n\n${failures.join('\n\n')}`);
  }

  const services: Partial<Record<ServiceName, ServiceProcess>> = {};
  for (const child of children) services[child.service] = child.handle();
  return {
    services,
    startupMs: Date.now() - started,
    service(name) {
      const found = services[name];
      if (!found) throw new Error(`${name} is not running here; started: ${names.join(', ')}`);
      return found;
    },
    stop,
  };
}

/** A port nobody listens on right now (the OS's choice); for services a test starts. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

async function assignPorts(names: readonly ServiceName[], given: Partial<Record<ServiceName, number>>): Promise<Partial<Record<ServiceName, number>>> {
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const name of names) ports[name] = given[name] ?? (await freePort());
  return ports;
}

interface LaunchedService {
  readonly service: ServiceName;
  waitUntilReady(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  terminate(graceMs: number): Promise<void>;
  killNow(): void;
  handle(): ServiceProcess;
}

function launch(service: ServiceName, port: number, options: PlatformProcessesOptions): LaunchedService {
  const url = `http://127.0.0.1:${port}`;
  const spawnedAt = Date.now();
  const lines: string[] = [];
  const file: WriteStream | undefined = options.logs?.dir ? createWriteStream(join(resolve(options.logs.dir), `${service}.log`), { flags: 'w' }) : undefined;
  const forward = options.logs?.forwardTo;
  const minLevel = LEVELS.indexOf(options.logs?.forwardLevel ?? 'trace');
  const prefix = `[${service}]`.padEnd(13);

  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${service}/src/main.ts`], {
    cwd: WORKSPACE_ROOT,
    env: childEnvironment(options.env ?? {}, port),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches only the launcher, which stops the
    // services in order instead of all of them racing the broker's exit.
    detached: true,
  });
  let spawnError: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', (error) => {
      spawnError = error;
      if (child.pid === undefined) done({ code: null, signal: null });
    });
  });
  let exitedWith: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((result) => (exitedWith = result));

  const onLine = (line: string): void => {
    lines.push(line);
    if (lines.length > KEEP_LINES) lines.shift();
    file?.write(`${line}\n`);
    if (forward && levelOf(line) >= minLevel) forward.write(`${prefix} ${readable(line)}\n`);
  };
  for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
  const outputDone = Promise.all(
    [child.stdout, child.stderr].map((stream) =>
      stream && !stream.readableEnded ? new Promise<void>((done) => stream.once('close', () => done())) : Promise.resolve(),
    ),
  );

  const quote = (): string => {
    const tail = lines.slice(-QUOTE_LINES);
    return tail.length ? tail.map((l) => `  | ${l}`).join('\n') : '  | (no output)';
  };
  let readyAfterMs = -1;

  return {
    service,
    async waitUntilReady(timeoutMs, signal) {
      const deadline = spawnedAt + timeoutMs;
      let lastAnswer = 'no answer yet';
      for (;;) {
        if (signal?.aborted) throw new Error(`${service}: start-up cancelled`);
        if (spawnError) throw new Error(`${service} could not be started: ${spawnError.message}`);
        if (exitedWith) {
          await outputDone;
          throw new Error(`${service} exited (${exitedWith.signal ?? `code ${exitedWith.code}`}) before it was ready; its last output:\n${quote()}`);
        }
        try {
          const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3_000) });
          const body = await response.text();
          // 200 means Postgres answers; tests also want Kafka and Redis up and consumers joined: "ready", not "degraded".
          if (response.status === 200 && (JSON.parse(body) as { status?: string }).status === 'ready') {
            readyAfterMs = Date.now() - spawnedAt;
            return;
          }
          lastAnswer = `${response.status} ${body.slice(0, 300)}`;
        } catch (error) {
          lastAnswer = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
        }
        if (Date.now() > deadline) {
          throw new Error(`${service} was not ready on ${url}/health/ready within ${timeoutMs} ms (last answer: ${lastAnswer}); its last output:\n${quote()}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async terminate(graceMs) {
      if (!exitedWith && child.pid !== undefined) {
        signalGroup(child, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      await outputDone;
      await new Promise<void>((done) => (file ? file.end(done) : done()));
    },
    killNow() {
      if (!exitedWith) signalGroup(child, 'SIGKILL');
    },
    handle() {
      return { service, port, url, pid: child.pid!, readyAfterMs, exited, lastLines: (count = KEEP_LINES) => lines.slice(-count) };
    },
  };
}

/** The migrate step for each service, in parallel (each schema has its own lock); throws with the output of those that failed. */
async function migrateAll(names: readonly ServiceName[], options: PlatformProcessesOptions): Promise<void> {
  const results = await Promise.all(
    names.map(
      (service) =>
        new Promise<{ service: ServiceName; code: number | null; output: string }>((done) => {
          const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${service}/src/main.ts`, 'migrate'], {
            cwd: WORKSPACE_ROOT,
            env: childEnvironment(options.env ?? {}, 0),
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          const onAbort = (): void => void child.kill('SIGTERM');
          options.signal?.addEventListener('abort', onAbort, { once: true });
          let output = '';
          for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000)));
          child.once('error', (error) => done({ service, code: null, output: error.message }));
          child.once('close', (code) => {
            options.signal?.removeEventListener('abort', onAbort);
            done({ service, code, output });
          });
        }),
    ),
  );
  if (options.signal?.aborted) throw new Error('start-up of the platform was cancelled during the migrate step', { cause: options.signal.reason });
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length > 0) {
    const quoted = failed.map(
      (r) =>
        `${r.service}: migrate step failed (exit ${r.code ?? 'none'}):\n${r.output
          .trimEnd()
          .split('\n')
          .slice(-QUOTE_LINES)
          .map((l) => `  | ${l}`)
          .join('\n')}`,
    );
    throw new Error(`the platform did not start:\n\n${quoted.join('\n\n')}`);
  }
}

/**
 * What a service process runs with: its own login only. The administrator's DATABASE_URL is removed, and
 * `IOP_<SERVICE>_DATABASE_URL` is set from it (same server and database, the service's role, no password)
 * unless given.
 */
function servingEnvironment(service: ServiceName, overrides: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  const variable = serviceDatabaseUrlVariable(service);
  const own = overrides[variable] ?? process.env[variable];
  const admin = overrides['DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? adminDatabaseUrl();
  return { ...overrides, DATABASE_URL: undefined, [variable]: own ?? serviceDatabaseUrl(service, admin) };
}

function childEnvironment(overrides: Readonly<Record<string, string | undefined>>, port: number): NodeJS.ProcessEnv {
  const merged = Object.entries({ ...process.env, ...overrides }).filter((entry): entry is [string, string] => entry[1] !== undefined);
  // HOST pinned: the readiness probe and the URLs handed out assume loopback.
  return { ...Object.fromEntries(merged), PORT: String(port), HOST: '127.0.0.1' };
}

/** Signals the service's whole process group (it was spawned detached), falling back to the process. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Level of a pino JSON line; anything else (a stack trace, a Node warning) counts as an error. */
function levelOf(line: string): number {
  if (!line.startsWith('{')) return LEVELS.indexOf('error');
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    const index = LEVELS.indexOf(level as LogLevel);
    return index === -1 ? LEVELS.indexOf('info') : index;
  } catch {
    return LEVELS.indexOf('error');
  }
}

/** `LEVEL message {other fields}` from a pino JSON line, for a person reading a terminal. */
function readable(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const { level, message, time: _time, service: _service, context, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const fields = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    return `${String(level ?? '')
      .toUpperCase()
      .padEnd(5)} ${context ? `${String(context)}: ` : ''}${String(message ?? '')}${fields}`;
  } catch {
    return line;
  }
}
