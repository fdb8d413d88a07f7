/*
 * The API contract says what comes back. Walks every operation of every service's OpenAPI document (built
 * from the module graphs in preview mode: no infrastructure), so a new service or operation is covered the
 * moment it exists:
 *  - a success response with an application/json schema (or a 204), enforced at runtime by the response
 *    schema `@Returns` registers for ResponseShapeInterceptor;
 *  - the problem-details error responses every operation can give;
 *  - a structurally sound OpenAPI 3 document (unique operation ids, declared path parameters, references that
 *    resolve);
 *  - and docs/api/<service>.openapi.json, which the console generates its types from, is what the code says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import type { OpenAPIObject } from '@nestjs/swagger';
import { RESPONSE_SCHEMA, buildApiDocument } from '@iop/platform';
import { REGENERATE, ROOT, SERVICE_APIS, documentPath, previewApp, renderDocument, type ServiceApi } from './openapi';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PROBLEM_REF = '#/components/schemas/ProblemDetails';
const ERRORS_EVERY_OPERATION_HAS = ['400', '401', '403', '500', '503'];

interface Operation {
  operationId?: string;
  parameters?: Array<{ name?: string; in?: string; $ref?: string }>;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

interface Built {
  readonly api: ServiceApi;
  readonly document: OpenAPIObject;
  /** `Controller_method` (Nest's operation id) → the handler, to read what the interceptor enforces. */
  readonly handlers: ReadonlyMap<string, object>;
}

function operations(document: OpenAPIObject): Array<{ path: string; method: string; operation: Operation }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((method) => ({
      path,
      method,
      operation: (item as Record<string, Operation>)[method]!,
    })),
  );
}

function handlersOf(app: INestApplication): Map<string, object> {
  const handlers = new Map<string, object>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type?.prototype) continue;
      for (const key of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[key];
        if (key !== 'constructor' && typeof handler === 'function' && Reflect.getMetadata(PATH_METADATA, handler) !== undefined) {
          handlers.set(`${type.name}_${key}`, handler);
        }
      }
    }
  }
  return handlers;
}

function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => refsIn(item, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

function resolves(document: OpenAPIObject, ref: string): boolean {
  if (!ref.startsWith('#/')) return false;
  let node: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    if (!node || typeof node !== 'object') return false;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node !== undefined;
}

const built: Built[] = [];

beforeAll(async () => {
  for (const api of SERVICE_APIS) {
    const app = await previewApp(api);
    try {
      built.push({ api, document: buildApiDocument(app, api.document), handlers: handlersOf(app) });
    } finally {
      await app.close();
    }
  }
}, 120_000);

describe.each(SERVICE_APIS.map((api) => [api.service, api] as const))('the %s API contract', (service) => {
  const get = () => built.find((b) => b.api.service === service)!;

  it('is a structurally sound OpenAPI 3 document', () => {
    const { document } = get();
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(document.info.title).toBeTruthy();
    expect(document.info.version).toBeTruthy();
    expect(Object.keys(document.paths).length).toBeGreaterThan(0);
    expect(document.components?.schemas?.['ProblemDetails']).toBeDefined();

    const problems: string[] = [];
    const ids = new Map<string, string>();
    for (const { path, method, operation } of operations(document)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!path.startsWith('/')) problems.push(`${where}: a path must start with /`);
      if (!operation.operationId) problems.push(`${where}: no operationId`);
      else if (ids.has(operation.operationId)) problems.push(`${where}: operationId ${operation.operationId} is also ${ids.get(operation.operationId)}`);
      else ids.set(operation.operationId, where);
      if (!operation.responses || Object.keys(operation.responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!/^[1-5](\d\d|XX)$/.test(status) && status !== 'default') problems.push(`${where}: response key ${status} is not a status`);
        if (typeof response.description !== 'string') problems.push(`${where} ${status}: a response needs a description`);
      }
      const declared = new Set((operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name));
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!declared.has(name)) problems.push(`${where}: path parameter {${name}} is not declared`);
      }
    }
    for (const ref of refsIn(document)) if (!resolves(document, ref)) problems.push(`unresolved $ref ${ref}`);
    expect(problems).toEqual([]);
  });

  it('documents a success response for every operation, and the code enforces it', () => {
    const { document, handlers } = get();
    const problems: string[] = [];
    for (const { path, method, operation } of operations(document)) {
      const where = `${method.toUpperCase()} ${path} (${operation.operationId})`;
      const successes = Object.entries(operation.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
      if (successes.length === 0) {
        problems.push(`${where}: no success response; decorate the handler with @Returns(schema, { status }) or @ReturnsNothing()`);
        continue;
      }
      let json = false;
      for (const [status, response] of successes) {
        const schema = response.content?.['application/json']?.schema;
        if (status === '204') {
          if (response.content) problems.push(`${where}: a 204 has no body`);
        } else if (!schema || Object.keys(schema).length === 0) {
          problems.push(`${where}: ${status} has no application/json schema; use @Returns(schema, { status: ${status} })`);
        } else json = true;
      }
      // What the document promises is what leaves: the interceptor shapes the answer with the registered schema.
      const handler = operation.operationId ? handlers.get(operation.operationId) : undefined;
      if (json && (!handler || Reflect.getMetadata(RESPONSE_SCHEMA, handler) === undefined)) {
        problems.push(`${where}: the success schema is documented but not enforced; use @Returns (it registers the schema for ResponseShapeInterceptor)`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents the problem-details errors every operation can answer', () => {
    const { document } = get();
    const problems: string[] = [];
    for (const { path, method, operation } of operations(document)) {
      for (const status of ERRORS_EVERY_OPERATION_HAS) {
        const content = operation.responses?.[status]?.content ?? {};
        const refs = Object.values(content).map((c) => c.schema?.['$ref']);
        if (!refs.includes(PROBLEM_REF)) problems.push(`${method.toUpperCase()} ${path}: ${status} does not reference ${PROBLEM_REF}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it(`is committed as generated (docs/api/${service}.openapi.json; regenerate with \`${REGENERATE}\`)`, () => {
    const path = documentPath(service);
    let committed: string | undefined;
    try {
      committed = readFileSync(join(ROOT, path), 'utf8');
    } catch {
      committed = undefined;
    }
    const generated = renderDocument(get().document);
    if (committed !== generated) {
      throw new Error(`${path} is ${committed === undefined ? 'missing' : 'out of date'}: run \`${REGENERATE}\` and commit the result`);
    }
  });
});
