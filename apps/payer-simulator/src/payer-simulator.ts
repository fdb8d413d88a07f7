import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Scenarios, chosen by the member id on the 270 (its prefix, case-insensitive), or set per member id at run time
 * with `PUT /scenarios/<memberId>`. Anything else is answered as active coverage.
 */
export const SCENARIOS = [
  'active',
  'active-copay',
  'inactive',
  'aaa-72',
  'aaa-75',
  'aaa-42',
  'carve-out',
  'slow',
  'server-error',
  'garbled',
  'sloppy-envelope',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

const PREFIXES: ReadonlyArray<readonly [string, Scenario]> = [
  ['ACTIVECOPAY', 'active-copay'],
  ['INACTIVE', 'inactive'],
  ['AAA72', 'aaa-72'],
  ['AAA75', 'aaa-75'],
  ['AAA42', 'aaa-42'],
  ['CARVEOUT', 'carve-out'],
  ['SLOW', 'slow'],
  ['ERROR', 'server-error'],
  ['GARBLED', 'garbled'],
  ['SLOPPY', 'sloppy-envelope'],
];

export interface PayerSimulatorOptions {
  readonly port?: number;
  readonly host?: string;
  /** How long the `slow` scenario waits before answering. */
  readonly slowMs?: number;
}

export interface PayerSimulator {
  readonly url: string;
  /** 270s received, by member id, so tests can tell a cached answer from a round trip. */
  requestsFor(memberId: string): number;
  totalRequests(): number;
  setScenario(memberId: string, scenario: Scenario): void;
  close(): Promise<void>;
}

interface Inquiry {
  readonly elementSeparator: string;
  readonly segments: string[][];
}

/** Reads the delimiters the ISA declares and splits the 270; enough to answer it, not a validator. */
function read270(text: string): Inquiry {
  const start = text.indexOf('ISA');
  if (start < 0 || text.length < start + 106) throw new Error('no ISA segment');
  const isa = text.slice(start);
  const element = isa[3]!;
  const terminator = isa[105]!;
  const segments = isa
    .split(terminator)
    .map((s) => s.replace(/^[\r\n]+/, ''))
    .filter((s) => s.length > 0)
    .map((s) => s.split(element));
  return { elementSeparator: element, segments };
}

const find = (inq: Inquiry, id: string, first?: string) => inq.segments.find((s) => s[0] === id && (first === undefined || s[1] === first));

function scenarioFor(memberId: string, overrides: Map<string, Scenario>): Scenario {
  const set = overrides.get(memberId);
  if (set) return set;
  const upper = memberId.toUpperCase();
  return PREFIXES.find(([prefix]) => upper.startsWith(prefix))?.[1] ?? 'active';
}

const pad = (value: string, width: number) => value.padEnd(width, ' ').slice(0, width);

/** Plan dates follow the service date asked about, so a scenario answers the same whatever today is. */
function benefitsFor(scenario: Scenario, year: string): string[][] {
  const planDates = [['DTP', '291', 'RD8', `${year}0101-${year}1231`]];
  switch (scenario) {
    case 'inactive':
      return [
        ['DTP', '346', 'D8', `${Number(year) - 1}0101`],
        ['DTP', '347', 'D8', `${Number(year) - 1}1231`],
        ['EB', '6', 'IND', '30', 'PR', 'GOLD PPO 1500'],
        ['MSG', 'COVERAGE TERMINATED'],
      ];
    case 'carve-out':
      return [
        ...planDates,
        ['EB', '1', 'IND', '30', 'PR', 'SILVER PPO'],
        ['EB', 'C', 'IND', '30', '', '', '23', '2000', '', '', '', '', 'Y'],
        ['EB', 'U', '', 'MH^AI^CF^CH'],
        ['MSG', 'BEHAVIORAL HEALTH BENEFITS ARE ADMINISTERED BY MAGELLAN HEALTHCARE'],
        ['LS', '2120'],
        ['NM1', 'PR', '2', 'MAGELLAN HEALTHCARE', '', '', '', '', 'PI', '01260'],
        ['PER', 'IC', 'BEHAVIORAL HEALTH INTAKE', 'TE', '8005550199'],
        ['LE', '2120'],
      ];
    case 'active':
    case 'active-copay':
    case 'slow':
    case 'aaa-42':
    case 'aaa-72':
    case 'aaa-75':
    case 'server-error':
    case 'garbled':
    case 'sloppy-envelope': {
      const copay = scenario === 'active-copay' ? [['EB', 'B', 'IND', 'CH', '', '', '7', '25', '', '', '', '', 'Y']] : [];
      return [
        ...planDates,
        ['EB', '1', 'FAM', '30', 'PR', 'GOLD PPO 1500'],
        ['EB', 'C', 'IND', '30', '', '', '23', '1500', '', '', '', '', 'Y'],
        ['EB', 'C', 'IND', '30', '', '', '29', '600', '', '', '', '', 'Y'],
        ['EB', 'C', 'IND', '30', '', '', '23', '3000', '', '', '', '', 'N'],
        ['EB', 'C', 'IND', '30', '', '', '29', '3000', '', '', '', '', 'N'],
        ['EB', 'G', 'IND', '30', '', '', '23', '5000', '', '', '', '', 'Y'],
        ['EB', 'G', 'IND', '30', '', '', '29', '3850', '', '', '', '', 'Y'],
        ['EB', 'G', 'IND', '30', '', '', '23', '10000', '', '', '', '', 'N'],
        ['EB', 'G', 'IND', '30', '', '', '29', '10000', '', '', '', '', 'N'],
        ['EB', '1', '', 'MH^AI^CF^CH^A8'],
        ['EB', 'A', 'IND', 'MH^AI^CF^CH^A8', '', '', '', '', '.2', '', '', 'Y', 'Y'],
        ['MSG', 'PRIOR AUTHORIZATION REQUIRED FOR INTENSIVE OUTPATIENT PROGRAMS'],
        ['EB', 'A', 'IND', 'MH^AI^CF^CH^A8', '', '', '', '', '.4', '', '', 'Y', 'N'],
        ...copay,
      ];
    }
  }
}

/** A 271 answering the inquiry, in the default delimiters (a payer need not echo the sender's). */
export function build271(text: string, scenario: Scenario, control: number): string {
  const inq = read270(text);
  const bht = find(inq, 'BHT');
  const payer = find(inq, 'NM1', 'PR') ?? ['NM1', 'PR', '2', 'SIMULATED PAYER', '', '', '', '', 'PI', '00000'];
  const provider = find(inq, 'NM1', '1P') ?? ['NM1', '1P', '2', 'CLINIC', '', '', '', '', 'XX', '1234567893'];
  const subscriber = find(inq, 'NM1', 'IL') ?? ['NM1', 'IL', '1', 'UNKNOWN', '', '', '', '', 'MI', ''];
  const dependent = find(inq, 'NM1', '03');
  const trace = find(inq, 'TRN', '1');
  const year = (find(inq, 'DTP', '291')?.[3] ?? new Date().toISOString()).slice(0, 4);
  const now = new Date();
  const ymd = now.toISOString().slice(0, 10).replace(/-/g, '');
  const hm = now.toISOString().slice(11, 16).replace(':', '');
  const body: string[][] = [
    ['BHT', '0022', '11', bht?.[3] ?? 'UNKNOWN', ymd, hm],
    ['HL', '1', '', '20', scenario === 'aaa-42' ? '0' : '1'],
    payer.slice(0, 10),
  ];
  if (scenario === 'aaa-42') {
    body.push(['AAA', 'Y', '', '42', 'R']);
  } else {
    body.push(['HL', '2', '1', '21', '1'], provider.slice(0, 10), ['HL', '3', '2', '22', dependent ? '1' : '0']);
    const echo = trace ? [['TRN', '2', trace[2] ?? '', trace[3] ?? '']] : [];
    const rejection = scenario === 'aaa-72' ? [['AAA', 'N', '', '72', 'C']] : scenario === 'aaa-75' ? [['AAA', 'N', '', '75', 'C']] : undefined;
    if (!dependent) body.push(...echo);
    body.push(subscriber.slice(0, 10));
    if (rejection) body.push(...rejection);
    else if (!dependent) body.push(...benefitsFor(scenario, year));
    if (dependent && !rejection) body.push(['HL', '4', '3', '23', '0'], ...echo, dependent.slice(0, 6), ['INS', 'N', '19'], ...benefitsFor(scenario, year));
  }
  const ctl = String(control).padStart(9, '0');
  const st = ['ST', '271', '0001', '005010X279A1'];
  const sloppy = scenario === 'sloppy-envelope';
  // What real clearinghouses send: an SE01 that counts the envelope too, SE02 re-numbered, no GE or IEA, CR/LF.
  const se = sloppy ? ['SE', String(body.length + 4), '2'] : ['SE', String(body.length + 2), '0001'];
  const isa = [
    'ISA',
    '00',
    pad('', 10),
    '00',
    pad('', 10),
    'ZZ',
    pad('PAYERSIM', 15),
    'ZZ',
    pad('CLINIC', 15),
    ymd.slice(2),
    hm,
    '^',
    '00501',
    ctl,
    '0',
    'T',
    ':',
  ];
  const lines = [
    isa,
    ['GS', 'HB', 'PAYERSIM', 'CLINIC', ymd, hm, String(control), 'X', '005010X279A1'],
    st,
    ...body,
    se,
    ...(sloppy
      ? []
      : [
          ['GE', '1', String(control)],
          ['IEA', '1', ctl],
        ]),
  ];
  return lines.map((segment) => `${segment.join('*')}~`).join(sloppy ? '\r\n' : '\n') + (sloppy ? '\r\n' : '\n');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startPayerSimulator(options: PayerSimulatorOptions = {}): Promise<PayerSimulator> {
  const counts = new Map<string, number>();
  const overrides = new Map<string, Scenario>();
  let control = 0;
  let total = 0;
  const slowMs = options.slowMs ?? 30_000;
  const pending = new Set<NodeJS.Timeout>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const scenarioPath = /^\/scenarios\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'PUT' && scenarioPath) {
      const wanted = (await readBody(req)).trim() as Scenario;
      if (!SCENARIOS.includes(wanted)) return send(res, 400, `scenario must be one of ${SCENARIOS.join(', ')}`);
      overrides.set(decodeURIComponent(scenarioPath[1]!), wanted);
      return send(res, 204, '');
    }
    // The same liveness path as the services, so one container health check serves the whole image.
    if (req.method === 'GET' && url.pathname === '/health/live') return send(res, 200, JSON.stringify({ status: 'ok' }), 'application/json');
    if (req.method === 'GET' && url.pathname === '/stats')
      return send(res, 200, JSON.stringify({ total, byMember: Object.fromEntries(counts) }), 'application/json');
    if (req.method !== 'POST' || url.pathname !== '/eligibility') return send(res, 404, 'POST a 270 to /eligibility');
    const text = await readBody(req);
    let memberId: string;
    try {
      memberId = find(read270(text), 'NM1', 'IL')?.[9] ?? '';
    } catch (error) {
      return send(res, 400, `not a 270: ${(error as Error).message}`);
    }
    total += 1;
    counts.set(memberId, (counts.get(memberId) ?? 0) + 1);
    const scenario = scenarioFor(memberId, overrides);
    if (scenario === 'server-error') return send(res, 503, 'payer system unavailable');
    if (scenario === 'garbled') return send(res, 200, 'ISA*00*this is not a 271~', 'application/edi-x12');
    control += 1;
    const answer = build271(text, scenario, control);
    if (scenario === 'slow') {
      const timer = setTimeout(() => {
        pending.delete(timer);
        send(res, 200, answer, 'application/edi-x12');
      }, slowMs);
      pending.add(timer);
      return;
    }
    send(res, 200, answer, 'application/edi-x12');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    requestsFor: (memberId) => counts.get(memberId) ?? 0,
    totalRequests: () => total,
    setScenario: (memberId, scenario) => void overrides.set(memberId, scenario),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type }).end(body);
}
