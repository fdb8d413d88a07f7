/**
 * X12 271 throughput: full parse + coordinator summary against a baseline that only splits the same bytes into
 * segments and elements. The ratio is what validation, loop tracking and typing cost on top of reading the bytes.
 *
 *   node -r @swc-node/register benchmarks/x12.bench.ts [--files 2000] [--rounds 7] [--min-ms 400]
 *
 * The corpus is the valid fixtures plus generated 271s of varied size (one to four members, 10 to 90 benefit
 * lines each), held in memory so that disk reads are not timed. Baseline and full runs alternate round by round,
 * and the median round is reported, so a slow start or a GC pause does not favour either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summariseBenefits } from '../apps/insurance/src/domain/eligibility/benefit-summary';
import { DEFAULT_IOP_SERVICE_TYPES } from '../apps/insurance/src/domain/eligibility/eligibility-codes';
import { parse271 } from '../apps/insurance/src/domain/eligibility/eligibility-271.parser';
import { eb, synthetic271, SyntheticMember } from '../apps/insurance/src/domain/eligibility/x12-271.factory';
import { splitSegmentsOnly } from '../apps/insurance/src/domain/eligibility/x12-tokenizer';
import { SegmentSpec } from '../apps/insurance/src/domain/eligibility/x12-writer';
import { build270, tryParse271 } from '../apps/insurance/src/domain/eligibility';
import { CircuitBreaker } from '../apps/insurance/src/infrastructure/circuit-breaker';
import { HttpClearinghouse } from '../apps/insurance/src/infrastructure/http-clearinghouse';
import { startPayerSimulator } from '../apps/payer-simulator/src/payer-simulator';
import pino from 'pino';
import { createClient } from 'redis';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

const FILES = option('files', 2000);
const ROUNDS = option('rounds', 7);
const MIN_MS = option('min-ms', 400);
const FIXTURES = join(__dirname, '../apps/insurance/test/fixtures/x12');

/** A deterministic generator so every run times the same corpus. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const SERVICE_TYPES = ['30', 'MH', 'AI', 'A8', 'CF', 'CH', 'AJ', 'AK', '98', '50'];

function benefitLines(random: () => number, count: number): SegmentSpec[] {
  const lines: SegmentSpec[] = [['DTP', '346', 'D8', '20260101'], eb('1', 'FAM', '30', 'PR', 'GOLD PPO')];
  for (let i = 0; i < count; i += 1) {
    const type = SERVICE_TYPES[Math.floor(random() * SERVICE_TYPES.length)] ?? '30';
    const network = random() < 0.5 ? 'Y' : 'N';
    const amount = String(Math.floor(random() * 500000) / 100);
    switch (i % 6) {
      case 0:
        lines.push(eb('C', 'IND', type, '', '', random() < 0.5 ? '23' : '29', amount, '', '', '', '', network));
        break;
      case 1:
        lines.push(eb('A', 'IND', type, '', '', '', '', `.${Math.floor(random() * 9) + 1}`, '', '', random() < 0.3 ? 'Y' : 'N', network));
        break;
      case 2:
        lines.push(eb('B', 'IND', type, '', '', '27', String(Math.floor(random() * 80)), '', '', '', '', network), ['MSG', 'COPAY APPLIES PER VISIT']);
        break;
      case 3:
        lines.push(eb('G', random() < 0.5 ? 'IND' : 'FAM', type, '', '', '29', amount, '', '', '', '', network));
        break;
      case 4:
        lines.push(eb('F', 'IND', type, '', '', '23', '', '', 'VS', String(Math.floor(random() * 60)), '', 'W'), ['HSD', 'VS', '30', '', '', '22', '1']);
        break;
      default:
        lines.push(
          ['EB', '1', 'IND', { repeat: type === 'MH' ? ['MH'] : [type, 'MH'] }],
          ['LS', '2120'],
          ['NM1', 'Y2', '2', 'EXAMPLE BEHAVIORAL HEALTH', '', '', '', '', 'PI', 'BH001'],
          ['PER', 'IC', '', 'TE', '8005550100'],
          ['LE', '2120'],
        );
    }
  }
  return lines;
}

function buildCorpus(): string[] {
  const fixtures = readdirSync(FIXTURES)
    .filter((name) => name.startsWith('271-') && name.endsWith('.x12'))
    .map((name) => readFileSync(join(FIXTURES, name), 'utf8'));
  const random = lcg(20261120);
  const corpus = [...fixtures];
  while (corpus.length < FILES) {
    const memberCount = 1 + Math.floor(random() * 4);
    const members: SyntheticMember[] = [];
    for (let m = 0; m < memberCount; m += 1) {
      members.push({ memberId: `BENCH${corpus.length}-${m}`, segments: benefitLines(random, 10 + Math.floor(random() * 80)) });
    }
    corpus.push(synthetic271({ controlNumber: corpus.length + 1, members, lineEnding: random() < 0.5 ? '\n' : '' }));
  }
  return corpus;
}

interface Round {
  readonly files: number;
  readonly ms: number;
}

/** Repeats passes over the corpus until at least MIN_MS has gone by, so short corpora still time reliably. */
function timeRound(corpus: readonly string[], run: (text: string) => number): Round & { sink: number } {
  let files = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < MIN_MS) {
    for (const text of corpus) sink += run(text);
    files += corpus.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { files, ms: elapsed, sink };
}

function median(rounds: readonly Round[]): Round {
  const sorted = [...rounds].sort((a, b) => a.files / a.ms - b.files / b.ms);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('no rounds');
  return middle;
}

function main(): void {
  const corpus = buildCorpus();
  const bytes = corpus.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);
  const meanBytes = bytes / corpus.length;
  const options = { serviceTypes: DEFAULT_IOP_SERVICE_TYPES, serviceDate: '2026-12-01' };

  const baseline = (text: string): number => splitSegmentsOnly(text).length;
  const full = (text: string): number => {
    const summary = summariseBenefits(parse271(text), options);
    return summary.members.length + summary.carveOuts.length;
  };

  // Every file must parse: a benchmark over inputs that throw would time the error path.
  for (const text of corpus) full(text);
  for (let i = 0; i < 2; i += 1) {
    timeRound(corpus, baseline);
    timeRound(corpus, full);
  }

  const baselineRounds: Round[] = [];
  const fullRounds: Round[] = [];
  let sink = 0;
  for (let i = 0; i < ROUNDS; i += 1) {
    const b = timeRound(corpus, baseline);
    const f = timeRound(corpus, full);
    sink += b.sink + f.sink;
    baselineRounds.push(b);
    fullRounds.push(f);
  }

  const report = (name: string, round: Round): { filesPerSecond: number } => {
    const filesPerSecond = (round.files / round.ms) * 1000;
    const mbPerSecond = (filesPerSecond * meanBytes) / 1e6;
    console.log(`${name.padEnd(32)} ${filesPerSecond.toFixed(0).padStart(10)} files/s ${mbPerSecond.toFixed(2).padStart(9)} MB/s`);
    return { filesPerSecond };
  };

  console.log(`corpus: ${corpus.length} files, ${(bytes / 1e6).toFixed(2)} MB, mean ${(meanBytes / 1024).toFixed(1)} KiB/file`);
  console.log(`node ${process.version}, ${ROUNDS} alternating rounds of at least ${MIN_MS} ms each, median round shown`);
  const b = report('baseline (split only)', median(baselineRounds));
  const f = report('full (parse271 + summarise)', median(fullRounds));
  console.log(`ratio: full is ${(b.filesPerSecond / f.filesPerSecond).toFixed(2)}x slower than the baseline`);
  if (sink < 0) console.log(sink);
  largeResponse();
}

/**
 * One large response (a payer answering for a whole family with hundreds of benefit lines each, about 5 MB):
 * parse271 and the summary, timed once after a warm-up, against the one-second budget of issue 13.
 */
function largeResponse(): void {
  const random = lcg(5_000_000);
  const members: SyntheticMember[] = [];
  let text = '';
  while (Buffer.byteLength(text, 'utf8') < 5_000_000) {
    members.push({ memberId: `LARGE-${members.length}`, segments: benefitLines(random, 600) });
    if (members.length % 10 === 0) text = synthetic271({ controlNumber: 9, members });
  }
  text = synthetic271({ controlNumber: 9, members });
  const options = { serviceTypes: DEFAULT_IOP_SERVICE_TYPES, serviceDate: '2026-12-01' };
  summariseBenefits(parse271(text), options);
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const summary = summariseBenefits(parse271(text), options);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  // CPU time beside wall time: on a shared machine the wall time mostly measures the other processes.
  console.log(
    `large response: ${(Buffer.byteLength(text, 'utf8') / 1e6).toFixed(2)} MB, ${summary.members.length} members, parse271 + summarise in ${ms.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (budget 1000 ms)`,
  );
}

/**
 * Verification latency, the part that differs between the two paths: a simulator round trip (build the 270, HTTP
 * to the payer simulator on loopback, read and summarise the 271) against a cache hit (Redis GET + JSON parse of
 * the stored answer). The Postgres work both paths share (consent check, audit, verification row) is left out.
 * Skipped when Redis is not reachable (REDIS_URL, default 127.0.0.1:6379).
 */
async function verificationLatency(): Promise<void> {
  const SAMPLES = option('latency-samples', 300);
  const simulator = await startPayerSimulator();
  const clearinghouse = new HttpClearinghouse({
    url: simulator.url,
    timeoutMs: 5000,
    retries: 0,
    retryBackoffMs: 0,
    breaker: new CircuitBreaker({ failureThreshold: 5, openMs: 30_000 }),
    log: pino({ level: 'silent' }),
  });
  const redis = createClient({ url: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', socket: { connectTimeout: 1000, reconnectStrategy: false } });
  redis.on('error', () => undefined);
  try {
    try {
      await redis.connect();
    } catch {
      console.log('verification latency: skipped (Redis not reachable)');
      return;
    }
    const inquiry = (i: number) =>
      build270({
        sender: { id: 'IOPNETWORK' },
        receiver: { id: '62308' },
        controlNumbers: { interchange: i, group: i, transaction: String(i % 10000).padStart(4, '0') },
        createdAt: { date: '2026-11-22', time: '12:00' },
        reference: `BENCH${i}`,
        informationSource: { payerName: 'CIGNA', payerId: '62308' },
        informationReceiver: { npi: '1234567893', name: 'IOP NETWORK CLINIC' },
        subscriber: { memberId: `ACTIVE${i}`, firstName: 'AVERY', lastName: 'QUILL', birthDate: '1989-03-14' },
        trace: { number: `T${i}`, originatorId: '1999999999' },
        serviceDate: '2026-12-01',
        serviceTypes: ['30', 'AI', 'CH'],
      });
    const roundTrip = async (i: number) => {
      const parsed = tryParse271(await clearinghouse.exchange(inquiry(i), '62308'));
      if (!parsed.ok) throw parsed.error;
      return summariseBenefits(parsed.value, { serviceTypes: ['30', 'AI', 'CH'], serviceDate: '2026-12-01' });
    };
    const key = `insurance:eligibility:bench:${process.pid}`;
    await redis.set(key, JSON.stringify({ outcome: { kind: 'verified' }, benefits: (await roundTrip(1)).members[0] }), { EX: 60 });
    const cacheHit = async () => JSON.parse((await redis.get(key)) ?? 'null') as unknown;

    const time = async (run: (i: number) => Promise<unknown>): Promise<number[]> => {
      for (let i = 1; i <= 20; i += 1) await run(i);
      const samples: number[] = [];
      for (let i = 1; i <= SAMPLES; i += 1) {
        const start = process.hrtime.bigint();
        await run(i);
        samples.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      return samples.sort((a, b) => a - b);
    };
    const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
    const line = (name: string, sorted: number[]) =>
      console.log(
        `${name.padEnd(32)} p50 ${pct(sorted, 50).toFixed(3).padStart(8)} ms   p95 ${pct(sorted, 95).toFixed(3).padStart(8)} ms   p99 ${pct(sorted, 99).toFixed(3).padStart(8)} ms`,
      );
    console.log(`verification latency, ${SAMPLES} sequential samples each (Postgres work common to both paths not included):`);
    line('simulator round trip', await time(roundTrip));
    line('cache hit (Redis)', await time(cacheHit));
    await redis.del(key);
  } finally {
    if (redis.isOpen) await redis.quit();
    await simulator.close();
  }
}

main();
verificationLatency().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
