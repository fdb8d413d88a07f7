import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DataSource, type EntitySchema, type MigrationInterface } from 'typeorm';
import type { ServiceName } from '@iop/contracts';
import { AccessGuard, AuditTrail, TokenVerifier, tokenConfigFromEnv } from '@iop/auth';
import { Outbox, createKafka, describeError, type EventHandler } from '@iop/messaging';
import { createMetricsRegistry, httpLatencyHistogram, createLogger } from '@iop/observability';
import { MIGRATE_HINT, assertReadyToServe, createServiceDataSource, platformMigrations, serviceRoleName } from '@iop/persistence';
import { HealthController } from './health.controller';
import { HttpErrorFilter } from './http-exception.filter';
import { HttpMetricsInterceptor } from './http-metrics.interceptor';
import { IdempotencyInterceptor, idempotencySecret } from './idempotency.interceptor';
import { noteAuditedPatient } from './request-context';
import { ResponseShapeInterceptor } from './response-shape.interceptor';
import { KAFKA, PLATFORM_HANDLERS, PlatformRuntime, type HandlerSources } from './platform-runtime';
import { createRedis, type Redis } from './redis';
import { SiteDirectory, siteDirectoryHandlers } from './site-directory/site-directory';
import { SiteDirectoryController } from './site-directory/site-directory.controller';
import { SiteDirectoryEntry } from './site-directory/site-directory.entity';
import { siteDirectoryMigration } from './site-directory/site-directory.migration';
import { LOGGER, METRICS, REDIS, SERVICE_NAME } from './tokens';
import { UnitOfWork } from './unit-of-work';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity classes
type EntityTarget = Function | EntitySchema;

export interface PlatformOptions {
  readonly service: ServiceName;
  readonly entities?: readonly EntityTarget[];
  /** The service's own migrations, after the platform's tables (outbox, inbox, audit log, site directory). */
  readonly migrations?: ReadonlyArray<new () => MigrationInterface>;
  /** Tables the service's role may insert into and read but never change or delete from (the audit log always). */
  readonly appendOnlyTables?: readonly string[];
  /** Keep a site directory from scheduling's site events (every service but scheduling). */
  readonly siteDirectory: boolean;
  readonly handlers?: readonly EventHandler[];
  /** Event handlers that need injection; resolved from the service's module. */
  readonly handlerProviders?: ReadonlyArray<Type<EventHandler>>;
}

export function serviceMigrations(options: PlatformOptions): Array<new () => MigrationInterface> {
  return [...platformMigrations(options.service), ...(options.siteDirectory ? [siteDirectoryMigration(options.service)] : []), ...(options.migrations ?? [])];
}

/** The options a service module was built with; the migrate step reads them from the module (see migrate.ts). */
export const PLATFORM_OPTIONS = 'iop:platform-options';

/** The names TypeORM records for the service's migrations once applied. */
export function migrationNames(options: PlatformOptions): string[] {
  return serviceMigrations(options).map((migration) => new migration().name ?? migration.name);
}

/** Connects as the service's own role (never the administrator) and refuses to serve on a schema that is not migrated. */
async function connectAsServiceRole(options: PlatformOptions, entities: readonly EntityTarget[]): Promise<DataSource> {
  let dataSource: DataSource;
  try {
    dataSource = await createServiceDataSource(options.service, entities).initialize();
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 28000: no such role (never provisioned); 28P01: wrong password; 3D000: no such database.
    if (code === '28000' || code === '28P01' || code === '3D000') {
      throw new Error(
        `${options.service} cannot log in as ${serviceRoleName(options.service)}: ${(error as Error).message}; ${MIGRATE_HINT(options.service)}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  try {
    await assertReadyToServe(dataSource, options.service, migrationNames(options));
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/**
 * Everything a service stands on: its database (as its own role, on a schema the migrate step prepared), Kafka with outbox relay and
 * idempotent consumer, Redis, the access guard, audit, error mapping, idempotency keys, health and
 * metrics. A service's module imports this once and adds its own controllers and use cases.
 */
@Module({})
export class PlatformModule {
  static forService(options: PlatformOptions): DynamicModule {
    const { service } = options;
    const handlerSources: HandlerSources = {
      handlers: [...(options.siteDirectory ? siteDirectoryHandlers : []), ...(options.handlers ?? [])],
      handlerProviders: options.handlerProviders ?? [],
    };
    return {
      module: PlatformModule,
      global: true,
      controllers: [HealthController, ...(options.siteDirectory ? [SiteDirectoryController] : [])],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: LOGGER, useFactory: () => createLogger(service) },
        { provide: METRICS, useFactory: () => createMetricsRegistry(service) },
        { provide: PLATFORM_HANDLERS, useValue: handlerSources },
        { provide: PLATFORM_OPTIONS, useValue: options },
        {
          provide: DataSource,
          // The service never migrates: the migrate step (migrate.ts) ran before it, as the administrator.
          useFactory: () => connectAsServiceRole(options, [...(options.siteDirectory ? [SiteDirectoryEntry] : []), ...(options.entities ?? [])]),
        },
        { provide: KAFKA, useFactory: (log: Logger) => createKafka(`iop-${service}`, log), inject: [LOGGER] },
        { provide: REDIS, useFactory: (log: Logger) => createRedis((error) => log.warn({ err: describeError(error) }, 'redis error')), inject: [LOGGER] },
        { provide: TokenVerifier, useFactory: () => new TokenVerifier(tokenConfigFromEnv()) },
        { provide: Outbox, useFactory: () => new Outbox(service) },
        { provide: AuditTrail, useFactory: () => new AuditTrail(service, noteAuditedPatient) },
        UnitOfWork,
        SiteDirectory,
        PlatformRuntime,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useFactory: (log: Logger) => new HttpErrorFilter(log), inject: [LOGGER] },
        { provide: APP_INTERCEPTOR, useFactory: (registry: Registry) => new HttpMetricsInterceptor(httpLatencyHistogram(registry)), inject: [METRICS] },
        {
          provide: APP_INTERCEPTOR,
          useFactory: (redis: Redis, uow: UnitOfWork, audit: AuditTrail) => new IdempotencyInterceptor(redis, service, idempotencySecret(), uow, audit),
          inject: [REDIS, UnitOfWork, AuditTrail],
        },
        // Innermost: the idempotency store keeps the response as shaped, so a replay is the same answer.
        {
          provide: APP_INTERCEPTOR,
          useFactory: (reflector: Reflector, log: Logger) => new ResponseShapeInterceptor(reflector, log),
          inject: [Reflector, LOGGER],
        },
      ],
      exports: [SERVICE_NAME, LOGGER, METRICS, REDIS, KAFKA, DataSource, Outbox, AuditTrail, UnitOfWork, SiteDirectory, PlatformRuntime, TokenVerifier],
    };
  }
}
