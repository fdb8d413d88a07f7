import { request as httpRequest, Agent } from 'node:http';
import fc from 'fast-check';

/*
 * Invalid requests generated from a service's OpenAPI document, for the generated bad-input test
 * (libs/testing/test/generated-bad-input.e2e-spec.ts). Each request is a valid base (built from the
 * operation's documented request body and parameters) with exactly one thing made invalid, so every
 * request must be refused with a 4xx: a 2xx means the service accepted something its own document
 * forbids, a 5xx is a defect. Nothing here knows any service: an operation added later is fuzzed as
 * soon as its controller documents it.
 */

/** The parts of JSON Schema (OpenAPI 3.0 flavour, as zod's `toJSONSchema` writes it) the generators read. */
export interface JsonSchema {
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  example?: unknown;
  examples?: unknown[];
  default?: unknown;
  $ref?: string;
}

export interface OpenApiDocumentLike {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
}

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OperationParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export interface WriteOperation {
  readonly method: WriteMethod;
  /** The OpenAPI path template, e.g. `/sites/{siteId}/coverages`. */
  readonly path: string;
  readonly operationId: string;
  readonly parameters: readonly OperationParameter[];
  /** The JSON request body's schema, references resolved; undefined when the operation takes no body. */
  readonly body: JsonSchema | undefined;
}

const WRITE_METHODS: readonly WriteMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Every POST, PUT, PATCH and DELETE operation of a document, with its body schema and parameters resolved. */
export function writeOperations(document: OpenApiDocumentLike): WriteOperation[] {
  const operations: WriteOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of WRITE_METHODS) {
      const operation = item[method.toLowerCase()] as
        { operationId?: string; parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>; requestBody?: unknown } | undefined;
      if (!operation) continue;
      const parameters = (operation.parameters ?? [])
        .filter((p): p is { name: string; in: 'path' | 'query'; required?: boolean; schema?: JsonSchema } => p.in === 'path' || p.in === 'query')
        .map((p) => ({
          name: p.name,
          in: p.in,
          required: p.in === 'path' || p.required === true,
          schema: resolveRefs(p.schema ?? { type: 'string' }, document),
        }));
      const content = (resolveRefs(operation.requestBody as JsonSchema, document) as { content?: Record<string, { schema?: JsonSchema }> } | undefined)
        ?.content;
      const bodySchema = content?.['application/json']?.schema;
      operations.push({
        method,
        path,
        operationId: operation.operationId ?? `${method} ${path}`,
        parameters,
        body: bodySchema ? resolveRefs(bodySchema, document) : undefined,
      });
    }
  }
  return operations;
}

/** Inlines `#/components/schemas/…` references (and a schema's own `#/$defs/…`). Recursive schemas are cut at depth 20. */
export function resolveRefs<T>(value: T, document: OpenApiDocumentLike, root: unknown = value, depth = 0): T {
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => resolveRefs(v, document, root, depth + 1)) as T;
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const target = ref.startsWith('#/components/schemas/')
      ? document.components?.schemas?.[ref.slice('#/components/schemas/'.length)]
      : ref.startsWith('#/$defs/')
        ? (root as { $defs?: Record<string, unknown> }).$defs?.[ref.slice('#/$defs/'.length)]
        : undefined;
    if (target === undefined) throw new Error(`cannot resolve ${ref}`);
    return resolveRefs(target as T, document, root, depth + 1);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, document, root, depth + 1)])) as T;
}

// ---------------------------------------------------------------------------------------------------
// Valid examples
// ---------------------------------------------------------------------------------------------------

export interface ExampleOptions {
  /** Values to use for properties and parameters of these names (a registered site's id, a real payer id). */
  readonly known?: Readonly<Record<string, unknown>>;
  /** Which variant of each oneOf/anyOf, and whether optional properties are present; default: first variant, all present. */
  readonly choices?: ExampleChoices;
}

export interface ExampleChoices {
  /** Index of the variant of a union, given a counter of unions met so far. */
  variant(count: number, variants: number): number;
  optional(count: number): boolean;
}

const FIRST_CHOICES: ExampleChoices = { variant: () => 0, optional: () => true };
const STRING_CANDIDATES = ['Example', 'MA', '02110', 'AB12', 'a', '1'];
const FIXED_UUID = '6f1d4c3e-8a2b-4c5d-9e6f-0a1b2c3d4e5f';

/** A value the schema accepts: `examples`/`example`/`default` when documented, else built from the constraints. */
export function exampleOf(schema: JsonSchema, options: ExampleOptions = {}, name?: string): unknown {
  const counter = { unions: 0, optionals: 0 };
  return build(schema, name);

  function build(s: JsonSchema, key: string | undefined): unknown {
    if (key !== undefined && options.known && key in options.known) return options.known[key];
    if (s.const !== undefined) return s.const;
    if (s.enum && s.enum.length > 0) return s.enum[0];
    if (s.examples && s.examples.length > 0) return s.examples[0];
    if (s.example !== undefined) return s.example;
    if (s.default !== undefined) return s.default;
    const variants = s.oneOf ?? s.anyOf;
    if (variants && variants.length > 0) {
      const index = (options.choices ?? FIRST_CHOICES).variant(counter.unions++, variants.length);
      return build(variants[Math.min(index, variants.length - 1)]!, key);
    }
    if (s.allOf && s.allOf.length > 0) return build(Object.assign({}, ...s.allOf) as JsonSchema, key);
    switch (primaryType(s) ?? 'any') {
      case 'string':
        return exampleString(s);
      case 'integer':
      case 'number':
        return exampleNumber(s);
      case 'boolean':
        return true;
      case 'null':
        return null;
      case 'array': {
        const count = Math.max(s.minItems ?? 0, s.items && (s.maxItems ?? 1) > 0 ? 1 : 0);
        return Array.from({ length: count }, () => build(s.items ?? {}, undefined));
      }
      case 'object': {
        const result: Record<string, unknown> = {};
        const required = new Set(s.required ?? []);
        for (const [prop, propSchema] of Object.entries(s.properties ?? {})) {
          if (required.has(prop) || (options.choices ?? FIRST_CHOICES).optional(counter.optionals++)) result[prop] = build(propSchema, prop);
        }
        return result;
      }
      default:
        return 'example';
    }
  }
}

function primaryType(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null') ?? s.type[0];
  if (s.type) return s.type;
  if (s.properties) return 'object';
  if (s.items) return 'array';
  return undefined;
}

const isoDay = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

function exampleString(s: JsonSchema): string {
  switch (s.format ?? 'none') {
    case 'uuid':
      return FIXED_UUID;
    // Today: inside every window the platform's dates use (birth dates, service dates, planned starts).
    case 'date':
      return isoDay();
    case 'date-time':
      return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    case 'email':
      return 'someone@example.org';
    default:
      break;
  }
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? Number.MAX_SAFE_INTEGER;
  const fits = (value: string) => value.length >= min && value.length <= max && (!s.pattern || new RegExp(s.pattern).test(value));
  for (const candidate of STRING_CANDIDATES) {
    for (const value of [candidate, candidate.padEnd(min, candidate.slice(-1)), candidate.slice(0, max)]) if (fits(value)) return value;
  }
  return 'x'.repeat(Math.max(min, 1));
}

function exampleNumber(s: JsonSchema): number {
  const low = lowerBound(s);
  const high = upperBound(s);
  let value = low.value !== undefined ? low.value + (low.exclusive ? 1 : 0) : 1;
  if (high.value !== undefined && (value > high.value || (high.exclusive && value >= high.value))) value = high.exclusive ? high.value - 1 : high.value;
  return primaryType(s) === 'integer' ? Math.ceil(value) : value;
}

function lowerBound(s: JsonSchema): { value?: number; exclusive: boolean } {
  if (typeof s.exclusiveMinimum === 'number') return { value: s.exclusiveMinimum, exclusive: true };
  return { value: s.minimum, exclusive: s.exclusiveMinimum === true };
}
function upperBound(s: JsonSchema): { value?: number; exclusive: boolean } {
  if (typeof s.exclusiveMaximum === 'number') return { value: s.exclusiveMaximum, exclusive: true };
  return { value: s.maximum, exclusive: s.exclusiveMaximum === true };
}

/** Valid examples over every union variant and every choice of optional properties. */
export function validExample(schema: JsonSchema, options: Omit<ExampleOptions, 'choices'> = {}, name?: string): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.array(fc.nat(7), { minLength: 8, maxLength: 8 }), fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }))
    .map(([variants, optionals]) =>
      exampleOf(
        schema,
        { ...options, choices: { variant: (i, n) => variants[i % variants.length]! % n, optional: (i) => optionals[i % optionals.length]! } },
        name,
      ),
    );
}

// ---------------------------------------------------------------------------------------------------
// What a schema refuses
// ---------------------------------------------------------------------------------------------------

/** The JSON types a schema admits; undefined when it admits anything. */
export function admittedTypes(s: JsonSchema): Set<string> | undefined {
  let types: Set<string> | undefined;
  if (s.const !== undefined) types = new Set([jsonType(s.const)]);
  else if (s.enum) types = new Set(s.enum.map(jsonType));
  else if (s.oneOf || s.anyOf) {
    types = new Set();
    for (const variant of (s.oneOf ?? s.anyOf)!) {
      const inner = admittedTypes(variant);
      if (!inner) return undefined;
      inner.forEach((t) => types!.add(t));
    }
  } else if (s.type) types = new Set(Array.isArray(s.type) ? s.type : [s.type]);
  else if (s.properties) types = new Set(['object']);
  else if (s.items) types = new Set(['array']);
  else return undefined;
  if (types.has('integer')) types.add('number-integer');
  if (s.nullable) types.add('null');
  return types;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const FORMAT_ORACLES: Record<string, (value: string) => boolean> = {
  uuid: (v) =>
    /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/.test(
      v,
    ),
  date: (v) => {
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : NaN;
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === v;
  },
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
};

/**
 * True when a string might be accepted: by its format, pattern, enum, const and lengths, before or after
 * trimming, counting length in code points or UTF-16 units (JSON Schema counts one, zod the other). A
 * generator keeps only strings this calls refused, so it errs towards "accepted".
 */
export function stringAccepted(s: JsonSchema, value: string): boolean {
  const check = (v: string) => {
    if (s.const !== undefined) return v === s.const;
    if (s.enum) return s.enum.includes(v);
    if (s.format && FORMAT_ORACLES[s.format] && !FORMAT_ORACLES[s.format]!(v)) return false;
    if (s.pattern && !new RegExp(s.pattern).test(v)) return false;
    if (s.minLength !== undefined && v.length < s.minLength) return false;
    if (s.maxLength !== undefined && [...v].length > s.maxLength) return false;
    return true;
  };
  return check(value) || check(value.trim());
}

/** As `stringAccepted`, for a query parameter's text (numbers and booleans arrive as text and are coerced). */
export function queryValueAccepted(s: JsonSchema, text: string): boolean {
  const types = admittedTypes(s);
  if (!types) return true;
  if (types.has('string') && stringAccepted(s, text)) return true;
  if ((types.has('number') || types.has('integer')) && text.trim() !== '') {
    const n = Number(text);
    const low = lowerBound(s);
    const high = upperBound(s);
    if (
      Number.isFinite(n) &&
      (!types.has('integer') || types.has('number') || Number.isInteger(n)) &&
      (low.value === undefined || n > low.value || (!low.exclusive && n === low.value)) &&
      (high.value === undefined || n < high.value || (!high.exclusive && n === high.value))
    )
      return true;
  }
  if (types.has('boolean') && (text === 'true' || text === 'false')) return true;
  return false;
}

/** Characters that are not whitespace to `String.prototype.trim`, so a schema that trims cannot shorten a string made of them. */
const ODD_CHARACTERS = [
  '\u200b', // zero-width space
  '\u200d', // zero-width joiner
  '\u2060', // word joiner
  '\u200f', // right-to-left mark
  '\u202e', // right-to-left override
  '\u05d0', // Hebrew alef
  '\u0627', // Arabic alef
  '\u0301', // combining acute accent
  '\u{1f600}', // emoji (two UTF-16 units)
  '\u{1f469}\u200d\u{1f4bb}', // emoji ZWJ sequence
  '\u{1d54f}', // mathematical double-struck X
  'é',
  'Ω',
  '*',
  '~',
  '\\',
  '"',
  "'",
  '<',
  '%',
];
const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff'];
const NUL = '\u0000';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** One character of text no trim can remove; BMP only when `singleUnit` (so a UTF-16 length equals a code-point length). */
const oddCharacter = (singleUnit = false) =>
  fc.oneof(
    fc.constantFrom(...ODD_CHARACTERS.filter((c) => !singleUnit || c.length === 1)),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }).filter((c) => c.trim() === c),
  );

const insertAt = (text: string, insert: string, position: number) => {
  const at = Math.min(position, text.length);
  return text.slice(0, at) + insert + text.slice(at);
};

/** A replacement for one value: the value itself, or raw JSON text that `JSON.stringify` cannot produce. */
export interface Replacement {
  readonly label: string;
  readonly value?: unknown;
  readonly raw?: string;
}

const replace = (label: string, value: unknown): Replacement => ({ label, value });

/** Values of a JSON type other than any the schema admits. */
function wrongTypes(types: Set<string>): fc.Arbitrary<Replacement>[] {
  const out: fc.Arbitrary<Replacement>[] = [];
  if (!types.has('string'))
    out.push(fc.oneof(fc.constantFrom('', '42', 'true', 'null', '{}'), fc.string({ maxLength: 20 })).map((v) => replace('a string where none is allowed', v)));
  if (!types.has('number') && !types.has('integer'))
    out.push(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((v) => replace('a number where none is allowed', v)));
  else if (!types.has('number')) out.push(fc.constantFrom(0.5, -1.5, 1e-7, 3.14159).map((v) => replace('a fraction where an integer is required', v)));
  if (!types.has('boolean')) out.push(fc.boolean().map((v) => replace('a boolean where none is allowed', v)));
  if (!types.has('null')) out.push(fc.constant(replace('null where it is not allowed', null)));
  if (!types.has('array')) out.push(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }).map((v) => replace('an array where none is allowed', v)));
  if (!types.has('object'))
    out.push(
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }).map((v) => replace('an object where none is allowed', v)),
    );
  return out;
}

/** Strings the schema refuses by its format, pattern, enum, const or lengths. */
function refusedStrings(s: JsonSchema, current: string): fc.Arbitrary<Replacement>[] {
  const out: fc.Arbitrary<Replacement>[] = [];
  const constrained = s.format !== undefined || s.pattern !== undefined || s.enum !== undefined || s.const !== undefined;
  if (constrained && !(s.format && !FORMAT_ORACLES[s.format] && !s.pattern && !s.enum)) {
    const malformedDates = [
      '2026-02-30',
      '2026-13-01',
      '2026-00-10',
      '0000-00-00',
      '2026-1-1',
      '20260101',
      '2026/03/01',
      '+275760-09-13',
      '2026-03-01T14:30:00',
    ];
    const candidates = fc.oneof(
      fc.tuple(oddCharacter(), fc.nat(60)).map(([c, at]) => insertAt(current, c, at)),
      fc.tuple(fc.constantFrom(...LONE_SURROGATES), fc.nat(60)).map(([c, at]) => insertAt(current, c, at)),
      fc.constantFrom(current.toUpperCase(), current.toLowerCase(), ` ${current}`, `${current} `, current.slice(1), `${current}0`, ''),
      fc.constantFrom(...malformedDates, 'riverside', '42', FIXED_UUID.replace(/-/g, ''), '00000000-0000-0000-0000-000000000001'),
      fc.string({ unit: 'binary', maxLength: 30 }),
    );
    out.push(
      candidates
        .filter((v) => !stringAccepted(s, v))
        .map((v) => replace(`a ${s.format ?? (s.enum || s.const !== undefined ? 'enum' : 'pattern')} value it refuses`, v)),
    );
  }
  if (s.maxLength !== undefined) {
    const max = s.maxLength;
    out.push(
      fc.tuple(fc.array(oddCharacter(), { minLength: 1, maxLength: 40 }), fc.nat(40)).map(([chars, extra]) => {
        // Long enough in code points (what JSON Schema counts) and so in UTF-16 units (what zod counts).
        let text = chars.join('');
        while ([...text].length < max + 1 + extra) text += chars.join('');
        return replace(`longer than maxLength ${max}`, text);
      }),
    );
  }
  if (s.minLength !== undefined && s.minLength > 0) {
    const min = s.minLength;
    out.push(
      fc
        .array(oddCharacter(true), { maxLength: min - 1 })
        .map((chars) => chars.join(''))
        .filter((v) => v.length < min)
        .map((v) => replace(`shorter than minLength ${min}`, v)),
    );
  }
  return out;
}

/** Numbers outside the schema's bounds, fractions for an integer, and numbers no double holds (raw `1e999`). */
function refusedNumbers(s: JsonSchema): fc.Arbitrary<Replacement>[] {
  const out: fc.Arbitrary<Replacement>[] = [fc.constantFrom('1e999', '-1e999').map((raw) => ({ label: 'a number too large for a double', raw }))];
  const low = lowerBound(s);
  const high = upperBound(s);
  if (low.value !== undefined) {
    const min = low.value;
    out.push(
      fc
        .oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(1e300, 2 ** 53))
        .map((d) => min - d)
        .map((v) => replace(`below minimum ${min}`, v)),
    );
    if (low.exclusive) out.push(fc.constant(replace(`equal to exclusive minimum ${min}`, min)));
  }
  if (high.value !== undefined) {
    const max = high.value;
    out.push(
      fc
        .oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(1e300, 2 ** 53))
        .map((d) => max + d)
        .map((v) => replace(`above maximum ${max}`, v)),
    );
    if (high.exclusive) out.push(fc.constant(replace(`equal to exclusive maximum ${max}`, max)));
  }
  if (primaryType(s) === 'integer') {
    const base = low.value ?? (high.value !== undefined ? high.value - 1 : 0);
    out.push(fc.constantFrom(0.5, 0.25, 1e-9).map((d) => replace('a fraction where an integer is required', base + d)));
  }
  return out;
}

/** Every value the schema at one place of a body refuses, given the value a valid body has there. */
export function refusedValues(s: JsonSchema, current: unknown): fc.Arbitrary<Replacement> {
  const types = admittedTypes(s);
  const options: fc.Arbitrary<Replacement>[] = types ? wrongTypes(types) : [];
  if (typeof current === 'string') {
    options.push(...refusedStrings(s, current));
    // Rules for every text field of every request, whatever its schema says (libs/platform validation).
    options.push(fc.nat(40).map((at) => replace('a NUL character in text', insertAt(current, NUL, at))));
    options.push(
      fc.tuple(fc.constantFrom(...LONE_SURROGATES), fc.nat(40)).map(([c, at]) => replace('a lone UTF-16 surrogate in text', insertAt(current, c, at))),
    );
  }
  if (typeof current === 'number') options.push(...refusedNumbers(s));
  if ((s.enum || s.const !== undefined) && (typeof current === 'boolean' || typeof current === 'number')) {
    const allowed = s.enum ?? [s.const];
    const other = typeof current === 'boolean' ? !current : current + 1;
    if (!allowed.includes(other)) options.push(fc.constant(replace('a value its enum does not list', other)));
  }
  if (Array.isArray(current)) {
    if (s.minItems !== undefined && s.minItems > 0) options.push(fc.constant(replace(`fewer than minItems ${s.minItems}`, current.slice(0, s.minItems - 1))));
    if (s.maxItems !== undefined) {
      const item = current[0] ?? (s.items ? exampleOf(s.items) : null);
      options.push(
        fc.constant(
          replace(
            `more than maxItems ${s.maxItems}`,
            Array.from({ length: s.maxItems + 1 }, () => item),
          ),
        ),
      );
    }
  }
  if (types && !types.has('array')) {
    // Nesting deep enough to exhaust a recursive walker, small enough to pass the body limit.
    options.push(
      fc.integer({ min: 1_000, max: 25_000 }).map((depth) => ({ label: `arrays nested ${depth} deep`, raw: '['.repeat(depth) + ']'.repeat(depth) })),
    );
  }
  if (types && !types.has('object')) {
    options.push(
      fc.integer({ min: 1_000, max: 8_000 }).map((depth) => ({ label: `objects nested ${depth} deep`, raw: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) })),
    );
  }
  if (options.length === 0) throw new Error(`no value is refused by ${JSON.stringify(s)}`);
  return fc.oneof(...options);
}

/** Whether `refusedValues` has anything for this place (a schema that admits anything, holding an object, has not). */
export function refusable(at: Location): boolean {
  return admittedTypes(at.schema) !== undefined || typeof at.value === 'string' || typeof at.value === 'number';
}

// ---------------------------------------------------------------------------------------------------
// Places in a body
// ---------------------------------------------------------------------------------------------------

export type JsonPath = ReadonlyArray<string | number>;

export interface Location {
  readonly path: JsonPath;
  readonly schema: JsonSchema;
  readonly value: unknown;
}

/** Every place in a valid value, with the schema that governs it (for a union, the variant the value is). */
export function locations(schema: JsonSchema, value: unknown, path: JsonPath = []): Location[] {
  const s = variantOf(schema, value);
  const here: Location = { path, schema: s === schema ? schema : { ...s, nullable: schema.nullable ?? s.nullable }, value };
  const out: Location[] = [here];
  if (Array.isArray(value) && s.items) value.forEach((item, i) => out.push(...locations(s.items!, item, [...path, i])));
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) {
      const inner = s.properties?.[key] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (inner) out.push(...locations(inner, item, [...path, key]));
    }
  }
  return out;
}

/** The union variant a value was built from: the first whose constants and required properties it matches. */
function variantOf(schema: JsonSchema, value: unknown): JsonSchema {
  const variants = schema.oneOf ?? schema.anyOf;
  if (!variants) return schema;
  // A variant matches when the value has its type, its constants (at any depth) and its required properties.
  const matches = (v: JsonSchema, at: unknown): boolean => {
    const types = admittedTypes(v);
    if (types && !types.has(jsonType(at)) && !(jsonType(at) === 'integer' && types.has('number'))) return false;
    if (v.const !== undefined) return v.const === at;
    if (v.enum) return v.enum.includes(at);
    if (at && typeof at === 'object' && !Array.isArray(at)) {
      const record = at as Record<string, unknown>;
      if ((v.required ?? []).some((k) => !(k in record))) return false;
      if (v.additionalProperties === false && Object.keys(record).some((k) => !(k in (v.properties ?? {})))) return false;
      return Object.entries(v.properties ?? {}).every(([k, p]) => !(k in record) || (p.const ?? p.enum) === undefined || matches(p, record[k]));
    }
    return true;
  };
  const found = variants.find((v) => matches(v, value)) ?? variants[0]!;
  return variantOf(found, value);
}

function setAt(root: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const clone = JSON.parse(JSON.stringify(root)) as Record<string | number, unknown>;
  let node = clone;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return clone;
}

function getAt(root: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

// ---------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------

export interface FuzzRequest {
  /** What was made invalid, e.g. `body.capacity: above maximum 10000`. */
  readonly mutation: string;
  readonly method: string;
  /** The request target as sent (percent-encoding included, never normalised). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

export interface FuzzOptions {
  /** Values for properties and parameters of these names (a registered site's id, a real payer id). */
  readonly known?: Readonly<Record<string, unknown>>;
  /** The largest body the services accept (HTTP_BODY_LIMIT); larger ones must get 413. */
  readonly bodyLimitBytes?: number;
}

interface Base {
  readonly params: Record<string, string>;
  readonly query: Record<string, string>;
  readonly body: unknown;
}

const RAW_VALUE = 'fuzz-raw-7f3a9c';
const RAW_MARK = JSON.stringify(RAW_VALUE);
const JSON_TYPE = 'application/json';

/** Builds the HTTP request for a base with, at most, one change. */
function compose(
  op: WriteOperation,
  base: Base,
  mutation: string,
  change: { params?: Record<string, string>; query?: string; headers?: Record<string, string>; body?: Buffer | null; raw?: string } = {},
): FuzzRequest {
  const params = { ...Object.fromEntries(Object.entries(base.params).map(([k, v]) => [k, encodeURIComponent(v)])), ...change.params };
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => params[name] ?? 'missing');
  const query = change.query ?? new URLSearchParams(base.query).toString();
  let body: Buffer | undefined;
  if (change.body !== undefined) body = change.body ?? undefined;
  else if (op.body) {
    let text = JSON.stringify(base.body);
    if (change.raw !== undefined) text = text.replace(RAW_MARK, () => change.raw!);
    body = Buffer.from(text, 'utf8');
  }
  return {
    mutation,
    method: op.method,
    path: query ? `${path}?${query}` : path,
    // An empty value in `change.headers` removes the header.
    headers: Object.fromEntries(Object.entries({ ...(body ? { 'content-type': JSON_TYPE } : {}), ...change.headers }).filter(([, v]) => v !== '')),
    ...(body ? { body } : {}),
  };
}

const pathLabel = (path: JsonPath) => (path.length === 0 ? 'body' : `body.${path.join('.')}`);

/** Path segments no UUID parameter accepts (raw: already percent-encoded as sent). */
const notUuidSegments = (uuid: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('riverside', '42', 'null', 'undefined', '0', 'true', '%7B%7D', '..', '.', '%2e%2e', '%2F', '-1', '1e999'),
    fc.constantFrom(uuid.slice(0, -1), `${uuid}0`, uuid.replace(/[0-9a-f]/, 'g'), uuid.replace(/-/g, ''), `{${uuid}}`, '00000000-0000-0000-0000-000000000001'),
    fc
      .tuple(fc.constantFrom('%E2%80%8B', '%E2%80%8F', '%E2%80%AE', '%F0%9F%98%80', '%00', '%20', '%C3%A9', '+'), fc.nat(36))
      .map(([c, at]) => insertAt(uuid, c, at)),
    fc.integer({ min: 256, max: 4_000 }).map((n) => 'a'.repeat(n)),
    fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((v) => !FORMAT_ORACLES['uuid']!(v))
      .map(encodeURIComponent),
  );

/** Path segments that are not well-formed percent-encoded UTF-8 (a lone surrogate encoded, a cut escape). */
const malformedSegments = (value: string): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom('%ED%A0%80', '%ED%B0%80', '%C0%AF', '%FF', '%E0%A4%A', '%', '%zz', '%u0041'), fc.nat(36)).map(([c, at]) => insertAt(value, c, at));

/**
 * Invalid requests for one write operation: a valid base (the documented body and parameters, with the
 * `known` values) with exactly one thing broken. Every request it yields must be refused with a 4xx.
 */
export function invalidRequests(op: WriteOperation, options: FuzzOptions = {}): fc.Arbitrary<FuzzRequest> {
  const known = options.known ?? {};
  const limit = options.bodyLimitBytes ?? 64 * 1024;
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const base: fc.Arbitrary<Base> = fc
    .tuple(op.body ? validExample(op.body, { known }) : fc.constant(undefined), fc.uuid({ version: 4 }))
    .map(([body, uuid]) => ({
      body,
      params: Object.fromEntries(
        pathParams.map((p) => [p.name, String(p.name in known ? known[p.name] : p.schema.format === 'uuid' ? uuid : exampleOf(p.schema, { known }, p.name))]),
      ),
      query: Object.fromEntries(queryParams.filter((p) => p.required).map((p) => [p.name, String(exampleOf(p.schema, { known }, p.name))])),
    }));

  const kinds: Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzRequest> }> = [];
  const add = (weight: number, arbitrary: fc.Arbitrary<FuzzRequest>) => kinds.push({ weight, arbitrary });
  const jsonText = (b: Base) => JSON.stringify(b.body ?? {});

  if (op.body) {
    const bodySchema = op.body;
    // One value somewhere in the body replaced by one its schema refuses.
    add(
      8,
      base.chain((b) =>
        fc
          .constantFrom(...locations(bodySchema, b.body).filter(refusable))
          .chain((at) => refusedValues(at.schema, at.value).map((r) => ({ at, r })))
          .map(({ at, r }) => {
            const label = `${pathLabel(at.path)}: ${r.label}`;
            if (r.raw !== undefined) return compose(op, { ...b, body: setAt(b.body, at.path, RAW_VALUE) }, label, { raw: r.raw });
            return compose(op, { ...b, body: setAt(b.body, at.path, r.value) }, label);
          }),
      ),
    );
    // A required property left out.
    add(
      2,
      base.chain((b) => {
        const missing = locations(bodySchema, b.body).flatMap((at) =>
          at.value && typeof at.value === 'object' && !Array.isArray(at.value)
            ? (at.schema.required ?? []).filter((k) => k in (at.value as object)).map((k) => ({ path: at.path, key: k }))
            : [],
        );
        if (missing.length === 0) return fc.constant(compose(op, { ...b, body: [] }, 'body: an array instead of an object'));
        return fc.constantFrom(...missing).map(({ path, key }) => {
          const parent = Object.fromEntries(Object.entries(getAt(b.body, path) as Record<string, unknown>).filter(([k]) => k !== key));
          return compose(op, { ...b, body: setAt(b.body, path, parent) }, `${pathLabel(path)}: required "${key}" missing`);
        });
      }),
    );
    // A property no schema declares, where the schema says there are no others.
    add(
      2,
      base.chain((b) => {
        const closed = locations(bodySchema, b.body).filter(
          (at) => at.schema.additionalProperties === false && at.value && typeof at.value === 'object' && !Array.isArray(at.value),
        );
        if (closed.length === 0) return fc.constant(compose(op, { ...b, body: 'not an object' }, 'body: a string instead of an object'));
        return fc
          .tuple(
            fc.constantFrom(...closed),
            fc.oneof(
              fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', 'id', 'siteId', 'notes', '\u0000', '\u200bname', '\ud800'),
              fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
            ),
            fc.jsonValue({ maxDepth: 1 }),
          )
          .filter(([at, key]) => !Object.prototype.hasOwnProperty.call(at.schema.properties ?? {}, key))
          .map(([at, key, value]) => {
            const parent = JSON.parse(JSON.stringify(getAt(b.body, at.path))) as Record<string, unknown>;
            Object.defineProperty(parent, key, { value, enumerable: true, configurable: true, writable: true });
            return compose(op, { ...b, body: setAt(b.body, at.path, parent) }, `${pathLabel(at.path)}: unknown field ${JSON.stringify(key)}`);
          });
      }),
    );
  }

  // Text that is not JSON, whatever the operation expects.
  add(
    2,
    base.chain((b) =>
      fc
        .oneof(
          fc.nat().map((n) => {
            const text = jsonText(b);
            return { label: 'JSON cut short', text: text.slice(0, 1 + (n % Math.max(1, text.length - 1))) };
          }),
          fc.constant({ label: 'a trailing comma', text: jsonText(b).replace(/}$/, ',}') }),
          fc.constant({ label: 'single quotes', text: jsonText(b).replace(/"/g, "'") }),
          fc.constant({ label: 'unquoted keys', text: jsonText(b).replace(/"([^"]+)":/g, '$1:') }),
          fc.constantFrom('}', ']', ',', 'x', '\u0000', ' true', '{}').map((tail) => ({ label: `trailing ${JSON.stringify(tail)}`, text: jsonText(b) + tail })),
          fc
            .constantFrom('\u0001', '\n', '\t', '\u001f')
            .map((c) => ({ label: `a raw control character ${JSON.stringify(c)} inside a string`, text: jsonText(b).replace(/"/, `"${c}`) })),
          fc
            .constantFrom('NaN', '{"a": NaN}', '{"a": undefined}', "{'a': 1}", '{a: 1}', '[1,]', '/* */ {}', 'null', '"text"', '123', 'true', ' ', '{"a":1}}')
            .map((text) => ({ label: `not JSON or not an object: ${JSON.stringify(text)}`, text })),
        )
        .filter(({ text }) => !parsesAsObject(text))
        .map(({ label, text }) => compose(op, b, `malformed JSON: ${label}`, { body: Buffer.from(text, 'utf8'), headers: { 'content-type': JSON_TYPE } })),
    ),
  );

  // Bytes that are not UTF-8 inside a string of otherwise good JSON (a Latin-1 é, a surrogate encoded, an overlong slash).
  if (op.body && JSON.stringify(exampleOf(op.body, { known })).includes('":"')) {
    const full = JSON.stringify(exampleOf(op.body, { known }));
    add(
      1,
      base.chain((b) =>
        fc.tuple(fc.constantFrom([0xe9], [0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]), fc.nat()).map(([bytes, n]) => {
          const text = jsonText(b).includes('":"') ? jsonText(b) : full;
          const strings = [...text.matchAll(/":"/g)].map((m) => m.index + 3);
          const at = strings[n % strings.length]!;
          const body = Buffer.concat([Buffer.from(text.slice(0, at), 'utf8'), Buffer.from(bytes), Buffer.from(text.slice(at), 'utf8')]);
          return compose(op, b, `invalid UTF-8 bytes ${bytes.map((x) => x.toString(16)).join(' ')} inside a string`, { body });
        }),
      ),
    );
  }

  // A body that is not declared as JSON, or is declared compressed.
  add(
    2,
    base.chain((b) =>
      fc
        .constantFrom(
          'text/plain',
          'text/plain; charset=utf-8',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=fuzz',
          'application/xml',
          'text/json',
          'text/html',
          'application/jsonp',
          'application/json-seq',
          'application/javascript',
          'application/octet-stream',
          'image/png',
          'application/json; charset=latin1',
          'application/json; charset=iso-8859-1',
          'application/json; charset=us-ascii',
          '(none)',
        )
        .map((type) =>
          compose(op, b, `content type ${type}`, {
            body: Buffer.from(jsonText(b), 'utf8'),
            headers: { 'content-type': type === '(none)' ? '' : type },
          }),
        ),
    ),
  );
  add(
    1,
    base.chain((b) =>
      fc.constantFrom('gzip', 'deflate', 'br', 'x-gzip', 'compress', 'zstd', 'GZIP', 'gzip, identity', 'identity, gzip', 'x-unknown').map((encoding) =>
        compose(op, b, `content encoding ${encoding}`, {
          headers: { 'content-type': JSON_TYPE, 'content-encoding': encoding },
          body: Buffer.from(jsonText(b)),
        }),
      ),
    ),
  );

  // More than the body limit: a huge string, or padding.
  add(
    1,
    base.chain((b) =>
      fc.tuple(fc.integer({ min: 1, max: 4 * 1024 }), fc.constantFrom('x', ' ', '\u{1f600}', '\u200b')).map(([extra, unit]) => {
        const filler = unit.repeat(Math.ceil((limit + extra) / Buffer.byteLength(unit)));
        const text = unit === ' ' ? jsonText(b) + filler : JSON.stringify({ ...(b.body as object), padding: filler });
        return compose(op, b, `a body over the ${limit}-byte limit (${JSON.stringify(unit)} × ${filler.length})`, { body: Buffer.from(text, 'utf8') });
      }),
    ),
  );

  for (const param of pathParams) {
    const uuid = param.schema.format === 'uuid';
    // A path id that is not what the parameter takes.
    add(
      uuid ? 2 : 1,
      base.chain((b) =>
        (uuid ? notUuidSegments(b.params[param.name]!) : malformedOrOddSegment(b.params[param.name]!)).map((segment) =>
          compose(op, b, `path ${param.name}=${JSON.stringify(segment)}`, { params: { [param.name]: segment } }),
        ),
      ),
    );
    add(
      1,
      base.chain((b) =>
        malformedSegments(encodeURIComponent(b.params[param.name]!)).map((segment) =>
          compose(op, b, `path ${param.name}=${JSON.stringify(segment)} (malformed percent-encoding)`, { params: { [param.name]: segment } }),
        ),
      ),
    );
    // An id of the right shape that names nothing (with a network admin's token, past the site scope).
    if (uuid)
      add(
        2,
        fc
          .tuple(base, fc.uuid({ version: 4 }))
          .map(([b, id]) => compose(op, { ...b, params: { ...b.params, [param.name]: id } }, `path ${param.name}: an unknown id ${id}`)),
      );
  }

  for (const param of queryParams) {
    const current = String(exampleOf(param.schema, { known }, param.name));
    const scalar = !admittedTypes(param.schema)?.has('array');
    add(
      1,
      base.chain((b) =>
        fc
          .oneof(
            refusedValues({ ...param.schema, nullable: false }, current)
              .filter((r) => r.value !== undefined && (typeof r.value !== 'object' || r.value === null))
              .map((r) => ({ label: r.label, text: String(r.value) }))
              .filter(({ text }) => !text.includes('\u0000') && !LONE_SURROGATE.test(text) && !queryValueAccepted(param.schema, text))
              .map(({ label, text }) => ({ label, query: new URLSearchParams({ ...b.query, [param.name]: text }).toString() })),
            fc.constant({ label: scalar ? 'given twice' : 'given as an object', query: scalar ? `${param.name}=a&${param.name}=b` : `${param.name}[x]=a` }),
          )
          .map(({ label, query }) => compose(op, b, `query ${param.name}: ${label}`, { query })),
      ),
    );
    if (param.required)
      add(
        1,
        base.map((b) => {
          const rest = Object.fromEntries(Object.entries(b.query).filter(([k]) => k !== param.name));
          return compose(op, { ...b, query: rest }, `query: required ${param.name} missing`);
        }),
      );
  }

  if (op.method === 'POST') {
    add(
      1,
      base.chain((b) =>
        fc.constantFrom('x'.repeat(256), 'café', 'a b', '\u00a0', 'key\u00ff').map((key) =>
          compose(op, b, `Idempotency-Key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 10)}…(${key.length})` : key)}`, {
            headers: { 'idempotency-key': key },
          }),
        ),
      ),
    );
  }

  const invalid = fc.oneof(...kinds);
  if (op.method !== 'POST') return invalid;
  // Half the POSTs carry a fresh, valid Idempotency-Key: the interceptor that reads it runs before validation.
  return fc
    .tuple(invalid, fc.option(fc.uuid({ version: 4 }), { nil: undefined }))
    .map(([req, key]) => (key === undefined || 'idempotency-key' in req.headers ? req : { ...req, headers: { ...req.headers, 'idempotency-key': key } }));
}

const malformedOrOddSegment = (value: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.tuple(oddCharacter(), fc.nat(20)).map(([c, at]) => encodeURIComponent(insertAt(value, c, at))),
    fc.nat(20).map((at) => insertAt(encodeURIComponent(value), '%00', at)),
    fc.integer({ min: 256, max: 4_000 }).map((n) => `${value}${'a'.repeat(n)}`),
  );

function parsesAsObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------------

export interface FuzzResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Sends a request exactly as generated (no normalisation of the path, no added content type), with a bearer token. */
export function sendFuzzRequest(baseUrl: string, req: FuzzRequest, token: string, timeoutMs = 15_000): Promise<FuzzResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, authorization: `Bearer ${token}`, ...(req.body ? { 'content-length': String(req.body.length) } : {}) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** The request as a person reads it in a failure report: long bodies cut, bytes that are not text escaped. */
export function describeFuzzRequest(req: FuzzRequest, maxBody = 600): string {
  const body = req.body ? req.body.toString('utf8') : undefined;
  const shown = body === undefined ? '' : JSON.stringify(body.length > maxBody ? `${body.slice(0, maxBody)}…` : body);
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)}`)
    .join(', ');
  const path = req.path.length > 300 ? `${req.path.slice(0, 300)}…(${req.path.length} chars)` : req.path;
  return `${req.method} ${path}\n    made invalid: ${req.mutation}\n    headers: ${headers || '(none)'}${body === undefined ? '' : `\n    body (${req.body!.length} bytes): ${shown}`}`;
}
