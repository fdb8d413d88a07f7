import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { buildApiDocument } from './openapi';
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

interface RawRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A request that carries a body must say it is JSON; anything else is refused before it is read. */
function requireJsonBodies(req: RawRequest, _res: unknown, next: (error?: unknown) => void): void {
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (!hasBody || req.method === 'GET' || req.method === 'HEAD' || /^application\/([\w.-]+\+)?json$/.test(type)) return next();
  // The error filter reads body-parser's error shape, so this one takes it too.
  next(Object.assign(new Error('unsupported content type'), { status: 415, type: 'content-type.unsupported' }));
}

/** Builds a service's Nest application with the platform's HTTP conventions; tests use it without listening. */
export async function createServiceApp(rootModule: Type<unknown>, options: ServiceAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, { bufferLogs: true, abortOnError: false });
  const log = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(log));
  app.use(requireJsonBodies);
  // inflate: false: a compressed body is refused with 415 instead of being inflated (a zip bomb, or a 500 on bad gzip).
  app.useBodyParser('json', { limit: options.bodyLimit ?? process.env['HTTP_BODY_LIMIT'] ?? '64kb', strict: true, inflate: false });
  app.use(requestContextMiddleware);
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  const document = buildApiDocument(app, options);
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
