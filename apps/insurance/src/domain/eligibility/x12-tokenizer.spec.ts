import { loadX12Fixture } from '../../../test/fixtures/x12/load-fixture';
import { X12ParseError } from './x12-parse-error';
import { splitSegmentsOnly, tokenize } from './x12-tokenizer';
import { synthetic271 } from './x12-271.factory';

const ISA = 'ISA*00*          *00*          *ZZ*KESTRELHP      *ZZ*HARBORLIGHT    *261120*1432*^*00501*000000001*0*P*:~';

function parseError(run: () => unknown): X12ParseError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof X12ParseError) return error;
    throw error;
  }
  throw new Error('expected an X12ParseError');
}

describe('tokenize', () => {
  it('reads the delimiters the ISA declares: element, repetition, component and terminator', () => {
    const { delimiters } = tokenize(loadX12Fixture('271-active-ppo-in-and-out-of-network.x12'));
    expect(delimiters).toEqual({ element: '*', repetition: '^', component: ':', segment: '~' });
  });

  it('reads a file that uses | { ^ ~ with a newline after each segment', () => {
    const { delimiters, segments } = tokenize(loadX12Fixture('271-unusual-delimiters.x12'));
    expect(delimiters).toEqual({ element: '|', repetition: '{', component: '^', segment: '~' });
    const activeForBehavioural = segments.find((s) => s.id === 'EB' && s.get(1) === '1' && s.get(3)?.includes('MH'));
    expect(activeForBehavioural?.repetitions(3)).toEqual(['MH', 'AI', 'CF', 'CH', 'A8']);
    const perDiemCopay = segments.find((s) => s.id === 'EB' && s.get(13) !== undefined);
    expect(perDiemCopay?.components(13)).toEqual(['HC', 'H0015']);
  });

  it('skips CR/LF after each terminator, so no element carries a line break', () => {
    const plain = tokenize(loadX12Fixture('271-active-ppo-in-and-out-of-network.x12')).segments;
    const crlf = tokenize(loadX12Fixture('271-crlf-line-endings.x12')).segments;
    expect(crlf.map((s) => s.id)).toEqual(plain.map((s) => s.id));
    expect(crlf.flatMap((s) => s.elements).filter((e) => /[\r\n]/.test(e))).toEqual([]);
  });

  it('reads a file that ends segments with line breaks alone: LF, or CR/LF whose CR is then the terminator', () => {
    const lf = synthetic271({ delimiters: { element: '*', repetition: '^', component: ':', segment: '\n' }, lineEnding: '' });
    expect(tokenize(lf).delimiters.segment).toBe('\n');
    const crlf = tokenize(lf.replaceAll('\n', '\r\n'));
    expect(crlf.delimiters.segment).toBe('\r');
    expect(crlf.segments.at(-1)?.elements).toEqual(['IEA', '1', '000000001']);
    expect(crlf.segments.length).toBe(tokenize(lf).segments.length);
  });

  it('numbers segments from 1 at the ISA and gives each its byte offset', () => {
    const text = synthetic271();
    const { segments } = tokenize(text);
    expect(segments[0]?.position).toBe(1);
    expect(segments[0]?.byteOffset).toBe(0);
    const gs = segments[1];
    expect(gs?.id).toBe('GS');
    expect(gs?.byteOffset).toBe(107); // 106-character ISA, then the newline
    expect(segments.map((s) => s.position)).toEqual(segments.map((_, i) => i + 1));
  });

  it('counts byte offsets in UTF-8 when a name has accented letters', () => {
    const text = synthetic271({ members: [{ lastName: 'NÚÑEZ', firstName: 'JOSÉ' }] });
    const { segments } = tokenize(text);
    const after = segments.find((s) => s.id === 'SE');
    expect(after?.byteOffset).toBe(Buffer.from(text, 'utf8').indexOf('SE*'));
    expect(after?.byteOffset).toBe(text.indexOf('SE*') + 3); // Ú, Ñ and É take two bytes each
  });

  it('accepts bytes as well as text', () => {
    const text = synthetic271();
    expect(tokenize(Buffer.from(text, 'utf8')).segments.length).toBe(tokenize(text).segments.length);
  });

  it('tolerates a byte-order mark and blank lines before the ISA', () => {
    expect(tokenize(`\uFEFF\r\n${synthetic271()}`).segments[0]?.id).toBe('ISA');
  });

  it('refuses input too short to hold an ISA', () => {
    const error = parseError(() => tokenize(loadX12Fixture('malformed-isa-too-short.x12')));
    expect(error.code).toBe('isa-too-short');
    expect(error.message).toMatch(/^segment 1 \(ISA\): element ISA\d\d the ISA has \d+ of its 16 elements before the input ends/);
  });

  it('refuses input that does not start with ISA', () => {
    expect(parseError(() => tokenize(`GS*HB~${' '.repeat(120)}`)).message).toContain('does not start with an ISA segment');
  });

  it('reads an ISA whose IDs were not padded by its separators, naming the fields in a warning', () => {
    const { segments, warnings } = tokenize(loadX12Fixture('malformed-isa-sender-not-padded.x12'));
    expect(segments[0]?.elements[6]).toBe('KESTRELHP');
    expect(segments[1]?.id).toBe('GS');
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'isa-not-fixed-width', segmentNumber: 1, message: expect.stringContaining('ISA06 "KESTRELHP" is 9 characters, not 15') }),
    ]);
  });

  it('reads the same character as repetition and component separator, with a warning', () => {
    const { delimiters, warnings } = tokenize(`${ISA.replace('*^*00501', '*:*00501')}GS*HB~`);
    expect(delimiters).toMatchObject({ repetition: ':', component: ':' });
    expect(warnings.map((w) => w.code)).toEqual(['repetition-separator-reused']);
  });

  it('refuses delimiters that collide otherwise', () => {
    const clash = ISA.replace('*^*00501', '***00501');
    expect(parseError(() => tokenize(`${clash}GS*HB~`)).code).toBe('invalid-delimiters');
  });

  it('refuses a letter as the segment terminator', () => {
    expect(parseError(() => tokenize(`${ISA.slice(0, -1)}XGS*HB~`)).code).toBe('invalid-delimiters');
  });

  it('reads a last segment that has no terminator, with a warning naming it', () => {
    const { segments, warnings } = tokenize(`${ISA}\nGS*HB*A*B*20261120*1432*1*X*005010X279A1~\nST*271*0001`);
    expect(segments.at(-1)?.elements).toEqual(['ST', '271', '0001']);
    expect(warnings).toEqual([expect.objectContaining({ code: 'last-segment-unterminated', segmentNumber: 3, segmentId: 'ST' })]);
  });

  it('refuses trailing text that is not a segment', () => {
    const error = parseError(() => tokenize(`${ISA}\nGS*HB*A*B*20261120*1432*1*X*005010X279A1~\n<html>`));
    expect(error.code).toBe('missing-segment-terminator');
    expect(error.segmentNumber).toBe(3);
  });

  it('removes a BOM, indentation, trailing spaces and a space after a terminator, and says so', () => {
    const text = `\uFEFF${ISA} GS*HB*A*B*20261120*1432*1*X*005010X279A1  ~\r\n    ST*271*0001~`;
    const { segments, warnings } = tokenize(text);
    expect(segments.map((s) => s.elements.join('*'))).toEqual([ISA.slice(0, -1), 'GS*HB*A*B*20261120*1432*1*X*005010X279A1', 'ST*271*0001']);
    expect(warnings.map((w) => w.code)).toEqual(['byte-order-mark', 'crlf-line-ends', 'whitespace-around-segments']);
  });

  it('joins a file wrapped at a fixed width, even inside the ISA', () => {
    const flat = `${ISA}GS*HB*A*B*20261120*1432*1*X*005010X279A1~ST*271*0001~`;
    const wrapped = flat.replace(/(.{60})/g, '$1\n');
    const { segments, warnings } = tokenize(wrapped);
    expect(segments.map((s) => s.elements.join('*'))).toEqual(tokenize(flat).segments.map((s) => s.elements.join('*')));
    expect(warnings.map((w) => w.code)).toEqual(['line-wrapped']);
  });

  it('refuses something that is not a segment identifier', () => {
    const error = parseError(() => tokenize(`${ISA}gs*HB~`));
    expect(error.code).toBe('invalid-segment-id');
    expect(error.segmentNumber).toBe(2);
  });
});

describe('splitSegmentsOnly', () => {
  it('splits the same bytes into as many segments as the tokenizer finds', () => {
    const text = loadX12Fixture('271-unusual-delimiters.x12');
    expect(splitSegmentsOnly(text).length).toBe(tokenize(text).segments.length);
  });
});
