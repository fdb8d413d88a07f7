import { listPublicSamples, loadPublicSample } from '../../../test/fixtures/x12/public/load-public';
import { parse270 } from './eligibility-270.parser';
import { X12ParseError } from './x12-parse-error';
import { synthetic271 } from './x12-271.factory';

describe('the public 270 samples', () => {
  it.each(listPublicSamples('270'))('reads %s', (name) => {
    expect(() => parse270(loadPublicSample(name))).not.toThrow();
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
