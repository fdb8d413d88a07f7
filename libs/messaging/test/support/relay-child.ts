import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { WORKSPACE_ROOT } from '@iop/testing';

const SCRIPT = resolve(__dirname, 'relay-process.ts');

/** An outbox relay in a child process (relay-process.ts), which a test can kill like a crashed pod. */
export class RelayChild {
  private stdout = '';
  private stderr = '';
  private readonly exited: Promise<void>;
  private readonly waiters: Array<() => void> = [];

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.stdout += chunk;
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-8000);
    });
    // 'close', not 'exit': by then everything the process wrote to stdout has been read.
    this.exited = new Promise((done) =>
      child.once('close', () => {
        done();
        for (const wake of this.waiters.splice(0)) wake();
      }),
    );
  }

  static start(env: { schema: string; databaseUrl: string; kafkaBrokers: readonly string[]; batchSize: number; leaseSeconds?: number }): RelayChild {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', SCRIPT], {
      cwd: WORKSPACE_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: env.databaseUrl,
        KAFKA_BROKERS: env.kafkaBrokers.join(','),
        RELAY_SCHEMA: env.schema,
        RELAY_BATCH_SIZE: String(env.batchSize),
        ...(env.leaseSeconds ? { OUTBOX_LEADER_LEASE_SECONDS: String(env.leaseSeconds) } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new RelayChild(child);
  }

  /** Resolves once the relay has printed `line` (e.g. `sending 3`): then that batch is in flight. */
  async waitFor(line: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.split('\n').includes(line)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`relay process exited (${this.child.exitCode ?? this.child.signalCode}) before "${line}"; stderr:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`relay process did not print "${line}" within ${timeoutMs} ms; stderr:\n${this.stderr}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** The number of the last batch the relay started to send (0 before the first). */
  get batchesStarted(): number {
    return Math.max(0, ...[...this.stdout.matchAll(/^sending (\d+)$/gm)].map((m) => Number(m[1])));
  }

  /** The crash: no chance to finish the batch, mark rows, or release the leader lock cleanly. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A host that vanished: the process stops dead (SIGSTOP), its sockets stay open, nothing says goodbye. */
  freeze(): void {
    this.child.kill('SIGSTOP');
  }

  async stop(): Promise<void> {
    if (this.child.signalCode === null && this.child.exitCode === null) this.child.kill('SIGCONT');
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  get diagnostics(): string {
    return this.stderr;
  }
}
