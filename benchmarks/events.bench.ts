/**
 * End-to-end event throughput and latency: writers → outbox → OutboxRelay → Kafka → EventConsumer
 * (inbox row + effect row in one transaction), against two baselines measured in the same run on
 * the same servers: single-row insert transactions on Postgres, and kafkajs produce → consume alone.
 *
 *   npm run bench:events [-- --events 20000 --writers 4 --keys 1000 --partitions 6 --batch 50 --steady-seconds 5 --baseline-seconds 10]
 *
 * Starts its own development broker unless KAFKA_BROKERS is set, provisions a scratch database on
 * DATABASE_URL's server, and removes both at the end. Prints a table and writes .run/bench/events.json.
 * benchmarks/README.md says what each figure means and what limits it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createKafka } from '@iop/messaging';
import { CheckInFactory, checkInRecordedOn, rawMessageTemplate } from './support/bench-event';
import { benchKafka, createScratchDatabase, type ScratchDatabase } from './support/bench-infrastructure';
import type { Figure } from './support/figures';
import { Pipeline, type PipelineFigure } from './support/pipeline';
import { postgresInserts } from './support/postgres-baseline';
import { RawKafka } from './support/raw-kafka';
import { latencyCells, ms, num, ratio, table } from './support/report';
import { Teardown } from './support/teardown';

const ROOT = resolve(__dirname, '..');
const OUTPUT = resolve(ROOT, '.run/bench/events.json');
const BUDGET_SECONDS = 180;

interface Parameters {
  readonly events: number;
  readonly writers: number;
  readonly keys: number;
  readonly partitions: number;
  readonly batch: number;
  readonly relayBatch: number;
  readonly warmup: number;
  readonly steadySeconds: number;
  readonly baselineSeconds: number;
  readonly brokers: number;
  readonly poolSize: number;
  readonly stallSeconds: number;
  readonly relayWake: 'local' | 'notify';
}

function parameters(): Parameters {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '20000' },
      writers: { type: 'string', default: '4' },
      keys: { type: 'string', default: '1000' },
      partitions: { type: 'string', default: '6' },
      batch: { type: 'string', default: '50' },
      'relay-batch': { type: 'string', default: '500' },
      warmup: { type: 'string' },
      'steady-seconds': { type: 'string', default: '5' },
      'baseline-seconds': { type: 'string', default: '10' },
      brokers: { type: 'string', default: '3' },
      'stall-seconds': { type: 'string', default: '30' },
      'relay-wake': { type: 'string', default: 'local' },
    },
  });
  const whole = (name: string, text: string | undefined, min = 1): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`);
    return n;
  };
  const events = whole('events', values.events);
  const relayWake = values['relay-wake'];
  if (relayWake !== 'local' && relayWake !== 'notify') throw new Error(`--relay-wake must be local or notify, got ${JSON.stringify(relayWake)}`);
  return {
    events,
    writers: whole('writers', values.writers),
    keys: whole('keys', values.keys),
    partitions: whole('partitions', values.partitions),
    batch: whole('batch', values.batch, 2),
    relayBatch: whole('relay-batch', values['relay-batch']),
    // Enough for the JIT, the pools and the consumer's first fetches; small against the budget.
    warmup: whole('warmup', values.warmup ?? String(Math.min(1000, Math.ceil(events / 20))), 0),
    steadySeconds: whole('steady-seconds', values['steady-seconds'], 0),
    baselineSeconds: whole('baseline-seconds', values['baseline-seconds']),
    brokers: whole('brokers', values.brokers),
    // createServiceDataSource reads the same variable with the same default.
    poolSize: whole('DB_POOL_SIZE', process.env['DB_POOL_SIZE'] ?? '10'),
    stallSeconds: whole('stall-seconds', values['stall-seconds']),
    relayWake,
  };
}

const log = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

type Machine = Awaited<ReturnType<typeof machine>>;

async function machine(db: ScratchDatabase, dataSource: DataSource) {
  const [pg] = (await dataSource.query(
    `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS synchronous_commit, current_setting('fsync') AS fsync`,
  )) as [{ version: string; synchronous_commit: string; fsync: string }];
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAtStart: loadavg()[0]!,
    postgres: pg.version,
    postgresSynchronousCommit: pg.synchronous_commit,
    postgresFsync: pg.fsync,
    database: db.name,
  };
}

interface Results {
  readonly postgres: Figure;
  readonly kafka: Figure;
  readonly single: PipelineFigure;
  readonly batched: PipelineFigure;
  readonly steady: { readonly rate: number; readonly kafka: Figure; readonly pipeline: PipelineFigure } | undefined;
  readonly outcomes: Record<string, number>;
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
  let clean = false;
  try {
    const suffix = randomBytes(4).toString('hex');
    const serverUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const stallMs = params.stallSeconds * 1000;

    progress('starting Kafka and a scratch database');
    const kafkaInfra = await benchKafka(resolve(ROOT, `.run/bench/broker-${process.pid}-${suffix}`), params.brokers);
    teardown.add('Kafka', () => kafkaInfra.stop());
    const db = await createScratchDatabase(serverUrl);
    teardown.add(`database ${db.name}`, () => db.drop());

    const kafka = createKafka(`iop-bench-${suffix}`, log, kafkaInfra.brokers);
    const pipelineTopic = `bench.check-ins-${suffix}`;
    const rawTopic = `bench.raw-${suffix}`;
    await kafkaInfra.createTopic(kafka, pipelineTopic, params.partitions);
    await kafkaInfra.createTopic(kafka, rawTopic, params.partitions);
    const definition = checkInRecordedOn(pipelineTopic);
    const factory = new CheckInFactory(params.keys);
    const template = rawMessageTemplate(definition, factory);

    const pipeline = new Pipeline(
      db,
      kafka,
      definition,
      factory,
      { writers: params.writers, relayBatch: params.relayBatch, stallMs, relayWake: params.relayWake },
      log,
    );
    teardown.add('relay and consumer', () => pipeline.stop());
    await pipeline.start();
    const raw = new RawKafka(kafka, rawTopic, template, factory, params.relayBatch, stallMs);
    teardown.add('kafkajs baseline client', () => raw.stop());
    await raw.start();
    const facts = await machine(db, pipeline.writerDataSource);
    if (facts.loadAtStart > facts.cores)
      progress(`warning: load average ${facts.loadAtStart.toFixed(1)} on ${facts.cores} cores; the figures will be low and noisy`);

    progress(`postgres baseline: ${num(params.events)} single-row transactions or ${params.baselineSeconds} s, ${params.writers} writers`);
    await postgresInserts(pipeline.writerDataSource, db.service, factory, params.warmup, params.writers, params.baselineSeconds);
    const postgres = await postgresInserts(pipeline.writerDataSource, db.service, factory, params.events, params.writers, params.baselineSeconds);

    progress(`kafkajs baseline: ${num(params.events)} messages, batches of up to ${params.relayBatch}`);
    if (params.warmup > 0) await raw.saturated('kafkajs warm-up', params.warmup);
    const kafkaFigure = await raw.saturated(`kafkajs: produce → consume`, params.events);

    progress(`pipeline: ${num(params.events)} events, one per transaction`);
    if (params.warmup > 0) await pipeline.saturated('pipeline warm-up', params.warmup, 1);
    const single = await pipeline.saturated('pipeline: 1 event per tx', params.events, 1);
    progress(`pipeline: ${num(params.events)} events, ${params.batch} per transaction (addMany)`);
    const batched = await pipeline.saturated(`pipeline: ${params.batch} events per tx (addMany)`, params.events, params.batch);

    let steady: Results['steady'];
    if (params.steadySeconds > 0) {
      // Half of what the pipeline sustained, so neither side builds a queue and latency is the path's own.
      const rate = Math.max(10, roundDown(single.perSecond / 2));
      const count = Math.max(1, Math.round(rate * params.steadySeconds));
      progress(`steady load: ${rate} events/s for ${params.steadySeconds} s through the pipeline, then kafkajs`);
      const steadyPipeline = await pipeline.steady(`pipeline: 1 event per tx`, count, rate);
      const steadyKafka = await raw.steady(`kafkajs: produce → consume`, count, rate);
      steady = { rate, kafka: steadyKafka, pipeline: steadyPipeline };
    }

    const results: Results = { postgres, kafka: kafkaFigure, single, batched, steady, outcomes: await pipeline.outcomes() };
    const elapsedSeconds = (Date.now() - runStarted) / 1000;
    const context = { params, facts: { ...facts, loadAtEnd: loadavg()[0]! }, kafka: kafkaInfra.description, messageBytes: template.bytes, elapsedSeconds };
    print(context, results);
    writeJson(context, results);
  } finally {
    progress('stopping');
    clean = await teardown.run();
  }
  // Reached only when measuring succeeded: it must not hide a leftover broker or database.
  if (!clean) throw new Error('the figures are above, but something could not be stopped or removed (see the lines before)');
}

/** 1,234 → 1,200: a steady rate someone can repeat by hand. */
function roundDown(value: number): number {
  if (!(value > 0)) return 0;
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(value)) - 1);
  return Math.floor(value / unit) * unit;
}

interface Context {
  readonly params: Parameters;
  readonly facts: Machine & { readonly loadAtEnd: number };
  readonly kafka: string;
  readonly messageBytes: number;
  readonly elapsedSeconds: number;
}

/**
 * What each event cost in CPU, against what a Postgres transaction cost. On a machine the run saturates, the rate of a
 * phase is about the cores divided by its CPU per unit, so this says how far the 1/tx target is, in the terms of what
 * would have to get cheaper: the broker, Postgres, or this process (writers, relay and consumer).
 */
function cpuReport(cores: number, r: Results): string {
  const figures: Figure[] = [r.postgres, r.kafka, r.single, r.batched, ...(r.steady ? [r.steady.pipeline] : [])];
  const per = (f: Figure, used: number) => (f.count > 0 ? used / f.count : 0);
  const cpuMs = (value: number) => value.toFixed(2);
  const lines = [
    'CPU per unit (ms, from /proc over each phase): node = this process (writers, relay, consumer, or the baseline client); postgres = every postgres process; machine = all cores, everything.',
    table(
      ['figure', 'node', 'postgres', 'broker', 'machine', 'machine ÷ postgres tx'],
      figures.map((f) =>
        f.cpu
          ? [
              f.name,
              cpuMs(per(f, f.cpu.node)),
              cpuMs(per(f, f.cpu.postgres)),
              cpuMs(per(f, f.cpu.broker)),
              cpuMs(per(f, f.cpu.machine)),
              r.postgres.cpu ? ratio(per(f, f.cpu.machine), per(r.postgres, r.postgres.cpu.machine)) : '-',
            ]
          : [f.name, '-', '-', '-', '-', '-'],
      ),
    ),
  ];
  const target = r.postgres.perSecond / 2;
  if (r.single.cpu && target > 0)
    lines.push(
      `1/tx target: 0.5 × ${num(r.postgres.perSecond)} tx/s = ${num(target)} events/s, which ${cores} cores sustain at no more than ${cpuMs((cores * 1000) / target)} ms of machine CPU per event; the pipeline used ${cpuMs(per(r.single, r.single.cpu.machine))}.`,
    );
  return lines.join('\n');
}

function print({ params, facts, kafka, messageBytes, elapsedSeconds }: Context, r: Results): void {
  const out: string[] = [];
  const row = (f: Figure) => [
    f.name,
    `${num(f.perSecond)} ${f.unit}/s`,
    ...latencyCells(f.latency),
    num(f.count),
    f.seconds.toFixed(1),
    `${Math.round(f.nodeCpu * 100)}%`,
  ];
  const header = ['figure', 'rate', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'count', 'seconds', 'node CPU'];
  out.push('');
  out.push(
    `machine: ${facts.cores} cores (${facts.cpuModel}), ${facts.memoryGiB} GiB, ${facts.platform}, node ${facts.node}; load average ${facts.loadAtStart.toFixed(1)} at start, ${facts.loadAtEnd.toFixed(1)} at end`,
  );
  out.push(`servers: postgres ${facts.postgres} (synchronous_commit ${facts.postgresSynchronousCommit}, fsync ${facts.postgresFsync}); kafka: ${kafka}`);
  out.push(
    `parameters: ${num(params.events)} events per phase, ${params.writers} writers, ${num(params.keys)} keys, ${params.partitions} partitions, ` +
      `DB pool ${params.poolSize} per data source, relay batch ${params.relayBatch}, relay woken by ${params.relayWake === 'local' ? "a call (it leads in the writers' process)" : 'NOTIFY'}, warm-up ${num(params.warmup)}, postgres baseline capped at ${params.baselineSeconds} s, ` +
      `~${messageBytes} bytes per message (key, value, headers)`,
  );
  out.push('');
  out.push('Throughput: every phase writes as fast as it can, so its latencies include the queue that builds up in front of the slowest stage.');
  out.push(table(header, [r.postgres, r.kafka, r.single, r.batched].map(row)));
  if (r.steady) {
    out.push('');
    out.push(
      `Latency at a steady ${num(r.steady.rate)} events/s (half the pipeline's 1/tx rate), ${params.steadySeconds} s each: the path's own latency, no backlog.`,
    );
    out.push(table(header, [r.steady.kafka, r.steady.pipeline].map(row)));
  }
  out.push(
    'latency: postgres = BEGIN..COMMIT as the writer saw it; kafkajs = consumed − message made; pipeline = consumer COMMIT returned − event time (outbox write).',
  );
  out.push('');
  const ratios: string[][] = [];
  for (const [label, run] of [
    ['1/tx', r.single],
    [`${params.batch}/tx`, r.batched],
  ] as const) {
    ratios.push([`pipeline ${label} events/s ÷ postgres 1-row tx/s`, ratio(run.perSecond, r.postgres.perSecond)]);
    ratios.push([`pipeline ${label} events/s ÷ kafkajs msgs/s`, ratio(run.perSecond, r.kafka.perSecond)]);
  }
  if (r.steady) {
    ratios.push(['pipeline ÷ kafkajs latency, p50 at steady load', ratio(r.steady.pipeline.latency.p50Ms, r.steady.kafka.latency.p50Ms)]);
    ratios.push(['pipeline ÷ kafkajs latency, p99 at steady load', ratio(r.steady.pipeline.latency.p99Ms, r.steady.kafka.latency.p99Ms)]);
    ratios.push(['pipeline − kafkajs latency, p50 at steady load (ms added)', ms(r.steady.pipeline.latency.p50Ms - r.steady.kafka.latency.p50Ms)]);
    ratios.push(['pipeline − kafkajs latency, p99 at steady load (ms added)', ms(r.steady.pipeline.latency.p99Ms - r.steady.kafka.latency.p99Ms)]);
  }
  ratios.push(['pipeline 1/tx ÷ kafkajs latency, p50 saturated', ratio(r.single.latency.p50Ms, r.kafka.latency.p50Ms)]);
  ratios.push(['pipeline 1/tx ÷ kafkajs latency, p99 saturated', ratio(r.single.latency.p99Ms, r.kafka.latency.p99Ms)]);
  out.push(table(['ratio', 'value'], ratios));
  out.push('');
  const runs: Array<[string, PipelineFigure]> = [
    ['1/tx', r.single],
    [`${params.batch}/tx`, r.batched],
  ];
  if (r.steady) runs.push([`steady ${num(r.steady.rate)}/s`, r.steady.pipeline]);
  out.push("Where the pipeline's time went (consumer busy = share of the phase spent inside inbox + effect transactions):");
  out.push(
    table(
      [
        'phase',
        'outbox writes',
        'write tx p50 / p99 ms',
        'writing s',
        'tail s',
        'consumer tx p50 / p99 ms',
        'events / consumer tx',
        'consumer busy',
        'relay sends',
        'mean batch',
        'send p50 ms',
        'wakes notify / call',
      ],
      runs.map(([label, run]) => [
        label,
        `${num(run.writerEventsPerSecond)} ev/s`,
        `${ms(run.writerTx.p50Ms)} / ${ms(run.writerTx.p99Ms)}`,
        run.writeSeconds.toFixed(1),
        run.tailSeconds.toFixed(1),
        `${ms(run.consumerTx.p50Ms)} / ${ms(run.consumerTx.p99Ms)}`,
        num(run.consumerEventsPerTx, 1),
        `${Math.round(run.consumerBusy * 100)}%`,
        num(run.relay.sends),
        num(run.relay.meanBatch, 1),
        ms(run.relay.sendMs.p50Ms),
        `${num(run.relayWakes.notifies)} / ${num(run.relayWakes.local)}`,
      ]),
    ),
  );
  out.push('tail s = last outbox commit → last consumer commit: the backlog the relay and the consumer still had to clear.');
  out.push('');
  out.push(cpuReport(facts.cores, r));
  out.push(
    `consumer outcomes over the run, warm-up included: ${
      Object.entries(r.outcomes)
        .map(([k, v]) => `${k} ${num(v)}`)
        .join(', ') || 'none'
    }; effect rows checked against events written after each phase.`,
  );
  const overBudget =
    elapsedSeconds > BUDGET_SECONDS ? ` (over the ${BUDGET_SECONDS} s budget${facts.loadAtStart > facts.cores ? ': the machine was busy' : ''})` : '';
  out.push(`run took ${elapsedSeconds.toFixed(0)} s${overBudget}; figures also in ${OUTPUT.replace(`${ROOT}/`, '')}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function writeJson({ params, facts, kafka, messageBytes, elapsedSeconds }: Context, r: Results): void {
  const over = (a: PipelineFigure) => ({
    pipelineOverPostgresTx: a.perSecond / r.postgres.perSecond,
    pipelineOverKafka: a.perSecond / r.kafka.perSecond,
    p50LatencyOverKafka: a.latency.p50Ms / r.kafka.latency.p50Ms,
    p99LatencyOverKafka: a.latency.p99Ms / r.kafka.latency.p99Ms,
  });
  const document = {
    benchmark: 'events',
    at: new Date().toISOString(),
    machine: facts,
    kafka,
    parameters: { ...params, messageBytes },
    figures: {
      postgresInsertTx: r.postgres,
      kafkaProduceConsume: r.kafka,
      pipelineOnePerTransaction: r.single,
      pipelineBatched: r.batched,
      ...(r.steady ? { steady: r.steady } : {}),
    },
    ratios: {
      onePerTransaction: over(r.single),
      batched: over(r.batched),
      ...(r.steady
        ? {
            steadyLatency: {
              p50: r.steady.pipeline.latency.p50Ms / r.steady.kafka.latency.p50Ms,
              p99: r.steady.pipeline.latency.p99Ms / r.steady.kafka.latency.p99Ms,
              p50AddedMs: r.steady.pipeline.latency.p50Ms - r.steady.kafka.latency.p50Ms,
              p99AddedMs: r.steady.pipeline.latency.p99Ms - r.steady.kafka.latency.p99Ms,
            },
          }
        : {}),
    },
    consumerOutcomes: r.outcomes,
    elapsedSeconds,
  };
  mkdirSync(resolve(OUTPUT, '..'), { recursive: true });
  writeFileSync(OUTPUT, `${JSON.stringify(document, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`\nevents benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
