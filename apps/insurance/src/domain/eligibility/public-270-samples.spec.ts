import { listPublicSamples, loadPublicSample } from '../../../test/fixtures/x12/public/load-public';
import { parse270 } from './eligibility-270.parser';
import { X12ParseError } from './x12-parse-error';
import { synthetic271 } from './x12-271.factory';
import { X12WarningCode } from './x12-warnings';

describe('the public 270 samples', () => {
  it.each(listPublicSamples('270'))('reads %s', (name) => {
    expect(() => parse270(loadPublicSample(name))).not.toThrow();
  });

  it.each<[string, [X12WarningCode, number | undefined, string | undefined][]]>([
    [
      'imsweb-270-4010.x12',
      [
        ['segment-count-mismatch', 16, 'SE01'],
        ['control-number-mismatch', 18, 'IEA02'],
        ['implementation-version', 3, undefined],
      ],
    ],
    ['linuxforhealth-270-demo.x12', []],
    ['linuxforhealth-270-dependent.x12', []],
    ['linuxforhealth-270-subscriber.x12', []],
    [
      'stupidedi-270-dependent-request-wrapped.x12',
      [
        ['line-wrapped', 1, undefined],
        ['control-number-mismatch', 17, 'SE02'],
        ['implementation-version', 3, undefined],
      ],
    ],
    ['stupidedi-270-subscriber-request.x12', [['implementation-version', 3, undefined]]],
  ])('keeps the deviations of %s as warnings, as the 271 reader does', (name, expected) => {
    expect(parse270(loadPublicSample(name)).warnings.map((w) => [w.code, w.segmentNumber, w.element])).toEqual(expected);
  });

  it('reads a 270 with the envelope slips real senders make (BOM, CR/LF, GS01 HB, no GE or IEA), each a warning', () => {
    const clean = loadPublicSample('linuxforhealth-270-demo.x12');
    const slipped = `\uFEFF${clean
      .replace(/~\n?/g, '~\r\n')
      .replace(/GS\*HS\*/, 'GS*HB*')
      .replace(/GE\*[^~]*~\r\nIEA\*[^~]*~\r\n$/, '')}`;
    expect(slipped).not.toContain('IEA*');
    const inquiry = parse270(slipped);
    expect(inquiry.warnings.map((w) => w.code)).toEqual(['byte-order-mark', 'crlf-line-ends', 'missing-trailer', 'missing-trailer', 'functional-identifier']);
    const { warnings: _slips, ...read } = inquiry;
    const { warnings: _none, ...expected } = parse270(clean);
    expect(read).toEqual(expected);
  });

  it('reads a receiver identified by a service provider number (NM108 SV), as the guide allows', () => {
    const inquiry = parse270(loadPublicSample('stupidedi-270-dependent-request-wrapped.x12'));
    expect(inquiry.informationReceiver).toEqual({ name: 'JONES', idQualifier: 'SV', id: '0202034' });
    expect(inquiry.subscriber.memberId).toBe('11122333301');
    expect(inquiry.dependent).toMatchObject({ firstName: 'MARY', lastName: 'SMITH', birthDate: '1978-10-14' });
    expect(inquiry.serviceDate).toBe('2006-05-01');
  });

  it('reads a receiver identified by its NPI as before', () => {
    expect(parse270(loadPublicSample('stupidedi-270-subscriber-request.x12')).informationReceiver).toEqual({
      npi: '1232343560',
      name: 'BONE AND JOINT CLINIC',
    });
  });

  it('reads a 4010 270 (no ST03, no BHT reference) dated by an eligibility range (DTP*307)', () => {
    const inquiry = parse270(loadPublicSample('imsweb-270-4010.x12'));
    expect(inquiry).toMatchObject({
      reference: '',
      informationReceiver: { name: '', idQualifier: 'SV', id: '123456' },
      serviceDate: { start: '2002-12-01', end: '2002-12-31' },
      serviceTypes: ['30'],
    });
  });

  it('keeps EQ02 procedure-code inquiries (HC:80061) instead of dropping them', () => {
    const text = loadPublicSample('linuxforhealth-270-demo.x12').replace('EQ*30~', 'EQ**HC:80061~EQ*98*HC:90837:95~');
    const inquiry = parse270(text.replace('SE*17*0001', 'SE*18*0001'));
    expect(inquiry.serviceTypes).toEqual(['98']);
    expect(inquiry.procedureCodes).toEqual([
      { qualifier: 'HC', code: '80061', modifiers: [] },
      { qualifier: 'HC', code: '90837', modifiers: ['95'] },
    ]);
  });

  it('refuses an EQ that asks about nothing', () => {
    const text = loadPublicSample('linuxforhealth-270-demo.x12').replace('EQ*30~', 'EQ~');
    expect(() => parse270(text)).toThrow(X12ParseError);
  });

  it('still refuses a 271 handed to the 270 reader', () => {
    expect(() => parse270(synthetic271())).toThrow('is not a 270 eligibility inquiry');
  });
});
