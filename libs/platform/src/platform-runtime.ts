import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { ALL_TOPICS, EventRegistry, deadLetterTopic } from '@iop/contracts';
import { EventConsumer, OutboxRelay, describeError, ensureTopics, type ConsumerHealth, type EventHandler } from '@iop/messaging';
import { serviceDatabaseUrl } from '@iop/persistence';
import type { Redis } from './redis';
import { LOGGER, METRICS, REDIS, SERVICE_NAME } from './tokens';

export const PLATFORM_HANDLERS = 'iop:platform-handlers';
export const KAFKA = 'iop:kafka';

export interface HandlerSources {
  readonly handlers: readonly EventHandler[];
  readonly handlerProviders: ReadonlyArray<Type<EventHandler>>;
}

/**
 * Starts and stops the service's messaging: topics, the outbox relay and the service's consumer.
 * Kafka being away at start does not stop the service: it keeps trying, and readiness says so.
 */
@Injectable()
export class PlatformRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private relay: OutboxRelay | undefined;
  private consumer: EventConsumer | undefined;
  private stopped = false;
  private starting: Promise<void> | undefined;
  kafkaReady = false;

  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(METRICS) private readonly metrics: Registry,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PLATFORM_HANDLERS) private readonly sources: HandlerSources,
    private readonly dataSource: DataSource,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Not awaited: the client retries until Redis answers, and a service must start (and serve what needs no
    // Redis) while it is away; commands fail fast meanwhile (offline queue off).
    this.redis.connect().catch((error: unknown) => this.log.warn({ err: describeError(error) }, 'redis connection given up'));
    // In the background: a service answers /health/live (and says "not ready") while Kafka is away.
    this.starting = this.startMessaging();
  }

  /** Resolves once the relay runs and the consumer has joined its group. */
  whenMessagingStarted(): Promise<void> {
    return this.starting ?? Promise.resolve();
  }

  private async startMessaging(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        this.admin ??= this.kafka.admin();
        await this.admin.connect();
        const created = await ensureTopics(this.admin, ALL_TOPICS);
        if (created.length) this.log.info({ topics: created }, 'created missing topics');
        this.producer ??= this.kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, idempotent: false });
        await this.producer.connect();
        // Made and started once: a retry after a later step failed must not start a second relay (nor register its
        // metrics twice, which throws, so that every later attempt failed too).
        if (!this.relay) {
          this.relay = new OutboxRelay({
            schema: this.service,
            dataSource: this.dataSource,
            connectionString: serviceDatabaseUrl(this.service),
            producer: this.producer,
            log: this.log,
            registry: this.metrics,
          });
          this.relay.start();
        }
        // Handlers of one event type all run, in this order: the service's own providers first, then the static lists
        // (the site directory's among them), so a service that must see a site before the directory's upsert can.
        const handlers = [...this.sources.handlerProviders.map((type) => this.moduleRef.get(type, { strict: false })), ...this.sources.handlers];
        if (handlers.length > 0) {
          const sessionTimeout = Number(process.env['KAFKA_SESSION_TIMEOUT_MS'] ?? 0);
          this.consumer = new EventConsumer({
            // A suffix lets test runs use fresh consumer groups against a shared broker.
            name: `${this.service}${process.env['IOP_CONSUMER_GROUP_SUFFIX'] ?? ''}`,
            ...(sessionTimeout > 0 ? { sessionTimeoutMs: sessionTimeout } : {}),
            // A new consumer group reads its topics from the beginning (a new service learns the history);
            // KAFKA_CONSUMER_FROM=latest starts it at the end instead, for a run that must not replay others' events.
            fromBeginning: process.env['KAFKA_CONSUMER_FROM'] !== 'latest',
            schema: this.service,
            kafka: this.kafka,
            producer: this.producer,
            dataSource: this.dataSource,
            registry: new EventRegistry(),
            handlers,
            deadLetterTopic: deadLetterTopic(this.service),
            log: this.log,
            metrics: this.metrics,
          });
          await this.consumer.start();
        }
        this.kafkaReady = true;
        this.log.info({ consumerTopics: this.consumer?.topics() ?? [] }, 'messaging started');
        return;
      } catch (error) {
        // A consumer that failed to start is dropped, so that the next attempt makes a fresh one.
        await this.consumer?.stop().catch(() => undefined);
        this.consumer = undefined;
        this.log.warn({ err: describeError(error), attempt }, 'kafka not ready; retrying');
        await new Promise((r) => setTimeout(r, Math.min(500 * attempt, 5000)));
      }
    }
  }

  /**
   * For liveness: the consumer crashed and has not come back for `IOP_CONSUMER_DEAD_AFTER_MS` (default 60 s)
   * although Kafka answers. The consumer restarts itself, so this means it keeps failing for a reason a fresh
   * process may cure. A Kafka outage is not such a reason (a new process would fare no better), so it never
   * fails liveness.
   */
  async consumerStuck(): Promise<{ stuck: boolean; consumer?: ConsumerHealth }> {
    const health = this.consumer?.health();
    if (!health) return { stuck: false };
    const deadAfterMs = Number(process.env['IOP_CONSUMER_DEAD_AFTER_MS'] ?? 60_000);
    const down = health.status === 'restarting' || health.status === 'starting';
    if (!down || Date.now() - health.since < deadAfterMs) return { stuck: false, consumer: health };
    return { stuck: await this.kafkaHealthy(), consumer: health };
  }

  async kafkaHealthy(): Promise<boolean> {
    if (!this.kafkaReady || !this.admin) return false;
    try {
      await withTimeout(this.admin.describeCluster(), 1500);
      return true;
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    await this.consumer?.stop().catch(() => undefined);
    await this.relay?.stop().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    // QUIT needs a live connection; a client still trying to reach Redis is just told to stop.
    if (this.redis.isReady) await this.redis.quit().catch(() => undefined);
    else if (this.redis.isOpen) await this.redis.disconnect().catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}
