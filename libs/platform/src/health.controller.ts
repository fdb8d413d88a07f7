import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Gauge, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { Public } from '@iop/auth';
import { PlatformRuntime, withTimeout } from './platform-runtime';
import type { Redis } from './redis';
import { METRICS, REDIS } from './tokens';

const DEPENDENCIES = ['postgres', 'redis', 'kafka'] as const;
type Dependency = (typeof DEPENDENCIES)[number];

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: PlatformRuntime,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(METRICS) private readonly metrics: Registry,
  ) {
    if (!metrics.getSingleMetric('iop_dependency_up')) {
      const checkDependencies = () => this.checkDependencies();
      new Gauge({
        name: 'iop_dependency_up',
        help: 'Whether each dependency answers (1) or not (0), checked at scrape time',
        labelNames: ['dependency'],
        registers: [metrics],
        async collect() {
          const checks = await checkDependencies();
          for (const dependency of DEPENDENCIES) this.set({ dependency }, checks[dependency] === 'up' ? 1 : 0);
        },
      });
    }
  }

  /**
   * Fails (503) only when restarting the process would help: the Kafka consumer crashed and has stayed down
   * while Kafka answers. Postgres, Redis or Kafka being away is for readiness and alerts, not for a restart.
   */
  @Get('health/live')
  @Public()
  async live(@Res({ passthrough: true }) res: { status(code: number): void }) {
    const { stuck, consumer } = await this.runtime.consumerStuck();
    if (!stuck) return { status: 'ok' };
    res.status(503);
    return { status: 'consumer down', consumer };
  }

  /**
   * Ready when Postgres answers: every command needs it, and nothing else. Kafka and Redis being away degrade
   * the service without taking it out of service: events wait in the outbox for Kafka, and only requests that
   * carry an Idempotency-Key need Redis (they get a 503 meanwhile). Taking every pod out of service during a
   * broker outage would turn a delay into an outage. The body names what is degraded; so does
   * `iop_dependency_up`.
   */
  @Get('health/ready')
  @Public()
  async ready(@Res({ passthrough: true }) res: { status(code: number): void }) {
    const checks = await this.checkDependencies();
    const ready = checks.postgres === 'up';
    const degraded = ready && (checks.redis !== 'up' || checks.kafka !== 'up');
    res.status(ready ? 200 : 503);
    return { status: ready ? (degraded ? 'degraded' : 'ready') : 'not ready', checks };
  }

  private async checkDependencies(): Promise<Record<Dependency, 'up' | 'down'>> {
    const check = async (run: () => Promise<unknown>) => {
      try {
        await withTimeout(run(), 1500);
        return 'up' as const;
      } catch {
        return 'down' as const;
      }
    };
    const [postgres, redis, kafka] = await Promise.all([
      check(() => this.dataSource.query('SELECT 1')),
      check(() => this.redis.ping()),
      this.runtime.kafkaHealthy().then((up) => (up ? ('up' as const) : ('down' as const))),
    ]);
    return { postgres, redis, kafka };
  }

  @Get('metrics')
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText() {
    return this.metrics.metrics();
  }
}
