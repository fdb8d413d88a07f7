import { loadX12Fixture } from '../../../test/fixtures/x12/load-fixture';
import { readInterchange } from './x12-envelope';
import { describeWarning } from './x12-warnings';
import { X12ParseError } from './x12-parse-error';
import { synthetic271 } from './x12-271.factory';

function parseError(run: () => unknown): X12ParseError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof X12ParseError) return error;
    throw error;
  }
  throw new Error('expected an X12ParseError');
}

const valid = loadX12Fixture('271-active-ppo-in-and-out-of-network.x12');

describe('readInterchange', () => {
  it('hands back the transaction set with the envelope read', () => {
    const interchange = readInterchange(valid);
    expect(interchange.header).toMatchObject({
      senderId: 'KESTRELHP',
      receiverId: 'HARBORLIGHT',
      date: '2026-11-20',
      time: '14:32',
      controlNumber: '000900001',
      usage: 'production',
    });
    const group = interchange.groups[0];
    expect(group?.functionalId).toBe('HB');
    expect(group?.transactions.map((t) => [t.id, t.controlNumber, t.implementation])).toEqual([['271', '0001', '005010X279A1']]);
    expect(group?.transactions[0]?.body[0]?.id).toBe('BHT');
  });

  const warningsOf = (text: string) => readInterchange(text).warnings.map(describeWarning);

  it('reads an interchange that ends at SE or GE, warning that the trailers are missing', () => {
    expect(warningsOf(loadX12Fixture('malformed-missing-iea.x12'))).toEqual(['segment 57 (GE): the interchange ends without an IEA segment']);
    const atSe = valid.replace(/GE\*1\*7001~\nIEA\*1\*000900001~\n/, '');
    expect(readInterchange(atSe).groups[0]?.transactions).toHaveLength(1);
    expect(warningsOf(atSe)).toEqual([
      'segment 56 (SE): the input ends without the GE closing functional group "7001"',
      'segment 56 (SE): the interchange ends without an IEA segment',
    ]);
  });

  it('reads a group closed by IEA without its GE, with a warning', () => {
    const text = valid.replace(/GE\*1\*7001~\n/, '');
    expect(warningsOf(text)).toEqual(['segment 57 (IEA): IEA appears before a GE closed functional group "7001" (GS at segment 2)']);
  });

  it('refuses a transaction set that no SE closes: it may have been cut short', () => {
    const error = parseError(() => readInterchange(loadX12Fixture('malformed-missing-se.x12')));
    expect(error.code).toBe('missing-trailer');
    expect(error.message).toBe('segment 56 (GE): GE appears before an SE closed transaction set "0001" (ST at segment 3)');
  });

  it.each([
    [
      'an SE whose segment count does not match',
      loadX12Fixture('malformed-se-count.x12'),
      'segment 56 (SE) element SE01: "52" does not match the 54 segments from ST to SE',
    ],
    ['GE02 that does not match GS06', loadX12Fixture('malformed-ge-control-mismatch.x12'), 'segment 57 (GE) element GE02: "7002" does not match GS06 "7001"'],
    ['SE02 that does not match ST02', valid.replace(/SE\*(\d+)\*0001~/, 'SE*$1*0002~'), 'segment 56 (SE) element SE02: "0002" does not match ST02 "0001"'],
    [
      'IEA02 that does not match ISA13',
      valid.replace('IEA*1*000900001~', 'IEA*1*000900009~'),
      'segment 58 (IEA) element IEA02: "000900009" does not match ISA13 "000900001"',
    ],
    [
      'a GE whose transaction count is wrong',
      valid.replace('GE*1*7001~', 'GE*2*7001~'),
      'segment 57 (GE) element GE01: "2" does not match the 1 transaction sets in the group',
    ],
  ])('reads %s, keeping the disagreement as a warning', (_case, text, warning) => {
    const interchange = readInterchange(text);
    expect(interchange.groups[0]?.transactions).toHaveLength(1);
    expect(interchange.warnings.map(describeWarning)).toEqual([warning]);
  });

  it('reads a clean interchange without warnings', () => {
    expect(readInterchange(valid).warnings).toEqual([]);
  });

  it('accepts group control numbers that differ only in zero padding', () => {
    const text = synthetic271({ controlNumber: 42 }).replace(/GE\*1\*42~/, 'GE*1*000042~');
    expect(readInterchange(text).groups[0]?.controlNumber).toBe('42');
  });

  it('refuses a data segment outside a transaction set', () => {
    const text = valid.replace('ST*271*0001', 'EB*1~\nST*271*0001');
    const error = parseError(() => readInterchange(text));
    expect(error.code).toBe('unexpected-segment');
    expect(error.message).toBe('segment 3 (EB): appears outside a transaction set (between ST and SE)');
  });

  it('refuses anything after the IEA', () => {
    expect(parseError(() => readInterchange(`${valid}GS*HB~\n`)).message).toContain('follows the IEA at segment 58');
  });

  it('refuses an ISA date that is not a date', () => {
    const text = valid.replace('*261120*1432*', '*261340*1432*');
    expect(parseError(() => readInterchange(text)).message).toBe('segment 1 (ISA): element ISA09 "261340" is not a date (YYMMDD)');
  });
});
