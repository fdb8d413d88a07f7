import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { Public } from '@iop/auth';
import { PlatformRuntime, withTimeout } from './platform-runtime';
import type { Redis } from './redis';
import { METRICS, REDIS } from './tokens';

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: PlatformRuntime,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(METRICS) private readonly metrics: Registry,
  ) {}

  @Get('health/live')
  @Public()
  live() {
    return { status: 'ok' };
  }

  /** Ready only when Postgres, Redis and Kafka all answer; a load balancer stops sending traffic otherwise. */
  @Get('health/ready')
  @Public()
  async ready(@Res({ passthrough: true }) res: { status(code: number): void }) {
    const check = async (run: () => Promise<unknown>) => {
      try {
        await withTimeout(run(), 1500);
        return 'up' as const;
      } catch {
        return 'down' as const;
      }
    };
    const checks = {
      postgres: await check(() => this.dataSource.query('SELECT 1')),
      redis: await check(() => this.redis.ping()),
      kafka: (await this.runtime.kafkaHealthy()) ? ('up' as const) : ('down' as const),
    };
    const ready = Object.values(checks).every((c) => c === 'up');
    res.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', checks };
  }

  @Get('metrics')
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText() {
    return this.metrics.metrics();
  }
}
