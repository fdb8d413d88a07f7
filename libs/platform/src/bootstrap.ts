import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { requestContextMiddleware } from './request-context';
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

/** Starts a service: migrates its schema, joins Kafka, serves HTTP on PORT. */
export async function runService(rootModule: Type<unknown>, options: ServiceAppOptions & { defaultPort: number }): Promise<INestApplication> {
  const app = await createServiceApp(rootModule, options);
  const port = Number(process.env['PORT'] ?? options.defaultPort);
  await app.listen(port, process.env['HOST'] ?? '127.0.0.1');
  app.get<Logger>(LOGGER).info({ port }, `${options.title} listening; OpenAPI UI at /docs`);
  return app;
}
