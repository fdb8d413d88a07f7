import { loadX12Fixture } from '../../../test/fixtures/x12/load-fixture';
import { summariseBenefits } from './benefit-summary';
import { CarveOutFinding, detectCarveOuts, formatPhone } from './carve-out';
import { parse271 } from './eligibility-271.parser';
import { eb, synthetic271 } from './x12-271.factory';
import { SegmentSpec } from './x12-writer';

function carveOutsIn(segments: SegmentSpec[], payerName = 'TALLGRASS BLUE PPO'): CarveOutFinding[] {
  return detectCarveOuts(parse271(synthetic271({ payerName, payerId: '55123', members: [{ segments }] })));
}

function entityLoop(...segments: SegmentSpec[]): SegmentSpec[] {
  return [['LS', '2120'], ...segments, ['LE', '2120']];
}

describe('detectCarveOuts', () => {
  it('names Magellan when the payer says to contact it for behavioural health (EB01 U)', () => {
    const [finding, ...others] = detectCarveOuts(parse271(loadX12Fixture('271-carve-out-magellan.x12')));
    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      evidence: 'contact-entity',
      serviceTypes: ['MH', 'AI', 'CF', 'CH'],
      entity: { entityCode: 'PR', name: 'MAGELLAN HEALTHCARE', idQualifier: 'PI', id: '01260', phone: '800-555-0199' },
    });
    expect(finding?.message).toBe(
      'Mental health (MH), Substance abuse (AI), Mental health provider - outpatient (CF), Substance abuse facility - outpatient (CH) ' +
        'benefits appear to be managed by MAGELLAN HEALTHCARE (phone 800-555-0199), not TALLGRASS BLUE PPO: verify eligibility, ' +
        "benefits and authorisation with MAGELLAN HEALTHCARE before admission; TALLGRASS BLUE PPO's figures for these services may not apply",
    );
  });

  it('names a managed behavioural health organisation listed beside an active benefit (NM1*Y2)', () => {
    const findings = detectCarveOuts(parse271(loadX12Fixture('271-carve-out-beacon-managed-care.x12')));
    expect(findings).toEqual([
      expect.objectContaining({
        evidence: 'related-entity',
        serviceTypes: ['MH', 'AI'],
        entity: expect.objectContaining({ name: 'BEACON HEALTH OPTIONS', phone: '888-555-0123', url: 'WWW.BEACON.EXAMPLE' }),
      }),
    ]);
  });

  it('shows the carve-out on the member and on the coordinator summary', () => {
    const summary = summariseBenefits(parse271(loadX12Fixture('271-carve-out-magellan.x12')), {
      serviceTypes: ['MH'],
      serviceDate: '2026-12-01',
    });
    expect(summary.carveOuts).toHaveLength(1);
    expect(summary.members[0]?.carveOuts.map((c) => c.entity?.name)).toEqual(['MAGELLAN HEALTHCARE']);
  });

  it('recognises a behavioural health company by name even with an unusual entity code', () => {
    const findings = carveOutsIn([eb('1', 'IND', 'AI'), ...entityLoop(['NM1', 'P5', '2', 'OPTUM BEHAVIORAL HEALTH'])]);
    expect(findings.map((f) => f.entity?.name)).toEqual(['OPTUM BEHAVIORAL HEALTH']);
  });

  it('is not fooled by the payer naming itself in the 2120 loop', () => {
    const findings = carveOutsIn([eb('1', 'IND', 'MH'), ...entityLoop(['NM1', 'PR', '2', 'TALLGRASS BLUE PPO', '', '', '', '', 'PI', '55123'])]);
    expect(findings).toEqual([]);
  });

  it('is not fooled by a provider whose name says behavioral health', () => {
    const findings = carveOutsIn([
      eb('1', 'IND', 'MH'),
      ...entityLoop(['NM1', '1P', '2', 'SUNRISE BEHAVIORAL HEALTH CLINIC', '', '', '', '', 'XX', '1234567893']),
    ]);
    expect(findings).toEqual([]);
  });

  it('does not flag another entity beside a medical (non-behavioural) benefit', () => {
    expect(carveOutsIn([eb('1', 'IND', '98'), ...entityLoop(['NM1', 'Y2', '2', 'SOME MEDICAL GROUP'])])).toEqual([]);
  });

  it('asks the coordinator to call the payer when EB01 U names nobody', () => {
    const [finding] = carveOutsIn([eb('U', '', 'CH')]);
    expect(finding).toMatchObject({ evidence: 'contact-entity', entity: undefined, serviceTypes: ['CH'] });
    expect(finding?.message).toMatch(
      /^TALLGRASS BLUE PPO says another company handles Substance abuse facility - outpatient \(CH\) benefits but does not name it/,
    );
  });

  it('picks up a carve-out written only in a payer message', () => {
    const [finding] = carveOutsIn([eb('1', 'IND', 'MH'), ['MSG', 'MENTAL HEALTH BENEFITS ADMINISTERED BY CARELON BEHAVIORAL HEALTH']]);
    expect(finding).toMatchObject({ evidence: 'message', entity: undefined });
    expect(finding?.message).toContain('ADMINISTERED BY CARELON BEHAVIORAL HEALTH');
  });

  it('merges the same company named for several behavioural benefits into one finding', () => {
    const magellan: SegmentSpec = ['NM1', 'Y2', '2', 'MAGELLAN HEALTHCARE', '', '', '', '', 'PI', '01260'];
    const findings = carveOutsIn([eb('1', 'IND', 'MH'), ...entityLoop(magellan), eb('1', 'IND', 'AI'), ...entityLoop(magellan)]);
    expect(findings.map((f) => f.serviceTypes)).toEqual([['MH', 'AI']]);
  });
});

describe('formatPhone', () => {
  it.each([
    ['8005550199', '800-555-0199'],
    ['18005550199', '800-555-0199'],
    ['5550199', '5550199'],
  ])('%s → %s', (raw, shown) => {
    expect(formatPhone(raw)).toBe(shown);
  });
});
