// The services run as processes here, not inside Jest: OpenTelemetry patches http, pg and kafkajs as
// Node loads them, and Jest's own module registry loads them past the patches.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  RUN_DIR,
  aSiteRegistration,
  eventually,
  startPlatformProcesses,
  tokenFor,
  useTestInfrastructure,
  type PlatformProcesses,
  type TestInfrastructure,
} from '@iop/testing';

/** A span as the OTLP/HTTP JSON exporter sends it, with the name of the service that ended it. */
interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>;
}

interface OtlpReceiver {
  /** The value for OTEL_EXPORTER_OTLP_ENDPOINT; exporters append /v1/traces. */
  readonly endpoint: string;
  spans(): ReceivedSpan[];
  /** Requests it could not read (e.g. protobuf instead of JSON), so a silent mismatch fails loudly. */
  problems(): string[];
  close(): Promise<void>;
}

describe('trace context from a site registration to every consumer of its event', () => {
  let infra: TestInfrastructure;
  let receiver: OtlpReceiver;
  let platform: PlatformProcesses | undefined;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    receiver = await startOtlpReceiver();
    platform = await startPlatformProcesses({
      env: {
        DATABASE_URL: infra.databaseUrl,
        REDIS_URL: infra.env.redisUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        LOG_LEVEL: 'info',
      },
      logs: { dir: resolve(RUN_DIR, `trace-propagation-${infra.env.runId}`) },
    });
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    await receiver?.close();
  });

  const registerSite = async (traceparent: string): Promise<{ siteId: string }> => {
    const response = await fetch(`${platform!.service('scheduling').url}/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor('network_admin')}`, 'content-type': 'application/json', traceparent },
      body: JSON.stringify(aSiteRegistration({ timeZone: 'America/Los_Angeles' })),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { siteId: string };
  };

  it('the consumer spans of intake, insurance, attendance and aftercare carry the trace id of the registering request', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');

    const site = await registerSite(`00-${traceId}-${callerSpanId}-01`);

    const [event] = await infra.adminQuery<{ id: string }>(`SELECT id FROM scheduling.outbox WHERE key = $1 AND type = 'scheduling.site-registered'`, [
      site.siteId,
    ]);
    // Each consumer span hangs under the scheduling span that wrote the event, and links to the
    // span of the kafkajs instrumentation for the fetched batch the event came in (consumers apply a
    // batch per transaction): proof that every process loaded its instrumentations.
    const consumed = { traceId, parentService: 'iop-scheduling', linkedTo: ['poll scheduling.sites'] };
    await eventually(
      () => {
        expect(receiver.problems()).toEqual([]);
        expect(journeyOf(event!.id, receiver.spans())).toEqual({
          'iop-intake': consumed,
          'iop-insurance': consumed,
          'iop-attendance': consumed,
          'iop-aftercare': consumed,
        });
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    // Where the trace starts: scheduling's HTTP server span, a child of the caller's span.
    const serverSpans = receiver.spans().filter((s) => s.traceId === traceId && s.parentSpanId === callerSpanId);
    expect(serverSpans.map((s) => `${s.service} ${s.name}`)).toEqual(['iop-scheduling POST /sites']);
  });
});

/** Per consuming service: the trace its span for the event joined, whose span its parent is, and what it links to. */
function journeyOf(
  eventId: string,
  spans: readonly ReceivedSpan[],
): Record<string, { traceId: string; parentService: string | undefined; linkedTo: Array<string | undefined> }> {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const consumerSpans = spans.filter((s) => s.name === 'scheduling.site-registered process' && s.attributes['messaging.message.id'] === eventId);
  return Object.fromEntries(
    consumerSpans.map((span) => [
      span.service,
      { traceId: span.traceId, parentService: byId.get(span.parentSpanId)?.service, linkedTo: span.links.map((link) => byId.get(link.spanId)?.name) },
    ]),
  );
}

/** Accepts POST /v1/traces with the OTLP JSON body the trace exporter sends; answers other signals with 200 and drops them. */
async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const problems: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(request.method === 'POST' ? 200 : 404).end();
        return;
      }
      try {
        if (!String(request.headers['content-type']).startsWith('application/json'))
          throw new Error(`content-type ${request.headers['content-type']}, expected application/json`);
        const raw = Buffer.concat(chunks);
        const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        spans.push(...spansOf(JSON.parse(body.toString('utf8')) as OtlpTraceRequest));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the OTLP receiver has no address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    spans: () => [...spans],
    problems: () => [...problems],
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}
interface OtlpTraceRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: OtlpAttribute[];
        links?: Array<{ traceId: string; spanId: string }>;
      }>;
    }>;
  }>;
}

function spansOf(request: OtlpTraceRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '(unnamed)';
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        attributes: attributesOf(span.attributes),
        links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
      })),
    );
  });
}

function attributesOf(attributes: OtlpAttribute[] = []): Record<string, string> {
  return Object.fromEntries(
    attributes.map(({ key, value }) => [key, String(value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue ?? '')]),
  );
}
