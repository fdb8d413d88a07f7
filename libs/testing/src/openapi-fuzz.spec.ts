import fc from 'fast-check';
import { z } from 'zod';
import { openApiSchema, requestValueIssues } from '@iop/platform';
import {
  exampleOf,
  invalidRequests,
  locations,
  queryValueAccepted,
  stringAccepted,
  validExample,
  writeOperations,
  type JsonSchema,
  type OpenApiDocumentLike,
} from './openapi-fuzz';

// Shapes like the services' request schemas: strict objects, trimmed and bounded text, patterns, enums,
// bounded integers, dates, nullable fields, discriminated unions, arrays with bounds, a literal.
const Body = z.strictObject({
  siteId: z.uuid(),
  name: z.string().trim().min(1).max(20),
  state: z.string().regex(/^[A-Z]{2}$/),
  memberId: z
    .string()
    .trim()
    .min(2)
    .max(12)
    .regex(/^[A-Za-z0-9 .-]+$/),
  capacity: z.number().int().min(0).max(100),
  rating: z.number(),
  ratio: z.number().min(0).max(1).optional(),
  startDate: z.iso.date(),
  at: z.iso.datetime({ offset: true }).optional(),
  phone: z.string().trim().min(7).max(40).nullable().optional(),
  acknowledged: z.literal(true).optional(),
  level: z.enum(['low', 'high']),
  tags: z
    .array(z.enum(['a', 'b']))
    .min(1)
    .max(3),
  reason: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('declined') }),
    z.strictObject({ kind: z.literal('other'), note: z.string().max(50) }),
  ]),
  address: z.strictObject({ line1: z.string().min(1).max(30), postalCode: z.string().regex(/^\d{5}$/) }),
});

const document: OpenApiDocumentLike = {
  paths: {
    '/sites/{siteId}/things': {
      post: {
        operationId: 'ThingsController_create',
        parameters: [{ name: 'siteId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Body' } } } },
      },
      get: { operationId: 'ThingsController_list' },
    },
    '/things/{thingId}/release': {
      post: { operationId: 'ThingsController_release', parameters: [{ name: 'thingId', in: 'path', schema: { type: 'string', format: 'uuid' } }] },
    },
    '/search': {
      delete: {
        operationId: 'SearchController_purge',
        parameters: [{ name: 'pageSize', in: 'query', required: true, schema: { type: 'integer', minimum: 1, maximum: 100 } }],
      },
    },
  },
  components: { schemas: { Body: openApiSchema(Body) } },
};

const SITE = '0b7d2a5c-4e1f-4a8b-9c3d-2e5f6a7b8c9d';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What the chassis refuses before any schema: NUL characters, and text that is not well-formed UTF-16. */
function refusedByChassis(value: unknown): boolean {
  return requestValueIssues(value).length > 0 || LONE_SURROGATE.test(JSON.stringify(value).replace(/\\u[0-9a-f]{4}/g, (e) => JSON.parse(`"${e}"`) as string));
}

describe('the OpenAPI fuzz generators', () => {
  const [create, release, purge] = writeOperations(document);

  it('finds every write operation, resolving references, and leaves out reads', () => {
    expect(writeOperations(document).map((op) => `${op.method} ${op.path}`)).toEqual([
      'POST /sites/{siteId}/things',
      'POST /things/{thingId}/release',
      'DELETE /search',
    ]);
    expect(create!.body?.properties?.['siteId']).toMatchObject({ format: 'uuid' });
    expect(release!.body).toBeUndefined();
    expect(purge!.parameters).toEqual([{ name: 'pageSize', in: 'query', required: true, schema: { type: 'integer', minimum: 1, maximum: 100 } }]);
  });

  it('builds a valid example from a schema, using known values by name', () => {
    const example = exampleOf(create!.body!, { known: { siteId: SITE } }) as Record<string, unknown>;
    expect(Body.parse(example)).toBeDefined();
    expect(example['siteId']).toBe(SITE);
  });

  it('reads each place in a value under the union variant the value was built from, found by its discriminator', () => {
    const other = { ...(exampleOf(create!.body!, { known: { siteId: SITE } }) as object), reason: { kind: 'other', note: 'Example' } };
    const kind = locations(create!.body!, other).find((l) => l.path.join('.') === 'reason.kind');
    expect(kind?.schema).toMatchObject({ enum: ['other'] });
  });

  it('every variant and choice of optional fields it builds is valid', () => {
    fc.assert(
      fc.property(validExample(create!.body!), (example) => {
        expect(Body.safeParse(example).error?.issues ?? []).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('every body it sends with a JSON content type, readable and within the limit, is one the schema or the chassis refuses', () => {
    let checked = 0;
    fc.assert(
      fc.property(invalidRequests(create!, { known: { siteId: SITE } }), (req) => {
        const plainJson = req.headers['content-type'] === 'application/json' && !req.headers['content-encoding'];
        if (
          !plainJson ||
          !req.body ||
          req.body.length > 64 * 1024 ||
          !req.path.startsWith(`/sites/${SITE}/things`) ||
          /UTF-8|^Idempotency-Key/.test(req.mutation)
        )
          return;
        let body: unknown;
        try {
          body = JSON.parse(req.body.toString('utf8'));
        } catch {
          return; // malformed JSON: the body parser's 400
        }
        if (body === null || typeof body !== 'object') return; // strict JSON: only objects and arrays
        checked += 1;
        if (refusedByChassis(body)) return;
        const parsed = Body.safeParse(body);
        if (parsed.success) throw new Error(`accepted: ${req.mutation}\n${req.body.toString('utf8').slice(0, 500)}`);
      }),
      { numRuns: 1000 },
    );
    expect(checked).toBeGreaterThan(300);
  });

  it('breaks path ids, and sends unknown ones, for operations without a body', () => {
    const samples = fc.sample(invalidRequests(release!), { numRuns: 200, seed: 1 });
    const ids = samples.map((r) => /^\/things\/([^/]*)\/release/.exec(r.path.split('?')[0]!)?.[1] ?? '');
    expect(ids.some((id) => !z.uuid().safeParse(decodeURIComponentSafe(id)).success)).toBe(true);
    expect(samples.some((r) => r.mutation.includes('an unknown id'))).toBe(true);
    expect(samples.some((r) => r.mutation.startsWith('content type'))).toBe(true);
  });

  it('sends query values the parameter refuses', () => {
    const samples = fc.sample(invalidRequests(purge!), { numRuns: 300, seed: 2 }).filter((r) => r.mutation.startsWith('query'));
    expect(samples.length).toBeGreaterThan(10);
    for (const r of samples) {
      const values = new URLSearchParams(r.path.split('?')[1] ?? '').getAll('pageSize');
      const accepted = values.length === 1 && queryValueAccepted({ type: 'integer', minimum: 1, maximum: 100 }, values[0]!);
      expect({ mutation: r.mutation, accepted }).toEqual({ mutation: r.mutation, accepted: false });
    }
  });

  it('judges strings as zod does, erring towards accepted', () => {
    const s: JsonSchema = { type: 'string', minLength: 2, maxLength: 3 };
    expect(stringAccepted(s, '\u{1f600}')).toBe(true); // one code point, two UTF-16 units
    expect(stringAccepted(s, '\u{1f600}\u{1f600}')).toBe(true);
    expect(stringAccepted(s, ' ab ')).toBe(true); // trimmed
    expect(stringAccepted(s, 'abcd')).toBe(false);
    expect(stringAccepted({ type: 'string', enum: ['low'] }, 'LOW')).toBe(false);
  });
});

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
