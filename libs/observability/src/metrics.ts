import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per service, so several services can share a process in tests without clashing. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function httpLatencyHistogram(registry: Registry): Histogram {
  return new Histogram({
    name: 'iop_http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}
