import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry for a service. Must run before NestJS, pg, kafkajs or redis are loaded, so
 * each service's main.ts imports its telemetry file first. Spans are exported over OTLP/HTTP only
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set; trace context propagates either way.
 */
export function startTelemetry(service: string, extraProcessors: SpanProcessor[] = []): void {
  if (sdk) return;
  const processors = [...extraProcessors];
  const exporting = Boolean(process.env['OTEL_EXPORTER_OTLP_ENDPOINT']);
  if (exporting) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: `iop-${service}` }),
    spanProcessors: processors,
    // Left to itself the SDK exports metrics to OTLP's default address (localhost:4318) every minute, endpoint or not,
    // and records a histogram per request for it. The services' metrics are prom-client's (/metrics); OpenTelemetry's
    // are exported only when an endpoint or OTEL_METRICS_EXPORTER says where.
    ...(exporting || process.env['OTEL_METRICS_EXPORTER'] ? {} : { metricReaders: [] }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? '') }),
      // Names the request's span by its route ("GET /referrals/:referralId"), but no span per Express layer: each
      // middleware (body parser, request context...) would add one to every request, and Nest's own spans cover the handler.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER, ExpressLayerType.REQUEST_HANDLER] }),
      new NestInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
      new KafkaJsInstrumentation(),
      new RedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
