import { MAX_REQUEST_DEPTH, PageCursor, decodeKeysetCursor, encodeKeysetCursor, requestValueIssues } from './validation';

describe('the rules every request value follows before its schema', () => {
  const fields = (value: unknown) => requestValueIssues(value).map((i) => `${i.path.join('.')}: ${i.message}`);

  it('names each text field holding a NUL character, however deep', () => {
    expect(fields({ name: 'River\u0000side', address: { city: 'Bos\u0000ton' } })).toEqual([
      'name: must not contain a NUL character',
      'address.city: must not contain a NUL character',
    ]);
  });

  it('refuses lone UTF-16 surrogates, which Postgres cannot store and the driver would turn into U+FFFD', () => {
    expect(fields({ name: 'a\ud800b', notes: ['ok', '\udc00'] })).toEqual([
      'name: must be well-formed Unicode text (it holds a lone UTF-16 surrogate)',
      'notes.1: must be well-formed Unicode text (it holds a lone UTF-16 surrogate)',
    ]);
    expect(fields({ '\ud83d': 1 })).toEqual([': a field name must be well-formed Unicode text (it holds a lone UTF-16 surrogate)']);
    expect(fields({ name: 'emoji \u{1f600} and RTL \u05d0 are text like any other' })).toEqual([]);
  });

  it('answers nesting 30,000 levels deep (a 64 kB body of brackets) with one issue instead of overflowing the stack', () => {
    const depth = 30_000;
    const deep = JSON.parse('{"name":' + '['.repeat(depth) + ']'.repeat(depth) + '}') as unknown;
    const issues = requestValueIssues(deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toHaveLength(MAX_REQUEST_DEPTH);
    expect(issues[0]!.message).toBe(`the request is nested more than ${MAX_REQUEST_DEPTH} levels deep`);
  });

  it('leaves ordinary bodies alone', () => {
    expect(fields({ a: [{ b: { c: ['d', 1, null, true] } }] })).toEqual([]);
  });
});

describe('keyset cursors', () => {
  const DAY = /^\d{4}-\d{2}-\d{2}$/;
  const ID = '0b7d2a5c-4e1f-4a8b-9c3d-2e5f6a7b8c9d';
  const raw = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

  it('gives back the sort key and id a nextCursor was made from, in a form the query schema accepts', () => {
    const cursor = encodeKeysetCursor('2026-12-02', ID);
    expect(PageCursor.safeParse(cursor).success).toBe(true);
    expect(decodeKeysetCursor(cursor, DAY)).toEqual({ key: '2026-12-02', id: ID });
  });

  it('refuses a cursor whose key is not of the list, whose id is not a uuid, or that was not made by the list', () => {
    expect(decodeKeysetCursor(encodeKeysetCursor('2026-12-02T10:00:00Z', ID), DAY)).toBeUndefined();
    expect(decodeKeysetCursor(encodeKeysetCursor('2026-12-02', 'not-an-id'), DAY)).toBeUndefined();
    expect(decodeKeysetCursor(raw(`2026-12-02|${ID}|extra`), DAY)).toBeUndefined();
    expect(decodeKeysetCursor(raw('2026-12-02'), DAY)).toBeUndefined();
    expect(decodeKeysetCursor('garbage', DAY)).toBeUndefined();
  });
});
