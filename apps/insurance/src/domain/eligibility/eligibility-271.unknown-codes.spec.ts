import { loadPublicSample } from '../../../test/fixtures/x12/public/load-public';
import { coordinatorTaskFor, rejectionsFor } from '../../application/eligibility-outcome';
import { summariseBenefits } from './benefit-summary';
import { parse271, tryParse271 } from './eligibility-271.parser';
import { X12ParseError } from './x12-parse-error';
import { SegmentSpec } from './x12-writer';
import { eb, synthetic271 } from './x12-271.factory';

/*
 * ADR 0010 (amendment "unknown codes") promises what this file pins:
 * - a 4010 (004010X092A1) response, which older payers still send, is read with a warning; a transaction set
 *   for another guide (a claim, a remittance) is refused;
 * - a code the reader does not know (a benefit kind, coverage level, time period, quantity qualifier, indicator,
 *   date qualifier or format, relationship, a follow-up action) or a segment it does not know never fails the
 *   parse: it is kept as sent with its position, a warning names it, and the rest of the response is read. The line
 *   it sits in is "not understood": kept as sent beside the benefits, never read as something it may not mean.
 * "Q9", "ZZZ", "X", "Z9" and "999" are codes that no list in eligibility-codes.ts holds.
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

describe('parse271 keeps an unknown code as sent and reads the rest of the response', () => {
  const known = eb('B', 'IND', 'MH', '', '', '27', '25', '', '', '', '', 'Y');
  it.each<[string, SegmentSpec[], { segmentNumber: number; segmentId: string; element: string; value: string }]>([
    ['EB01 benefit kind', [eb('Z9', 'IND', 'MH')], { segmentNumber: 11, segmentId: 'EB', element: 'EB01', value: 'Z9' }],
    ['EB02 coverage level', [eb('1', 'ZZZ', 'MH')], { segmentNumber: 11, segmentId: 'EB', element: 'EB02', value: 'ZZZ' }],
    ['EB03 service type', [['EB', '1', 'IND', { repeat: ['MH', 'MH1'] }]], { segmentNumber: 11, segmentId: 'EB', element: 'EB03', value: 'MH1' }],
    ['EB06 time period', [eb('B', 'IND', 'MH', '', '', 'Q9', '25')], { segmentNumber: 11, segmentId: 'EB', element: 'EB06', value: 'Q9' }],
    ['EB09 quantity qualifier', [eb('F', 'IND', 'MH', '', '', '', '', '', 'Q9', '20')], { segmentNumber: 11, segmentId: 'EB', element: 'EB09', value: 'Q9' }],
    [
      'EB11 authorization indicator',
      [eb('A', 'IND', 'MH', '', '', '', '', '.2', '', '', 'X')],
      { segmentNumber: 11, segmentId: 'EB', element: 'EB11', value: 'X' },
    ],
    [
      'EB12 in-plan-network indicator',
      [eb('A', 'IND', 'MH', '', '', '', '', '.2', '', '', '', 'X')],
      { segmentNumber: 11, segmentId: 'EB', element: 'EB12', value: 'X' },
    ],
    ['HSD01 quantity qualifier', [eb('F', 'IND', 'MH'), ['HSD', 'Q9', '3']], { segmentNumber: 12, segmentId: 'HSD', element: 'HSD01', value: 'Q9' }],
    ['HSD03 unit of measure', [eb('F', 'IND', 'MH'), ['HSD', 'VS', '3', 'Q9']], { segmentNumber: 12, segmentId: 'HSD', element: 'HSD03', value: 'Q9' }],
    [
      'HSD05 time period',
      [eb('F', 'IND', 'MH'), ['HSD', 'VS', '3', '', '', 'Q9', '1']],
      { segmentNumber: 12, segmentId: 'HSD', element: 'HSD05', value: 'Q9' },
    ],
    [
      'DTP01 date qualifier on a benefit',
      [eb('C', 'IND', 'MH'), ['DTP', '999', 'D8', '20260101']],
      { segmentNumber: 12, segmentId: 'DTP', element: 'DTP01', value: '999' },
    ],
    [
      'DTP02 date format on a benefit',
      [eb('C', 'IND', 'MH'), ['DTP', '291', 'DT', '202601011200']],
      { segmentNumber: 12, segmentId: 'DTP', element: 'DTP02', value: 'DT' },
    ],
  ])('%s: the benefit is kept as not understood, with a warning, and the next benefit is read', (_, segments, unknown) => {
    const response = parse271(withMemberSegments(...segments, known));
    const member = response.members[0];
    expect(member?.benefits.map((b) => b.segmentNumber)).toEqual([11 + segments.length]);
    expect(member?.notUnderstood).toEqual([
      { segmentNumber: 11, segmentId: 'EB', text: expect.stringMatching(/^EB\*/), unknown: [expect.objectContaining(unknown)], rejections: [] },
    ]);
    expect(response.warnings).toEqual([
      expect.objectContaining({
        code: 'unknown-code',
        segmentNumber: unknown.segmentNumber,
        element: unknown.element,
        message: expect.stringContaining(`"${unknown.value}"`),
      }),
    ]);
  });

  it.each<[string, [string, ...string[]], string]>([
    ['DTP01 date qualifier on the subscriber', ['DTP', '999', 'D8', '20260101'], 'DTP01'],
    ['DTP02 date format on the subscriber', ['DTP', '346', 'DT', '20260101'], 'DTP02'],
    ['INS02 relationship', ['INS', 'Y', '99'], 'INS02'],
    ['DMG01 birth date format', ['DMG', 'DT', '198903141200', 'F'], 'DMG01'],
  ])('%s: the segment is kept as not understood and the benefits are read', (_, segment, element) => {
    const response = parse271(withMemberSegments(segment, known));
    const member = response.members[0];
    expect(member?.notUnderstood).toEqual([
      expect.objectContaining({ segmentNumber: 11, segmentId: segment[0], text: segment.join('*'), unknown: [expect.objectContaining({ element })] }),
    ]);
    expect(member?.dates).toEqual([]);
    expect(member?.relationship).toBeUndefined();
    expect(member?.benefits).toHaveLength(1);
    expect(response.warnings.map((w) => [w.code, w.element])).toEqual([['unknown-code', element]]);
  });

  it('an unknown EB01 is never read as active coverage: the status stays unknown and the line is shown as not understood', () => {
    const summary = summariseBenefits(parse271(withMemberSegments(eb('Z9', 'IND', '30'))), { serviceTypes: ['30', 'MH'], serviceDate: '2026-12-01' });
    const member = summary.members[0];
    expect(member?.coverage.status).toBe('unknown');
    expect(member?.serviceTypes.map((s) => s.coverage)).toEqual(['not-stated', 'not-stated']);
    expect(member?.notUnderstood).toEqual([expect.objectContaining({ segmentNumber: 11, text: 'EB*Z9*IND*30' })]);
  });

  it('an unknown time period on a copay gives no copay rather than a copay per something else', () => {
    const summary = summariseBenefits(parse271(withMemberSegments(eb('1', 'IND', 'MH'), eb('B', 'IND', 'MH', '', '', 'Q9', '25', '', '', '', '', 'Y'))), {
      serviceTypes: ['MH'],
      serviceDate: '2026-12-01',
    });
    const mh = summary.members[0]?.serviceTypes[0];
    expect(mh?.coverage).toBe('covered');
    expect(mh?.inNetwork.copay).toBeUndefined();
    expect(summary.members[0]?.notUnderstood.map((l) => l.segmentNumber)).toEqual([12]);
  });

  it('a segment it does not know, in a benefit loop, keeps that benefit as not understood; elsewhere it is kept and skipped', () => {
    const response = parse271(
      synthetic271({
        payerSegments: [['XYZ', 'PAYER NOTE']],
        members: [{ segments: [['ZZZ', 'MEMBER NOTE'], eb('1', 'IND', 'MH'), ['ZZZ', 'BENEFIT NOTE'], known] }],
      }),
    );
    expect(response.notUnderstood).toEqual([expect.objectContaining({ segmentNumber: 7, segmentId: 'XYZ', text: 'XYZ*PAYER NOTE' })]);
    const member = response.members[0];
    expect(member?.notUnderstood.map((l) => [l.segmentNumber, l.text, l.unknown.map((u) => u.value)])).toEqual([
      [12, 'ZZZ*MEMBER NOTE', ['ZZZ*MEMBER NOTE']],
      [13, 'EB*1*IND*MH', ['ZZZ*BENEFIT NOTE']],
    ]);
    expect(member?.benefits.map((b) => b.segmentNumber)).toEqual([15]);
    expect(response.warnings.map((w) => [w.code, w.segmentNumber])).toEqual([
      ['unknown-segment', 7],
      ['unknown-segment', 12],
      ['unknown-segment', 14],
    ]);
  });

  it('still refuses a segment of the 271 in a place no loop allows it, and keeps nothing of the response', () => {
    const result = tryParse271(withMemberSegments(eb('1', 'IND', 'MH'), ['BHT', '0022', '11', 'X', '20260101']));
    expect(result).toEqual({ ok: false, error: expect.any(X12ParseError) });
    expect(result.ok ? undefined : result.error.message).toMatch(/^segment 12 \(BHT\): is not allowed in loop 2110C/);
  });

  it('reads the same segments when every code is one it knows, so each line above is the code alone', () => {
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
    expect(member?.notUnderstood).toEqual([]);
    expect(response.warnings).toEqual([]);
  });
});

describe('an AAA with codes the reader does not know is still a rejection and a coordinator task', () => {
  const task = (text: string) =>
    coordinatorTaskFor(rejectionsFor(summariseBenefits(parse271(text), { serviceTypes: ['MH'], serviceDate: '2026-12-01' }), false));

  it('keeps an unknown AAA03 reason with a verify-by-phone message and a warning', () => {
    const response = parse271(withMemberSegments(['AAA', 'N', '', 'ZQ', 'C']));
    expect(response.members[0]?.rejections[0]).toMatchObject({
      reasonCode: 'ZQ',
      coordinatorMessage: 'the payer rejected the inquiry with code ZQ: verify by phone',
    });
    expect(response.warnings.map((w) => [w.code, w.element])).toEqual([['unknown-code', 'AAA03']]);
    expect(task(withMemberSegments(['AAA', 'N', '', 'ZQ', 'C']))).toMatchObject({ kind: 'verify-by-phone', reasonCodes: ['ZQ'] });
  });

  it('keeps an unknown AAA01 and AAA04 as sent, without a label it does not have', () => {
    const response = parse271(withMemberSegments(['AAA', 'X', '', '72', 'Q']));
    expect(response.members[0]?.rejections[0]).toMatchObject({ reasonCode: '72', validRequest: undefined, followUpAction: 'Q', followUpLabel: undefined });
    expect(response.warnings.map((w) => w.element)).toEqual(['AAA01', 'AAA04']);
    expect(task(withMemberSegments(['AAA', 'X', '', '72', 'Q']))).toMatchObject({ kind: 'correct-member-details', reasonCodes: ['72'] });
  });

  it.each(['42', '50', '72', '75', '33', 'ZQ'])('an AAA %s at the payer, the clinic, the member or in a benefit becomes a task', (code) => {
    const aaa: SegmentSpec = ['AAA', 'Y', '', code, 'C'];
    expect(task(synthetic271({ payerOnly: true, payerSegments: [aaa] }))?.reasonCodes).toEqual([code]);
    expect(task(withMemberSegments(aaa))?.reasonCodes).toEqual([code]);
    expect(task(withMemberSegments(eb('1', 'IND', 'MH'), aaa))?.reasonCodes).toEqual([code]);
  });

  it('an AAA in the loop of a benefit not understood is still a task', () => {
    const text = withMemberSegments(eb('Z9', 'IND', 'MH'), ['AAA', 'Y', '', '42', 'R']);
    expect(parse271(text).members[0]?.notUnderstood[0]?.rejections).toEqual([expect.objectContaining({ reasonCode: '42', segmentNumber: 12 })]);
    expect(task(text)).toMatchObject({ kind: 'retry-later', reasonCodes: ['42'] });
  });
});

describe('the public sample with unknown codes (derived-271-unknown-codes.x12, see SOURCES.md)', () => {
  const text = loadPublicSample('derived-271-unknown-codes.x12');

  it('is read, each unknown kept with its position and warned about, the rest as the original says', () => {
    const response = parse271(text);
    expect(response.warnings.map((w) => [w.code, w.segmentNumber, w.element])).toEqual([
      ['implementation-version', 3, undefined],
      ['unknown-segment', 15, undefined],
      ['unknown-code', 23, 'EB06'],
      ['unknown-code', 25, 'DTP01'],
      ['unknown-code', 26, 'EB01'],
      ['unknown-code', 27, 'AAA03'],
    ]);
    const member = response.members[0];
    expect(member?.notUnderstood.map((l) => [l.segmentNumber, l.unknown.map((u) => `${u.element ?? 'segment'} ${u.value}`)])).toEqual([
      [15, ['segment ZZZ*NEW PAYER SEGMENT']],
      [23, ['EB06 Q1']],
      [24, ['DTP01 999']],
      [26, ['EB01 Z9']],
    ]);
    expect(member?.benefits.map((b) => b.segmentNumber)).toEqual([17, 18, 22]);
    expect(member?.dates).toEqual([expect.objectContaining({ qualifier: '346', start: '2006-01-01' })]);
  });

  it('reports MH as covered, no copay from the lines not understood, and the rejection in the unknown line as a task', () => {
    const summary = summariseBenefits(parse271(text), { serviceTypes: ['MH'], serviceDate: '2006-05-01' });
    const member = summary.members[0];
    expect(member?.coverage.status).toBe('active');
    expect(member?.serviceTypes[0]).toMatchObject({ coverage: 'covered', inNetwork: { copay: undefined }, outOfNetwork: { copay: undefined } });
    expect(member?.notUnderstood).toHaveLength(4);
    expect(coordinatorTaskFor(rejectionsFor(summary, false))).toMatchObject({ kind: 'verify-by-phone', reasonCodes: ['ZQ'] });
  });
});
