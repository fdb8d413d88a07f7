import { Body, Param, Query, SetMetadata, type PipeTransform, applyDecorators } from '@nestjs/common';
import { ApiBody, ApiParam, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

/** OpenAPI 3.0 schema from the same zod schema that validates the request (or, with `io: 'output'`, shapes the response). */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Deepest nesting of arrays and objects a request may have; the platform's own bodies are a few levels deep. */
export const MAX_REQUEST_DEPTH = 32;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Rules for every request value, checked before its schema on the whole value so no schema can forget
 * them: no NUL characters and no lone UTF-16 surrogates in text or field names (Postgres cannot store
 * either; node-postgres would silently turn a lone surrogate into U+FFFD, saving what nobody sent), and
 * no nesting deeper than `MAX_REQUEST_DEPTH` (a 64 kB body of `[[[[…]]]]` is 30,000 levels, which
 * overflows the stack of any recursive walk: this one is iterative and stops at the limit).
 */
export function requestValueIssues(root: unknown): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  const name = (path: PropertyKey[]) => path.map(String).join('.') || 'the value';
  const checkText = (text: string, path: PropertyKey[], what: string) => {
    if (text.includes('\u0000')) issues.push({ code: 'custom', path, message: `${what}must not contain a NUL character`, input: undefined });
    else if (LONE_SURROGATE.test(text))
      issues.push({ code: 'custom', path, message: `${what}must be well-formed Unicode text (it holds a lone UTF-16 surrogate)`, input: undefined });
  };
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    // The issue's path names the field (the error filter puts it first), so a value's message does not repeat it.
    if (typeof value === 'string') checkText(value, path, '');
    else if (value && typeof value === 'object') {
      if (path.length >= MAX_REQUEST_DEPTH) {
        issues.push({ code: 'custom', path, message: `the request is nested more than ${MAX_REQUEST_DEPTH} levels deep`, input: undefined });
        continue;
      }
      const entries: Array<[PropertyKey, unknown]> = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
      for (const [key, item] of entries.reverse()) {
        if (typeof key === 'string') checkText(key, path, path.length > 0 ? `a field name in ${name(path)} ` : 'a field name ');
        stack.push({ value: item, path: [...path, key] });
      }
    }
  }
  return issues;
}

class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}
  transform(value: unknown): z.infer<S> {
    const issues = requestValueIssues(value);
    if (issues.length > 0) throw new z.ZodError(issues);
    return this.schema.parse(value ?? {});
  }
}

export const RESPONSE_SCHEMA = 'iop:response-schema';

/**
 * Declares what an operation answers on success: documented in OpenAPI from the zod schema, and the
 * handler's result is passed through the same schema before it leaves (unknown fields are dropped,
 * a result that breaks its schema is a defect, not a surprise for the client).
 */
export function Returns(schema: z.ZodType, options: { status?: number; description?: string } = {}): MethodDecorator {
  const status = options.status ?? 200;
  return applyDecorators(
    SetMetadata(RESPONSE_SCHEMA, schema),
    ApiResponse({ status, description: options.description ?? 'Success', schema: openApiSchema(schema, 'output') }),
  );
}

/** Declares an operation that answers 204 with no body. */
export function ReturnsNothing(description = 'Done; nothing to return'): MethodDecorator {
  return applyDecorators(ApiResponse({ status: 204, description }));
}

/** Validates the JSON body (unknown fields refused when the schema is strict) and documents it. */
export function ValidBody(schema: z.ZodType): ParameterDecorator {
  return Body(new ZodPipe(schema));
}

export function ApiBodyFrom(schema: z.ZodType, description?: string): MethodDecorator {
  return applyDecorators(ApiBody({ schema: openApiSchema(schema), ...(description ? { description } : {}) }));
}

/** A list's keyset position as a client sends it back: the `nextCursor` of the previous page, opaque and unchanged. */
export const PageCursor = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'a cursor is the nextCursor of a previous page, unchanged');

const CURSOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The keyset position after a page's last row (its sort key and id), opaque to clients: a list's `nextCursor`. */
export function encodeKeysetCursor(key: string, id: string): string {
  return Buffer.from(`${key}|${id}`, 'utf8').toString('base64url');
}

/** The sort key and id a `nextCursor` holds; undefined unless the key matches `key` and the id is a uuid. */
export function decodeKeysetCursor(cursor: string, key: RegExp): { key: string; id: string } | undefined {
  const [sortKey, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (sortKey === undefined || id === undefined || rest.length > 0 || !key.test(sortKey) || !CURSOR_ID.test(id)) return undefined;
  return { key: sortKey, id };
}

export function ValidQuery(schema: z.ZodType): ParameterDecorator {
  const query = Query(new ZodPipe(schema));
  return (target, key, index) => {
    query(target, key, index);
    // A parameter typed with the schema's same-named type (`query: ListQuery`) is recorded with the
    // zod object as its type, which Swagger reads as a DTO class and crashes the whole app on.
    const types = key === undefined ? undefined : (Reflect.getMetadata('design:paramtypes', target, key) as unknown[] | undefined);
    if (types && typeof types[index] !== 'function') types[index] = Object;
  };
}

const UuidSchema = z.uuid();

/** A path parameter that must be a UUID; anything else is a 400 naming the parameter. */
export function UuidParam(name: string): ParameterDecorator {
  return Param(name, {
    transform(value: unknown) {
      if (!UuidSchema.safeParse(value).success) throw new z.ZodError([{ code: 'custom', path: [name], message: 'must be a UUID', input: value }]);
      return value as string;
    },
  });
}

export function ApiUuidParam(name: string, description: string): MethodDecorator {
  return applyDecorators(ApiParam({ name, description, schema: { type: 'string', format: 'uuid' } }));
}
