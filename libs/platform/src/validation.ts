import { Body, Param, Query, type PipeTransform, applyDecorators } from '@nestjs/common';
import { ApiBody, ApiParam } from '@nestjs/swagger';
import { z } from 'zod';

/** OpenAPI 3.0 schema from the same zod schema that validates the request. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}
  transform(value: unknown): z.infer<S> {
    return this.schema.parse(value ?? {});
  }
}

/** Validates the JSON body (unknown fields refused when the schema is strict) and documents it. */
export function ValidBody(schema: z.ZodType): ParameterDecorator {
  return Body(new ZodPipe(schema));
}

export function ApiBodyFrom(schema: z.ZodType, description?: string): MethodDecorator {
  return applyDecorators(ApiBody({ schema: openApiSchema(schema), ...(description ? { description } : {}) }));
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
