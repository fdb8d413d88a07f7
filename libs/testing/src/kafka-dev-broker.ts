// Starts and drives deploy/kafka-dev-broker: an in-memory Kafka cluster
// (librdkafka's mock cluster) for development and tests. See its README for
// what kafkajs can and cannot do against it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { join, resolve } from 'node:path';

export type BrokerId = number | 'all';

export interface BrokerControl {
  ping(): Promise<void>;
  /** Closes the broker's connections and listener: clients get ECONNREFUSED.
   *  The mock does not move partition leadership away from a down broker. */
  down(id: BrokerId): Promise<void>;
  up(id: BrokerId): Promise<void>;
  /** Delays every response of the broker(s) by `ms`; 0 removes the delay. */
  rtt(id: BrokerId, ms: number): Promise<void>;
  /** Rejects with a message containing TOPIC_ALREADY_EXISTS if it exists. */
  createTopic(name: string, partitions: number): Promise<void>;
  /** All topics, including ones auto-created for clients. Needs a broker up. */
  topics(): Promise<string[]>;
  /** The next `count` Produce requests, on any broker, fail with Kafka error `code` (e.g. 10, MESSAGE_TOO_LARGE). */
  produceErrors(code: number, count: number): Promise<void>;
}

export interface DevBroker {
  bootstrap: string[];
  control: BrokerControl;
  /** Hand these to processes that did not start the broker (Jest workers). */
  bootstrapFile: string;
  controlFile: string;
  pid: number;
  /** SIGTERM, wait for exit; the broker removes both files. Idempotent. */
  stop(): Promise<void>;
}

const BROKER_DIR = resolve(__dirname, '../../../deploy/kafka-dev-broker');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
// `topics` may wait up to 3 s for metadata inside the broker.
const COMMAND_TIMEOUT_MS = 10_000;
const STDERR_KEEP = 16 * 1024;
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export async function startDevBroker(opts: { brokers?: number; topicsFile?: string; workDir: string }): Promise<DevBroker> {
  const workDir = resolve(opts.workDir);
  mkdirSync(workDir, { recursive: true });
  const bootstrapFile = join(workDir, 'kafka-dev-broker.bootstrap');
  const controlFile = join(workDir, 'kafka-dev-broker.control');
  // Left behind by a broker that was SIGKILLed; they would point at nothing.
  rmSync(bootstrapFile, { force: true });
  rmSync(controlFile, { force: true });

  buildBroker();

  const args = ['--bootstrap-file', bootstrapFile, '--control-file', controlFile, '--exit-with-parent'];
  if (opts.brokers !== undefined) args.push('--brokers', String(opts.brokers));
  if (opts.topicsFile !== undefined) args.push('--topics', resolve(opts.topicsFile));

  const child = spawn(join(BROKER_DIR, 'build', 'kafka-dev-broker'), args, {
    // Its own process group: a terminal's Ctrl-C reaches the parent, which stops its clients before
    // the broker; --exit-with-parent still ends it if the parent dies.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  // Always drained: a full pipe would block the broker's logging threads.
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  child.stdout?.resume();
  let spawnError: Error | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    // A binary that never started (ENOENT, EACCES) may not emit 'exit'.
    child.on('error', (err) => {
      spawnError ??= err;
      if (child.pid === undefined) done();
    });
  });
  // Backstop for a runner that exits without stop(); --exit-with-parent covers
  // crashes, where 'exit' handlers do not run.
  const killOnExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  // However it ends (stop(), or a signal from whoever holds its pid), the backstop goes with it.
  void exited.then(() => process.removeListener('exit', killOnExit));

  try {
    await waitForFiles(
      child,
      [controlFile, bootstrapFile],
      () => spawnError,
      () => stderr,
    );
  } catch (err) {
    process.removeListener('exit', killOnExit);
    child.kill('SIGKILL');
    await exited;
    throw err;
  }

  // The broker must not keep a test runner alive; stop() re-refs it.
  setRef(child, false);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        setRef(child, true);
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      // Only a SIGKILLed broker leaves them behind.
      rmSync(bootstrapFile, { force: true });
      rmSync(controlFile, { force: true });
    })();
    return stopping;
  };

  // Defined once the broker wrote its files; checked so `pid` can never be
  // a value like -1 that means "every process" to kill().
  const pid = child.pid;
  try {
    if (pid === undefined) throw new Error('kafka-dev-broker: running broker has no pid');
    return {
      bootstrap: readBootstrap(bootstrapFile),
      control: await connectBrokerControl(controlFile),
      bootstrapFile,
      controlFile,
      pid,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function connectBrokerControl(controlFile: string): Promise<BrokerControl> {
  const text = readFileSync(controlFile, 'utf8').trim();
  const port = Number(text);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`kafka-dev-broker: ${controlFile} does not hold a port number: ${JSON.stringify(text)}`);
  }
  const run = (command: string): Promise<string> => sendCommand(port, command);
  const ok = async (command: string): Promise<void> => {
    await run(command);
  };
  const control: BrokerControl = {
    // async so that argument checks reject instead of throwing.
    ping: async () => ok('ping'),
    down: async (id) => ok(`down ${brokerId(id)}`),
    up: async (id) => ok(`up ${brokerId(id)}`),
    rtt: async (id, ms) => {
      if (!Number.isInteger(ms) || ms < 0) throw new Error(`kafka-dev-broker: rtt must be a whole number of ms, got ${ms}`);
      return ok(`rtt ${brokerId(id)} ${ms}`);
    },
    createTopic: async (name, partitions) => {
      if (!TOPIC_NAME.test(name)) throw new Error(`kafka-dev-broker: invalid topic name ${JSON.stringify(name)}`);
      if (!Number.isInteger(partitions) || partitions < 1) {
        throw new Error(`kafka-dev-broker: partitions must be a positive integer, got ${partitions}`);
      }
      return ok(`create ${name} ${partitions}`);
    },
    produceErrors: async (code, count) => {
      if (!Number.isInteger(code) || !Number.isInteger(count) || count < 1) throw new Error(`kafka-dev-broker: bad produce-errors ${code} ${count}`);
      return ok(`produce-errors ${code} ${count}`);
    },
    topics: async () => {
      const list = await run('topics');
      return list === '' ? [] : list.split(',');
    },
  };
  // A stale file from a dead broker should fail here, not in the first test.
  await control.ping();
  return control;
}

export function readBootstrap(bootstrapFile: string): string[] {
  const brokers = readFileSync(bootstrapFile, 'utf8')
    .trim()
    .split(',')
    .filter((b) => b !== '');
  if (brokers.length === 0) throw new Error(`kafka-dev-broker: ${bootstrapFile} lists no brokers`);
  return brokers;
}

function buildBroker(): void {
  try {
    // Sync on purpose: it is a no-op unless the C source changed, and the
    // first run may apt-get install librdkafka-dev and gcc.
    execFileSync('bash', [join(BROKER_DIR, 'build.sh')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 10 * 60_000,
    });
  } catch (err) {
    const detail = err instanceof Error && 'stderr' in err ? String(err.stderr) : String(err);
    throw new Error(`kafka-dev-broker: build.sh failed:\n${detail.trim()}`);
  }
}

async function waitForFiles(child: ChildProcess, files: string[], spawnError: () => Error | undefined, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (files.every((f) => existsSync(f))) return;
    const err = spawnError();
    const why =
      err !== undefined
        ? `could not start: ${err.message}`
        : child.exitCode !== null || child.signalCode !== null
          ? `exited (${child.exitCode ?? child.signalCode}) before it was ready`
          : Date.now() > deadline
            ? `not ready after ${START_TIMEOUT_MS} ms`
            : undefined;
    if (why !== undefined) {
      throw new Error(`kafka-dev-broker ${why}; stderr:\n${stderr().trim() || '(empty)'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function setRef(child: ChildProcess, ref: boolean): void {
  const handles: Array<ChildProcess | Socket> = [child];
  for (const stream of [child.stdout, child.stderr]) if (stream instanceof Socket) handles.push(stream);
  for (const handle of handles) {
    if (ref) handle.ref();
    else handle.unref();
  }
}

function brokerId(id: BrokerId): string {
  if (id === 'all') return 'all';
  if (!Number.isInteger(id) || id < 1) throw new Error(`kafka-dev-broker: broker ids start at 1, got ${id}`);
  return String(id);
}

/** Sends one command on a fresh connection; resolves with the text after
 *  `ok` (usually empty), rejects on `error ...`. */
function sendCommand(port: number, command: string): Promise<string> {
  return new Promise((resolveReply, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let buf = '';
    const fail = (why: string): void => {
      socket.destroy();
      reject(new Error(`kafka-dev-broker: '${command}' failed: ${why}`));
    };
    socket.setEncoding('utf8');
    socket.setTimeout(COMMAND_TIMEOUT_MS, () => fail(`no reply within ${COMMAND_TIMEOUT_MS} ms`));
    socket.on('error', (err) => fail(err.message));
    socket.on('end', () => fail('connection closed without a reply'));
    socket.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      const line = buf.slice(0, nl);
      socket.removeAllListeners('end');
      socket.end();
      if (line === 'ok' || line.startsWith('ok ')) resolveReply(line.slice(3));
      else fail(line.startsWith('error ') ? line.slice(6) : `unexpected reply ${JSON.stringify(line)}`);
    });
    socket.write(`${command}\n`);
  });
}
