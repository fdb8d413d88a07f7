import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { requestContextMiddleware } from './request-context';
import { describeError } from '@iop/messaging';
import { createLogger } from '@iop/observability';
import { migrateService, platformOptionsOf } from './migrate';
import { LOGGER } from './tokens';

export interface ServiceAppOptions {
  readonly title: string;
  readonly description: string;
  /** Largest JSON body accepted; larger ones get 413. */
  readonly bodyLimit?: string;
}

class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}
  log(message: unknown, context?: string) {
    this.pino.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.pino.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.pino.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.pino.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.pino.trace({ context }, String(message));
  }
}

/** Builds a service's Nest application with the platform's HTTP conventions; tests use it without listening. */
export async function createServiceApp(rootModule: Type<unknown>, options: ServiceAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, { bufferLogs: true, abortOnError: false });
  const log = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(log));
  app.useBodyParser('json', { limit: options.bodyLimit ?? process.env['HTTP_BODY_LIMIT'] ?? '64kb', strict: true });
  app.use(requestContextMiddleware);
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('0.1.0').addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  await app.init();
  return app;
}

/**
 * A service's command line: `main.js` serves (as the service's own role, joins Kafka, HTTP on PORT);
 * `main.js migrate` runs the migrate step as the administrator (DATABASE_URL) and exits.
 */
export async function runService(rootModule: Type<unknown>, options: ServiceAppOptions & { defaultPort: number }): Promise<INestApplication | undefined> {
  const command = process.argv[2];
  if (command === 'migrate') {
    await runMigrateCommand(rootModule);
    return undefined;
  }
  if (command !== undefined) {
    process.stderr.write(`unknown command "${command}": run without arguments to serve, or with "migrate" to migrate the database\n`);
    process.exit(2);
  }
  const app = await createServiceApp(rootModule, options);
  const port = Number(process.env['PORT'] ?? options.defaultPort);
  await app.listen(port, process.env['HOST'] ?? '127.0.0.1');
  app.get<Logger>(LOGGER).info({ port }, `${options.title} listening; OpenAPI UI at /docs`);
  return app;
}

async function runMigrateCommand(rootModule: Type<unknown>): Promise<void> {
  const { service } = platformOptionsOf(rootModule);
  const log = createLogger(service);
  const began = Date.now();
  try {
    await migrateService(rootModule);
    log.info({ ms: Date.now() - began }, `${service}: database migrated`);
    process.exitCode = 0;
  } catch (error) {
    log.error({ err: describeError(error) }, `${service}: migration failed`);
    process.exitCode = 1;
  }
  // Telemetry or pool timers must not keep a finished Job's container alive.
  log.flush(() => process.exit());
}
