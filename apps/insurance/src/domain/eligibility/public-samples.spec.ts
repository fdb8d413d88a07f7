import { listPublicSamples, loadPublicSample, segmentNumberOf } from '../../../test/fixtures/x12/public/load-public';
import { summariseBenefits, ServiceTypeSummary } from './benefit-summary';
import { DEFAULT_IOP_SERVICE_TYPES } from './eligibility-codes';
import { parse271, tryParse271 } from './eligibility-271.parser';
import { X12WarningCode } from './x12-warnings';

/*
 * The public 271s of test/fixtures/x12/public (sources and licences in SOURCES.md): each is read, its deviations
 * become warnings, and what it says is checked against what a person reads in it.
 */

const codes = (name: string): X12WarningCode[] => parse271(loadPublicSample(name)).warnings.map((w) => w.code);

function service(name: string, serviceDate: string, code: string, member = 0): ServiceTypeSummary {
  const summary = summariseBenefits(parse271(loadPublicSample(name)), { serviceTypes: DEFAULT_IOP_SERVICE_TYPES, serviceDate });
  const found = summary.members[member]?.serviceTypes.find((s) => s.code === code);
  if (found === undefined) throw new Error(`no ${code} summary`);
  return found;
}

describe('the public 271 samples', () => {
  it.each(listPublicSamples('271'))('reads %s', (name) => {
    const result = tryParse271(loadPublicSample(name));
    expect(result.ok ? 'read' : result.error.message).toBe('read');
  });

  it('holds at least 15 files from at least 5 independent repositories', () => {
    const all = [...listPublicSamples('271'), ...listPublicSamples('270')].filter((name) => !name.startsWith('derived-'));
    expect(all.length).toBeGreaterThanOrEqual(15);
    expect(new Set(all.map((name) => name.split('-')[0])).size).toBeGreaterThanOrEqual(5);
  });

  it.each<[string, X12WarningCode[]]>([
    ['stupidedi-271-subscriber-found.x12', ['implementation-version']],
    ['stupidedi-271-error-wrapped-60-columns.x12', ['line-wrapped', 'functional-identifier', 'implementation-version']],
    ['imsweb-271-4010-envelope.x12', ['segment-count-mismatch', 'control-number-mismatch', 'implementation-version']],
    ['xiaoerge-271-united-concordia-dental.x12', ['control-number-mismatch']],
    ['xiaoerge-271-emedny-medicaid.x12', []],
    ['linuxforhealth-271-demo.x12', []],
    ['moonlitpsych-271-utah-medicaid-mh-sud-blocks.x12', []],
    [
      'derived-271-newline-terminated-no-trailers.x12',
      ['newline-terminator', 'last-segment-unterminated', 'missing-trailer', 'missing-trailer', 'implementation-version'],
    ],
    ['derived-271-bom-crlf-indented.x12', ['byte-order-mark', 'crlf-line-ends', 'whitespace-around-segments']],
    ['derived-271-unpadded-isa-gs-hc-counts-off.x12', ['isa-not-fixed-width', 'segment-count-mismatch', 'control-number-mismatch', 'functional-identifier']],
    ['derived-271-gs-xx-repetition-equals-component.x12', ['repetition-separator-reused', 'functional-identifier', 'implementation-version']],
  ])('keeps the deviations of %s as warnings', (name, expected) => {
    expect(codes(name)).toEqual(expected);
  });

  it('names the counts that disagree in the 4010 envelope (SE01 22 for 18 segments, IEA02 not ISA13)', () => {
    const messages = parse271(loadPublicSample('imsweb-271-4010-envelope.x12')).warnings.map((w) => [w.element, w.message]);
    expect(messages).toContainEqual(['SE01', '"22" does not match the 18 segments from ST to SE']);
    expect(messages).toContainEqual(['IEA02', '"000014420" does not match ISA13 "000003438"']);
  });

  it.each([
    ['derived-271-newline-terminated-no-trailers.x12', 'stupidedi-271-subscriber-found.x12'],
    ['derived-271-gs-xx-repetition-equals-component.x12', 'stupidedi-271-subscriber-found.x12'],
    ['derived-271-bom-crlf-indented.x12', 'xiaoerge-271-emedny-medicaid.x12'],
    ['derived-271-unpadded-isa-gs-hc-counts-off.x12', 'linuxforhealth-271-demo.x12'],
  ])('reads %s to the same members and benefits as %s', (derived, original) => {
    expect(parse271(loadPublicSample(derived)).members).toEqual(parse271(loadPublicSample(original)).members);
  });
});

describe('what the public 271s say, as read by hand', () => {
  it('guide example 1: the subscriber is active on GOLD 123 PLAN with a $10 mental-health visit copay in network, $30 out', () => {
    const text = loadPublicSample('stupidedi-271-subscriber-found.x12');
    const response = parse271(text);
    expect(response.informationSource).toMatchObject({ name: 'ABC COMPANY', idQualifier: 'PI', id: '842610001' });
    expect(response.informationReceiver).toMatchObject({ name: 'BONE AND JOINT CLINIC', idQualifier: 'SV', id: '2000035' });
    const summary = summariseBenefits(response, { serviceTypes: ['30', 'MH'], serviceDate: '2006-05-01' });
    const member = summary.members[0];
    expect(member).toMatchObject({ lastName: 'SMITH', firstName: 'JOHN', memberId: '123456789', coverage: { status: 'active', planBegin: '2006-01-01' } });
    const mh = member?.serviceTypes.find((s) => s.code === 'MH');
    expect(mh?.coverage).toBe('covered');
    expect(mh?.inNetwork.copay).toMatchObject({
      amountCents: 1000,
      per: '27',
      source: 'service-type',
      origin: { segmentNumber: segmentNumberOf(text, 'EB*B**1^33^35^47^86^88^98^AL^MH^UC*HM*GOLD 123 PLAN*27*10*****Y'), insuranceType: 'HM' },
    });
    expect(mh?.outOfNetwork.copay).toMatchObject({ amountCents: 3000, source: 'service-type' });
  });

  it('guide example 2: the dependent (a child) is read in the dependent loop with the same copays', () => {
    const summary = summariseBenefits(parse271(loadPublicSample('stupidedi-271-dependent.x12')), { serviceTypes: ['MH'], serviceDate: '2006-05-01' });
    const dependent = summary.members.find((m) => m.role === 'dependent');
    expect(dependent).toMatchObject({ firstName: 'MARY', memberId: '123456789', coverage: { status: 'active' } });
    expect(dependent?.serviceTypes[0]?.inNetwork.copay?.amountCents).toBe(1000);
  });

  it('guide error example: the payer refuses the clinic (AAA 50 at 2100B), wrapped or not', () => {
    for (const name of ['stupidedi-271-provider-not-eligible-aaa50.x12', 'stupidedi-271-error-wrapped-60-columns.x12']) {
      const summary = summariseBenefits(parse271(loadPublicSample(name)), { serviceTypes: ['30'], serviceDate: '2006-05-01' });
      expect(summary.rejections).toEqual([expect.objectContaining({ loop: '2100B', reasonCode: '50', validRequest: true, followUpAction: 'N' })]);
      expect(summary.members).toEqual([]);
    }
  });

  it('4010 envelope: the subscriber is active on GOLD 123 PLAN, with the primary care provider named in 2120', () => {
    const response = parse271(loadPublicSample('imsweb-271-4010-envelope.x12'));
    const plan = response.members[0]?.benefits[0];
    expect(plan).toMatchObject({ kind: '1', serviceTypes: ['30'], planDescription: 'GOLD 123 PLAN' });
    expect(plan?.relatedEntities).toEqual([expect.objectContaining({ entityCode: 'P3', name: 'JONES', firstName: 'MARCUS', idQualifier: 'SV' })]);
  });

  it('eMedNY: Medicaid eligible from 2010-06-01, a $0 copay for the plan that stands in for mental health, and says so', () => {
    const text = loadPublicSample('xiaoerge-271-emedny-medicaid.x12');
    const response = parse271(text);
    expect(response.informationSource.contacts[0]).toMatchObject({ phone: '8003439000', url: 'www.emedny.org' });
    const mh = service('xiaoerge-271-emedny-medicaid.x12', '2010-06-08', 'MH');
    expect(mh.coverage).toBe('covered');
    expect(mh.networkNotStated?.copay).toMatchObject({ amountCents: 0, source: 'plan', origin: { segmentNumber: segmentNumberOf(text, 'EB*B*IND*30****0') } });
    const summary = summariseBenefits(response, { serviceTypes: ['30'], serviceDate: '2010-06-08' });
    expect(summary.members[0]?.coverage).toMatchObject({ status: 'active', planBegin: '2010-06-01' });
    expect(summary.members[0]?.plan.description).toBe('MA Eligible');
  });

  it('United Concordia dental: active for dental on 2013-06-01, nothing stated for mental health', () => {
    const summary = summariseBenefits(parse271(loadPublicSample('xiaoerge-271-united-concordia-dental.x12')), {
      serviceTypes: ['30', 'MH'],
      serviceDate: '2013-06-01',
    });
    const member = summary.members[0];
    expect(member?.coverage.status).toBe('active');
    expect(member?.plan).toMatchObject({ description: '6P 058741003 CHIP SC3 PGH', insuranceType: 'IN' });
    expect(member?.serviceTypes.find((s) => s.code === 'MH')?.coverage).toBe('not-stated');
  });

  describe('Utah Medicaid: mental health and substance use blocks tied by EB05', () => {
    const name = 'moonlitpsych-271-utah-medicaid-mh-sud-blocks.x12';
    const text = loadPublicSample(name);

    it('reads the mental-health cost shares from the MENTAL HEALTH OUTPATIENT block, not the first plan-level line', () => {
      const mh = service(name, '2025-09-05', 'MH');
      expect(mh.coverage).toBe('covered');
      const tier = mh.networkNotStated;
      expect(tier?.copay).toMatchObject({
        amountCents: 0,
        source: 'benefit-block',
        origin: { segmentNumber: segmentNumberOf(text, 'EB*B*IND*30*MC*MENTAL HEALTH OUTPATIENT**0'), planDescription: 'MENTAL HEALTH OUTPATIENT' },
      });
      expect(tier?.coinsurance).toMatchObject({
        basisPoints: 0,
        origin: { segmentNumber: segmentNumberOf(text, 'EB*A*IND*30*MC*MENTAL HEALTH OUTPATIENT***0') },
      });
      expect(tier?.deductible.individual).toMatchObject({
        totalCents: 0,
        segmentNumbers: [segmentNumberOf(text, 'EB*C*IND*30*MC*MENTAL HEALTH OUTPATIENT**0')],
      });
      expect(tier?.outOfPocket.individual).toMatchObject({
        remainingCents: 0,
        segmentNumbers: [segmentNumberOf(text, 'EB*G*IND*30*MC*MENTAL HEALTH OUTPATIENT*29*0')],
      });
    });

    it('reads the substance-use cost shares from the SUBSTANCE USE DISORDER SERVICES block', () => {
      const ai = service(name, '2025-09-05', 'AI');
      expect(ai.coverage).toBe('covered');
      expect(ai.networkNotStated?.copay?.origin).toMatchObject({
        source: 'benefit-block',
        segmentNumber: segmentNumberOf(text, 'EB*B*IND*30*MC*SUBSTANCE USE DISORDER SERVICES**0'),
      });
    });

    it('never lends a block line to another service: an unnamed service falls back only to lines stated for the plan (EB03 30)', () => {
      const cf = service(name, '2025-09-05', 'CF');
      expect(cf.coverage).toBe('not-stated');
      expect(cf.networkNotStated?.copay?.origin).toMatchObject({
        source: 'plan',
        segmentNumber: segmentNumberOf(text, 'EB*B*IND*30^1^45^48^50^54^60^86^88^98^AL^UC*MC*TARGETED ADULT MEDICAID**0'),
      });
      // The cost-share lines carry EB03 30 alone; tied by EB05 to their blocks, none of them is plan-level.
      expect(cf.networkNotStated?.coinsurance).toBeUndefined();
      expect(cf.networkNotStated?.deductible.individual).toBeUndefined();
    });

    it('reports the member active on the inquiry date and chiropractic not covered', () => {
      const summary = summariseBenefits(parse271(text), { serviceTypes: ['30', '33'], serviceDate: '2025-09-05' });
      expect(summary.members[0]?.coverage.status).toBe('active');
      expect(summary.members[0]?.serviceTypes.find((s) => s.code === '33')?.coverage).toBe('not-covered');
    });
  });
});
