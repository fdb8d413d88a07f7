import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { openApiSchema } from './validation';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem';

export interface ApiDocumentOptions {
  readonly title: string;
  readonly description: string;
}

type Operation = {
  parameters?: Array<{ in?: string }>;
  requestBody?: unknown;
  responses?: Record<string, unknown>;
  security?: unknown[];
};

const PROBLEM_REF = { $ref: '#/components/schemas/ProblemDetails' };
const problem = (description: string) => ({ description, content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF } } });

const DEFINITIONS_REF = '#/definitions/';
const COMPONENTS_REF = '#/components/schemas/';

/**
 * Schemas named with zod's `.meta({ id })` come out of `openApiSchema` as `definitions` beside the operation's
 * schema; OpenAPI wants them once, under `components.schemas`, which is also where generated clients find the
 * type names. Two different schemas under one name would make a client type wrong, so that is refused.
 */
function hoistNamedSchemas(node: unknown, components: Record<string, unknown>): void {
  if (Array.isArray(node)) {
    node.forEach((item) => hoistNamedSchemas(item, components));
    return;
  }
  if (!node || typeof node !== 'object') return;
  const object = node as Record<string, unknown>;
  if (typeof object['$ref'] === 'string' && object['$ref'].startsWith(DEFINITIONS_REF)) {
    object['$ref'] = COMPONENTS_REF + object['$ref'].slice(DEFINITIONS_REF.length);
  }
  const definitions = object['definitions'] as Record<string, unknown> | undefined;
  if (definitions && typeof definitions === 'object') {
    delete object['definitions'];
    for (const [name, schema] of Object.entries(definitions)) {
      hoistNamedSchemas(schema, components);
      const known = components[name];
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(schema)) {
        throw new Error(`two different schemas are both named ${name} in the API document: give one another id`);
      }
      components[name] = schema;
    }
  }
  for (const value of Object.values(object)) hoistNamedSchemas(value, components);
}

/**
 * The service's OpenAPI document: operations and their success responses from the controllers'
 * decorators (`ApiBodyFrom`, `Returns`), and every operation's error responses in the one problem-details
 * shape the error filter produces, added here so no operation can forget them.
 */
export function buildApiDocument(app: INestApplication, options: ApiDocumentOptions): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('0.1.0').addBearerAuth().build(),
  );
  const { id: _id, ...problemSchema } = openApiSchema(ProblemDetails, 'output') as Record<string, unknown> & { id?: string };
  const schemas: Record<string, unknown> = { ...document.components?.schemas };
  // ProblemDetails is itself a named schema: hoisted like the others, it is the component and not a reference to one.
  const problemHolder = { schema: problemSchema };
  hoistNamedSchemas(problemHolder, schemas);
  schemas['ProblemDetails'] ??= problemHolder.schema;
  // A copy: the schemas are the decorators' own objects, and the next document built in this process needs them as they were.
  document.paths = structuredClone(document.paths);
  hoistNamedSchemas(document.paths, schemas);
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  document.components = { ...document.components, schemas: sorted as NonNullable<OpenAPIObject['components']>['schemas'] };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, value] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const operation = value as Operation;
      const writes = method !== 'get';
      const errors: Record<string, unknown> = {
        '400': problem('The request is malformed or a field is invalid; `issues` names each field'),
        '401': problem('No valid access token: sign in again'),
        '403': problem('The token lacks the role, or the site, this operation needs'),
        ...(path.includes('{') ? { '404': problem('Nothing with that id at a site the caller may see') } : {}),
        ...(writes ? { '409': problem('The change collides with the current state (out of order, already exists, or an Idempotency-Key in use)') } : {}),
        ...(operation.requestBody ? { '413': problem('The body is larger than accepted') } : {}),
        ...(operation.requestBody ? { '415': problem('The body is not uncompressed UTF-8 JSON') } : {}),
        ...(writes ? { '422': problem('The request is well formed but the platform’s rules refuse it; `detail` says why') } : {}),
        '500': problem('A defect on our side; nothing was saved. Quote the request id'),
        '503': problem('A dependency is unavailable; nothing was saved. Retry after the `Retry-After` seconds'),
      };
      operation.responses = { ...errors, ...operation.responses };
    }
  }
  return document;
}
