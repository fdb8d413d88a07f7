import { isUtf8 } from 'node:buffer';
import type { INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { buildApiDocument } from './openapi';
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

/** A body that is not UTF-8 would be decoded with U+FFFD in place of its bad bytes, saving text nobody sent: refused instead. */
function requireUtf8(req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error('the request body is not UTF-8'), { status: 415, type: 'charset.unsupported' });
  // Kept as received, for webhooks whose signature covers the exact bytes sent (see `rawBodyOf`).
  (req as { rawBody?: Buffer }).rawBody = body;
}

/** The JSON body exactly as it arrived (before parsing), or undefined when the request had none. */
export function rawBodyOf(req: unknown): Buffer | undefined {
  return (req as { rawBody?: Buffer }).rawBody;
}

/** Builds a service's Nest application with the platform's HTTP conventions; tests use it without listening. */
export async function createServiceApp(rootModule: Type<unknown>, options: ServiceAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, { bufferLogs: true, abortOnError: false });
  const log = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(log));
  app.use(requireJsonBodies);
  // inflate: false: a compressed body is refused with 415 instead of being inflated (a zip bomb, or a 500 on bad gzip).
  app.useBodyParser('json', { limit: options.bodyLimit ?? process.env['HTTP_BODY_LIMIT'] ?? '64kb', strict: true, inflate: false, verify: requireUtf8 });
  app.use(requestContextMiddleware);
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  const document = buildApiDocument(app, options);
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
