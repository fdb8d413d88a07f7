/**
 * Each service's OpenAPI document, built from its Nest module graph alone: a preview application reads the
 * controllers' metadata without instantiating a provider, so no database, broker or Redis is needed.
 *   npm run openapi               write docs/api/<service>.openapi.json (the console generates its types from them)
 *   npm run openapi -- --check    write nothing; exit 1 naming the files that are out of date (for CI)
 * scripts/api-contract.spec.ts checks the documents (and that the committed files are current) in the unit tier.
 */
import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ServiceName } from '@iop/contracts';
import { buildApiDocument, type ApiDocumentOptions } from '@iop/platform';
import { AFTERCARE_API } from '../apps/aftercare/src/api-document';
import { AftercareModule } from '../apps/aftercare/src/aftercare.module';
import { ATTENDANCE_API } from '../apps/attendance/src/api-document';
import { AttendanceModule } from '../apps/attendance/src/attendance.module';
import { INSURANCE_API } from '../apps/insurance/src/api-document';
import { InsuranceModule } from '../apps/insurance/src/insurance.module';
import { INTAKE_API } from '../apps/intake/src/api-document';
import { IntakeModule } from '../apps/intake/src/intake.module';
import { SCHEDULING_API } from '../apps/scheduling/src/api-document';
import { SchedulingModule } from '../apps/scheduling/src/scheduling.module';

export const ROOT = resolve(__dirname, '..');
export const REGENERATE = 'npm run openapi';

export interface ServiceApi {
  readonly service: ServiceName;
  readonly module: Type<unknown>;
  readonly document: ApiDocumentOptions;
}

/** Every service with an HTTP API: its root module (apps/<service>/src/<service>.module.ts) and document title. */
export const SERVICE_APIS: readonly ServiceApi[] = [
  { service: 'intake', module: IntakeModule, document: INTAKE_API },
  { service: 'insurance', module: InsuranceModule, document: INSURANCE_API },
  { service: 'scheduling', module: SchedulingModule, document: SCHEDULING_API },
  { service: 'attendance', module: AttendanceModule, document: ATTENDANCE_API },
  { service: 'aftercare', module: AftercareModule, document: AFTERCARE_API },
];

export const documentPath = (service: ServiceName): string => `docs/api/${service}.openapi.json`;

/** A preview application: the module graph and its metadata, no provider instantiated (nothing connects anywhere). */
export function previewApp(api: ServiceApi): Promise<INestApplication> {
  return NestFactory.create(api.module, { preview: true, logger: false, abortOnError: false });
}

/** The service's document exactly as `createServiceApp` serves it at /docs/openapi.json. */
export async function buildServiceDocument(api: ServiceApi): Promise<OpenAPIObject> {
  const app = await previewApp(api);
  try {
    return buildApiDocument(app, api.document);
  } finally {
    await app.close();
  }
}

/** The file's content: stable JSON, two-space indented, one trailing newline (as Prettier leaves it). */
export function renderDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Each service's document file path and content. */
export async function renderApiDocuments(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const api of SERVICE_APIS) files[documentPath(api.service)] = renderDocument(await buildServiceDocument(api));
  return files;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(join(ROOT, path), 'utf8');
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  const files = await renderApiDocuments();
  const changed = Object.keys(files).filter((path) => read(path) !== files[path]);
  if (values.check) {
    if (changed.length === 0) {
      process.stdout.write('API documents are up to date\n');
      return;
    }
    for (const path of changed) process.stderr.write(`out of date: ${path}\n`);
    process.stderr.write(`run \`${REGENERATE}\` and commit the result\n`);
    process.exitCode = 1;
    return;
  }
  for (const path of changed) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), files[path]!);
    process.stdout.write(`wrote ${path}\n`);
  }
  if (changed.length === 0) process.stdout.write('API documents are up to date\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
