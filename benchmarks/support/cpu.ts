import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** utime + stime of a process from /proc (Linux), in ms; undefined when it cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is the 14th field, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** CPU time (ms) spent so far, by whom: this process, every Postgres process, the development broker, and the whole machine. */
export interface CpuUse {
  readonly node: number;
  /** Every process named `postgres`: the backends, and the WAL writer, checkpointer and the rest, whose work the commits cause. */
  readonly postgres: number;
  /** The development broker's process (0 against KAFKA_BROKERS, which runs elsewhere). */
  readonly broker: number;
  /** Every core, everything: what the three above use, and whatever else ran. */
  readonly machine: number;
}

/** What processes have used so far; without /proc, only `node` is known. */
export function cpuUse(): CpuUse {
  const own = process.cpuUsage();
  let postgres = 0;
  let broker = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    // Not Linux: only this process is known.
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended since the listing
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (name !== 'postgres' && !name.startsWith('kafka-dev-broke')) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, and cutime and cstime: what its ended children used. A backend that ends during a phase (a pool
    // closing an idle connection) takes its CPU out of the sum, and the postmaster, which reaps it, adds it back.
    const ms = ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
    if (name === 'postgres') postgres += ms;
    else broker += ms;
  }
  return { node: (own.user + own.system) / 1000, postgres, broker, machine: machineCpuMs() };
}

/** Busy time of every core since boot (ms), from /proc/stat: all but idle and iowait. */
function machineCpuMs(): number {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
    return ((user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Starts measuring; the function it returns gives the CPU used since, by whom. */
export function cpuUseMeter(): () => CpuUse {
  const before = cpuUse();
  return () => {
    const after = cpuUse();
    return {
      node: after.node - before.node,
      postgres: after.postgres - before.postgres,
      broker: after.broker - before.broker,
      machine: after.machine - before.machine,
    };
  };
}
