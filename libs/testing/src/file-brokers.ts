import { appendFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RUN_DIR } from './test-environment';

/*
 * The per-file development brokers of a test run (see kafkaForThisFile in harness.ts): each worker notes the pid of
 * every broker it starts, and stops its earlier ones when its next file starts; the global teardown stops the rest.
 */

const listOf = (runId: string, worker: string) => resolve(RUN_DIR, `file-brokers-${runId}-${worker}.txt`);

export function recordFileBroker(runId: string, worker: string, pid: number): void {
  appendFileSync(listOf(runId, worker), `${pid}\n`);
}

/** Stops the per-file brokers one worker started, or every worker's when `worker` is omitted (the run is over). */
export function stopFileBrokers(runId: string, worker?: string): void {
  const prefix = `file-brokers-${runId}-`;
  const lists = worker
    ? [listOf(runId, worker)]
    : readdirSync(RUN_DIR)
        .filter((f) => f.startsWith(prefix))
        .map((f) => resolve(RUN_DIR, f));
  for (const list of lists) {
    let pids: string[];
    try {
      pids = readFileSync(list, 'utf8').split('\n').filter(Boolean);
    } catch {
      continue; // this worker has started none yet
    }
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGTERM');
      } catch {
        // Already gone: it exits with the process that started it.
      }
    }
    writeFileSync(list, '');
  }
}
