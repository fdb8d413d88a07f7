import type { DataSource } from 'typeorm';
import type { CheckInFactory } from './bench-event';
import { cpuUseMeter } from './cpu';
import { cpuMeter, type Figure } from './figures';
import { perSecond, summarise } from './stats';

/**
 * Baseline (a): what Postgres does with single-row insert transactions from the same pool at the
 * same concurrency as the pipeline's writers: BEGIN, one INSERT into a plain table, COMMIT. The
 * row carries the event's payload, so it writes about as many bytes as an outbox row's body.
 * Runs `limit` transactions or for `maxSeconds`, whichever ends first.
 */
export async function postgresInserts(
  dataSource: DataSource,
  schema: string,
  factory: CheckInFactory,
  limit: number,
  concurrency: number,
  maxSeconds: number,
): Promise<Figure> {
  const latencies = new Float64Array(limit);
  let next = 0;
  let done = 0;
  // A rate settles within seconds; the time saved goes to the pipeline, whose phases are the long ones.
  const deadline = performance.now() + maxSeconds * 1000;
  const worker = async () => {
    for (let i = next++; i < limit && performance.now() < deadline; i = next++) {
      const payload = factory.payload(i);
      const started = performance.now();
      await dataSource.transaction((manager) =>
        manager.query(`INSERT INTO ${schema}.plain_inserts (key, payload) VALUES ($1, $2)`, [payload.episodeId, JSON.stringify(payload)]),
      );
      latencies[done++] = performance.now() - started;
    }
  };
  const cpu = cpuMeter();
  const cpuUse = cpuUseMeter();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  return {
    name: `postgres: 1-row insert tx (${concurrency} writers)`,
    unit: 'tx',
    count: done,
    seconds: elapsed / 1000,
    perSecond: perSecond(done, elapsed),
    latency: summarise(latencies.subarray(0, done)),
    nodeCpu: cpu(),
    cpu: cpuUse(),
  };
}
