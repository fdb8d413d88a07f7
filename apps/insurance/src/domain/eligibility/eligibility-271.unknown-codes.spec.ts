import { parse271, tryParse271 } from './eligibility-271.parser';
import { X12ParseError } from './x12-parse-error';
import { SegmentSpec } from './x12-writer';
import { eb, synthetic271 } from './x12-271.factory';

/*
 * ADR 0010 promises two things this file pins:
 * - a 4010 (004010X092A1) response, which older payers still send, is read with a warning; a transaction set
 *   for another guide (a claim, a remittance) is refused;
 * - "unknown codes in elements that change what the coordinator is told (EB01, EB02, EB06, EB09, EB11, EB12,
 *   HSD, DTP qualifiers, INS02) fail the parse; an unknown AAA03 reason is kept with a generic 'verify by phone'
 *   message". So an unknown code is refused, never kept raw or merely warned about, and the refusal names the
 *   segment, its number and the element.
 * "Q9", "ZZZ", "X" and "999" are codes that no list in eligibility-codes.ts holds.
 */

function parseError(run: () => unknown): X12ParseError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof X12ParseError) return error;
    throw error;
  }
  throw new Error('expected an X12ParseError');
}

/** A 271 whose one subscriber carries these segments after its NM1 (which is segment 10, so the first is 11). */
function withMemberSegments(...segments: SegmentSpec[]): string {
  return synthetic271({ members: [{ segments }] });
}

/** The same 271 as the factory writes, with the envelope and header a 4010 (004010X092A1) payer sends. */
function as4010(text: string): string {
  const converted = text
    // ISA11 was the standards identifier "U" before 00501, and ISA12 the version.
    .replace('*^*00501*', '*U*00401*')
    .replace(/(GS\*[^~]*\*)005010X279A1~/, '$1004010X092A1~')
    // A 4010 ST has no implementation reference (ST03).
    .replace(/(ST\*271\*\d+)\*005010X279A1~/, '$1~');
  if (converted === text) throw new Error('the factory no longer writes the envelope this conversion expects');
  return converted;
}

describe('parse271 reads a 4010 response, and refuses a transaction set for another guide', () => {
  it('reads a 004010X092A1 response (no ST03, GS08 4010, ISA11 "U") with a warning naming the version', () => {
    const response = parse271(as4010(withMemberSegments(eb('1', 'IND', 'MH'))));
    expect(response.members[0]?.benefits[0]?.serviceTypes).toEqual(['MH']);
    expect(response.warnings).toEqual([
      expect.objectContaining({
        code: 'implementation-version',
        segmentNumber: 3,
        segmentId: 'ST',
        message: expect.stringContaining('GS08 "004010X092A1" is a 4010'),
      }),
    ]);
  });

  it('reads a 005010 envelope whose ST03 names 004010X092A1, warning that ST03 and GS08 disagree', () => {
    const text = synthetic271().replace('ST*271*0001*005010X279A1~', 'ST*271*0001*004010X092A1~');
    expect(parse271(text).warnings.map((w) => w.code)).toEqual(['implementation-version', 'implementation-version']);
  });

  it('refuses an ST03 naming another guide, at its ST with the byte offset', () => {
    const text = synthetic271().replace('ST*271*0001*005010X279A1~', 'ST*271*0001*005010X222A1~');
    const error = parseError(() => parse271(text));
    expect(String(error)).toBe('X12ParseError: segment 3 (ST): element ST03 "005010X222A1" is not the 005010X279A1 implementation (nor 004010X092A1)');
    expect(error).toMatchObject({ code: 'wrong-transaction-set', element: 'ST03', retriable: false });
    expect(error.byteOffset).toBe(Buffer.byteLength(text.slice(0, text.indexOf('ST*271*'))));
    const result = tryParse271(text);
    expect(result.ok ? undefined : [result.error.code, result.error.element]).toEqual(['wrong-transaction-set', 'ST03']);
  });

  it('follows ST03 when GS08 or ISA12 disagree with it, and says so', () => {
    const gs08 = synthetic271().replace(/(GS\*[^~]*\*)005010X279A1~/, '$1004010X092A1~');
    const isa12 = synthetic271().replace('*^*00501*', '*U*00401*');
    expect(parse271(gs08).warnings.map((w) => w.code)).toEqual(['implementation-version']);
    expect(parse271(isa12).warnings).toEqual([]);
  });
});

describe('parse271 refuses an unknown code where it changes what the coordinator is told', () => {
  it.each<[string, SegmentSpec[], string]>([
    ['EB02 coverage level', [eb('1', 'ZZZ', 'MH')], 'segment 11 (EB): element EB02 "ZZZ" is not a coverage level code'],
    ['EB06 time period', [eb('B', 'IND', 'MH', '', '', 'Q9', '25')], 'segment 11 (EB): element EB06 "Q9" is not a time period qualifier code'],
    ['EB09 quantity qualifier', [eb('F', 'IND', 'MH', '', '', '', '', '', 'Q9', '20')], 'segment 11 (EB): element EB09 "Q9" is not a quantity qualifier code'],
    [
      'EB11 authorization indicator',
      [eb('A', 'IND', 'MH', '', '', '', '', '.2', '', '', 'X')],
      'segment 11 (EB): element EB11 "X" is not a authorization indicator (Y, N or U) code',
    ],
    [
      'EB12 in-plan-network indicator',
      [eb('A', 'IND', 'MH', '', '', '', '', '.2', '', '', '', 'X')],
      'segment 11 (EB): element EB12 "X" is not a in-plan-network indicator (Y, N, W or U) code',
    ],
    ['HSD01 quantity qualifier', [eb('F', 'IND', 'MH'), ['HSD', 'Q9', '3']], 'segment 12 (HSD): element HSD01 "Q9" is not a quantity qualifier code'],
    ['HSD03 unit of measure', [eb('F', 'IND', 'MH'), ['HSD', 'VS', '3', 'Q9']], 'segment 12 (HSD): element HSD03 "Q9" is not a unit of measure code'],
    [
      'HSD05 time period',
      [eb('F', 'IND', 'MH'), ['HSD', 'VS', '3', '', '', 'Q9', '1']],
      'segment 12 (HSD): element HSD05 "Q9" is not a time period qualifier code',
    ],
    [
      'DTP01 qualifier on a benefit (2110C)',
      [eb('C', 'IND', 'MH'), ['DTP', '999', 'D8', '20260101']],
      'segment 12 (DTP): element DTP01 "999" is not a date qualifier code',
    ],
    ['DTP01 qualifier on the subscriber (2100C)', [['DTP', '999', 'D8', '20260101']], 'segment 11 (DTP): element DTP01 "999" is not a date qualifier code'],
    ['DTP02 date format', [['DTP', '346', 'DT', '20260101']], 'segment 11 (DTP): element DTP02 "DT" is not a date format this transaction uses (D8 or RD8)'],
    ['INS02 relationship', [['INS', 'Y', '99']], 'segment 11 (INS): element INS02 "99" is not a individual relationship code'],
  ])('%s', (_, segments, message) => {
    const text = withMemberSegments(...segments);
    const error = parseError(() => parse271(text));
    expect(error.message).toBe(message);
    expect(error).toMatchObject({ code: 'invalid-code', retriable: false });
    expect(error.element).toBe(/element (\w+) /.exec(message)?.[1]);
  });

  it('keeps nothing of a response it refuses: tryParse271 returns the error and no partial response', () => {
    const result = tryParse271(withMemberSegments(eb('1', 'IND', 'MH'), eb('1', 'ZZZ', 'MH')));
    expect(result).toEqual({ ok: false, error: expect.any(X12ParseError) });
    expect(result.ok ? undefined : result.error.segmentNumber).toBe(12);
  });

  it('reads the same segments when every code is one it knows, so each refusal above is the code alone', () => {
    const response = parse271(
      withMemberSegments(
        ['INS', 'Y', '18'],
        ['DTP', '346', 'D8', '20260101'],
        eb('F', 'IND', 'MH', '', '', '29', '', '', 'VS', '20', 'Y', 'W'),
        ['HSD', 'VS', '3', 'DA', '', '35', '1'],
        ['DTP', '292', 'RD8', '20260101-20261231'],
      ),
    );
    const [member] = response.members;
    expect(member?.relationship).toBe('18');
    expect(member?.benefits[0]).toMatchObject({ coverageLevel: 'IND', timePeriod: '29', quantity: { qualifier: 'VS', value: 20 }, network: 'both' });
    expect(member?.benefits[0]?.delivery).toHaveLength(1);
  });

  it('keeps an unknown AAA03 reason instead (the one code ADR 0010 lets through), with a verify-by-phone message', () => {
    const response = parse271(withMemberSegments(['AAA', 'N', '', 'ZQ', 'C']));
    expect(response.members[0]?.rejections[0]).toMatchObject({
      reasonCode: 'ZQ',
      coordinatorMessage: 'the payer rejected the inquiry with code ZQ: verify by phone',
    });
  });
});
