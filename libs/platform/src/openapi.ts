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
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ProblemDetails: problemSchema } };
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
