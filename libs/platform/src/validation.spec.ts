import { MAX_REQUEST_DEPTH, requestValueIssues } from './validation';

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
