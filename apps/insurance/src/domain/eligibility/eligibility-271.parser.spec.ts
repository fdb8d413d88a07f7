import { listX12Fixtures, loadX12Fixture } from '../../../test/fixtures/x12/load-fixture';
import { parse271, parse271Batch, tryParse271 } from './eligibility-271.parser';
import { Benefit, EligibilityResponse, MemberEligibility } from './eligibility-response';
import { X12ParseError } from './x12-parse-error';
import { eb, synthetic271 } from './x12-271.factory';

function parseError(run: () => unknown): X12ParseError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof X12ParseError) return error;
    throw error;
  }
  throw new Error('expected an X12ParseError');
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (item === undefined) throw new Error('no item');
  return item;
}

function member(response: EligibilityResponse, index = 0): MemberEligibility {
  const found = response.members[index];
  if (found === undefined) throw new Error(`no member ${index}`);
  return found;
}

function benefitAt(response: EligibilityResponse, segmentText: string): Benefit {
  const text = loadX12Fixture('271-active-ppo-in-and-out-of-network.x12');
  const at = text.indexOf(segmentText);
  if (at === -1) throw new Error(`fixture has no ${segmentText}`);
  const before = text.slice(0, at);
  const segmentNumber = before.split('~').length;
  const found = response.members.flatMap((m) => m.benefits).find((b) => b.segmentNumber === segmentNumber);
  if (found === undefined) throw new Error(`no benefit at ${segmentText}`);
  return found;
}

describe('parse271', () => {
  const active = parse271(loadX12Fixture('271-active-ppo-in-and-out-of-network.x12'));

  it('reads the payer, the clinic and the echoed reference', () => {
    expect(active.informationSource).toMatchObject({ name: 'KESTREL HEALTH PLAN', idQualifier: 'PI', id: '87726' });
    expect(active.informationSource.contacts[0]).toMatchObject({ phone: '8005550142', url: 'WWW.KESTRELHEALTH.EXAMPLE' });
    expect(active.informationReceiver).toMatchObject({ name: 'HARBOR LIGHT RECOVERY CENTER', idQualifier: 'XX', id: '1234567893' });
    expect(active.reference).toBe('IOP-VOB-000123');
    expect(active.createdOn).toBe('2026-11-20');
    expect(active.transactionControlNumber).toBe('0001');
  });

  it('reads the subscriber, the traces that tie the answer to our inquiry, the group and the plan dates', () => {
    const subscriber = member(active);
    expect(subscriber).toMatchObject({
      role: 'subscriber',
      memberId: 'KHP900112233',
      lastName: 'QUILL',
      firstName: 'AVERY',
      birthDate: '1989-03-14',
      gender: 'F',
      relationship: '18',
    });
    expect(subscriber.traces.map((t) => [t.type, t.reference])).toEqual([
      ['2', 'IOP-TRACE-000123'],
      ['1', 'KHP-778812'],
    ]);
    expect(subscriber.references).toContainEqual({ qualifier: '6P', value: 'GRP4410', description: 'ACME LOGISTICS EMPLOYEE PLAN' });
    expect(subscriber.dates).toEqual([
      { qualifier: '346', format: 'D8', start: '2026-01-01', end: '2026-01-01' },
      { qualifier: '347', format: 'D8', start: '2026-12-31', end: '2026-12-31' },
    ]);
  });

  it('reads money as integer cents and coinsurance as basis points', () => {
    const oopRemaining = benefitAt(active, 'EB*G*IND*30***29*3850.50');
    expect(oopRemaining).toMatchObject({ kind: 'G', coverageLevel: 'IND', timePeriod: '29', amountCents: 385050, network: 'in-network' });
    const coinsurance = benefitAt(active, 'EB*A*IND*MH^CF^A8*****.2');
    expect(coinsurance).toMatchObject({ percentBasisPoints: 2000, authorization: 'not-required', network: 'in-network' });
    expect(coinsurance.serviceTypes).toEqual(['MH', 'CF', 'A8']);
  });

  it('keeps each payer message with the benefit it follows', () => {
    const copay = benefitAt(active, 'EB*B*IND*A8***27*35');
    expect(copay.messages).toEqual(['COPAY APPLIES TO OFFICE VISITS ONLY']);
    const outOfNetwork = benefitAt(active, 'EB*A*IND*MH^CF^A8*****.4');
    expect(outOfNetwork.messages).toEqual(['OUT OF NETWORK MENTAL HEALTH SERVICES REQUIRE PRIOR AUTHORIZATION']);
  });

  it('keeps HSD delivery patterns, benefit dates and the billed procedure with their benefit', () => {
    const limit = benefitAt(active, 'EB*F*IND*CH***29');
    expect(limit.quantity).toEqual({ qualifier: 'VS', value: 20 });
    expect(limit.delivery).toEqual([
      { quantity: { qualifier: 'DY', value: 3 }, unit: undefined, sampleSelectionModulus: undefined, period: '35', periodCount: 1 },
    ]);
    const deductible = benefitAt(active, 'EB*C*IND*30***23*1500');
    expect(deductible.dates).toEqual([{ qualifier: '292', format: 'RD8', start: '2026-01-01', end: '2026-12-31' }]);
    expect(benefitAt(active, 'EB*B*IND*CH***7*25').procedure).toEqual({ qualifier: 'HC', code: 'H0015', modifiers: [] });
  });

  it('reads an LS/LE 2120 loop into the benefit it belongs to, and continues with the next EB', () => {
    const substanceUse = benefitAt(active, 'EB*A*IND*AI^CH*****.1');
    expect(substanceUse.relatedEntities).toEqual([
      expect.objectContaining({ entityCode: '1P', name: 'HARBOR LIGHT RECOVERY CENTER', idQualifier: 'XX', id: '1234567893' }),
    ]);
    expect(benefitAt(active, 'EB*A*IND*AI^CH*****.5').relatedEntities).toEqual([]);
  });

  it('reads EB12 W as applying in and out of network, and no EB12 as unknown', () => {
    expect(benefitAt(active, 'EB*F*IND*MH***23').network).toBe('both');
    expect(benefitAt(active, 'EB*1**MH^AI').network).toBe('unknown');
  });

  it('parses the | { ^ ~ file to the same response as the * ^ : ~ file', () => {
    const unusual = parse271(loadX12Fixture('271-unusual-delimiters.x12'));
    expect({ ...unusual, interchangeControlNumber: '', groupControlNumber: '' }).toEqual({
      ...active,
      interchangeControlNumber: '',
      groupControlNumber: '',
    });
  });

  it('reads a dependent under the subscriber, with the relationship', () => {
    const response = parse271(loadX12Fixture('271-dependent-adolescent.x12'));
    expect(response.members.map((m) => [m.role, m.hierarchyId, m.parentHierarchyId, m.firstName])).toEqual([
      ['subscriber', '3', undefined, 'DANA'],
      ['dependent', '4', '3', 'SKYLER'],
    ]);
    expect(member(response, 1)).toMatchObject({ relationship: '19', birthDate: '2009-08-17', memberId: 'KHP900778899' });
    expect(member(response, 1).benefits.length).toBeGreaterThan(0);
  });

  it('reads two subscribers in one transaction separately', () => {
    const response = parse271(loadX12Fixture('271-two-subscribers.x12'));
    expect(response.members.map((m) => [m.memberId, m.benefits.map((b) => b.kind)])).toEqual([
      ['KHP900121212', ['1', 'A', 'C']],
      ['KHP900343434', ['6']],
    ]);
  });

  it('turns an AAA in the subscriber loop into a rejection the coordinator can act on', () => {
    const response = parse271(loadX12Fixture('271-rejected-72-invalid-member-id.x12'));
    expect(only(member(response).rejections)).toEqual({
      loop: '2100C',
      validRequest: false,
      reasonCode: '72',
      reasonLabel: 'Invalid/missing subscriber/insured ID',
      coordinatorMessage: 'member id not recognised by the payer: check the insurance card and re-enter the member id',
      followUpAction: 'C',
      followUpLabel: 'correct the request and resend',
      segmentNumber: 13,
    });
  });

  it('reads a payer that could not answer (AAA 42 at 2100A) even though nothing follows', () => {
    const response = parse271(loadX12Fixture('271-rejected-42-payer-unavailable.x12'));
    expect(response.members).toEqual([]);
    expect(only(response.informationSource.rejections)).toMatchObject({
      loop: '2100A',
      reasonCode: '42',
      coordinatorMessage: 'payer system unavailable: retry later or verify by phone',
      followUpAction: 'R',
    });
  });

  it('reads AAA in a benefit loop (2110C) into that benefit', () => {
    const text = synthetic271({ members: [{ segments: [eb('1', 'IND', 'MH'), ['AAA', 'N', '', '57', 'C']] }] });
    expect(only(only(parse271(text).members).benefits).rejections[0]).toMatchObject({ loop: '2110C', reasonCode: '57' });
  });

  it('keeps an AAA reason outside the list with a generic message instead of failing', () => {
    const text = synthetic271({ members: [{ segments: [['AAA', 'N', '', 'ZQ', 'C']] }] });
    expect(only(only(parse271(text).members).rejections)).toMatchObject({
      reasonCode: 'ZQ',
      coordinatorMessage: 'the payer rejected the inquiry with code ZQ: verify by phone',
    });
  });

  it('reads every transaction set of a batch, and refuses a batch where one answer is expected', () => {
    const one = synthetic271({ controlNumber: 5 });
    const stStart = one.indexOf('ST*');
    const seEnd = one.indexOf('GE*');
    const set = one.slice(stStart, seEnd);
    const batch = one.replace('GE*1*5~', 'GE*2*5~').replace(set, set + set.replaceAll('0005', '0006'));
    expect(parse271Batch(batch).map((r) => r.transactionControlNumber)).toEqual(['0005', '0006']);
    expect(parseError(() => parse271(batch)).message).toContain('starts a second transaction set');
  });
});

describe('parse271 refuses malformed responses with the segment, its number and the element', () => {
  it('an amount that is not money', () => {
    const error = parseError(() => parse271(loadX12Fixture('malformed-bad-amount.x12')));
    expect(String(error)).toBe('X12ParseError: segment 38 (EB): element EB07 "12x.00" is not a monetary amount');
    expect(error).toMatchObject({ code: 'invalid-amount', segmentNumber: 38, segmentId: 'EB', element: 'EB07', retriable: false });
    expect(error.byteOffset).toBe(loadX12Fixture('malformed-bad-amount.x12').indexOf('EB*B*IND*A8'));
  });

  it('a date that is not on the calendar', () => {
    expect(String(parseError(() => parse271(loadX12Fixture('malformed-bad-date.x12'))))).toBe(
      'X12ParseError: segment 21 (DTP): element DTP03 "20261331" is not a date (CCYYMMDD)',
    );
  });

  it('a segment of the 271 where the benefit loop does not allow it', () => {
    const text = synthetic271({ members: [{ segments: [eb('1', 'IND', 'MH'), ['TRN', '1', 'T1', '1999999999']] }] });
    const error = parseError(() => parse271(text));
    expect(error.code).toBe('unexpected-segment');
    expect(error.message).toBe('segment 12 (TRN): is not allowed in loop 2110C, which expects one of HSD, REF, DTP, AAA, MSG, III, LS, EB, HL');
  });

  it('an LS*2120 that no LE closes', () => {
    const error = parseError(() => parse271(loadX12Fixture('malformed-ls-without-le.x12')));
    expect(error.message).toBe('segment 44 (LS): opens loop 2120C, but EB at segment 46 comes before the LE*2120 that must close it');
  });

  it('an EB where the subscriber loop expects its NM1', () => {
    const text = synthetic271({ members: [{}] }).replace(/NM1\*IL[^~]*~/, 'EB*1~');
    expect(parseError(() => parse271(text)).message).toBe('segment 10 (EB): is not allowed in loop 2000C, which expects one of TRN, NM1');
  });

  it('a percentage written as a whole number', () => {
    const text = synthetic271({ members: [{ segments: [eb('A', 'IND', 'MH', '', '', '', '', '20')] }] });
    expect(parseError(() => parse271(text)).message).toMatch(/element EB08 "20" is not a percentage written as a decimal from 0 to 1$/);
  });

  it('an HL whose parent is not the level above', () => {
    const text = synthetic271().replace('HL*3*2*22*0', 'HL*3*1*22*0');
    expect(parseError(() => parse271(text)).message).toBe(
      'segment 9 (HL): element HL02 "1" names a information-source level, but a subscriber level belongs under a information-receiver',
    );
  });

  it('a transaction set that is not a 271', () => {
    const text = synthetic271().replace('ST*271*', 'ST*270*');
    expect(parseError(() => parse271(text)).message).toBe('segment 3 (ST): element ST01 "270" is not a 271 eligibility response');
  });

  it('as a value from tryParse271, for callers that report rather than throw', () => {
    const result = tryParse271(loadX12Fixture('malformed-bad-amount.x12'));
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.error.element).toBe('EB07');
  });

  // Envelope slips (counts, control numbers, an unpadded ISA, no IEA) are read with warnings since issue 13;
  // these malformed fixtures keep what cannot be read.
  const READ_WITH_WARNINGS = [
    'malformed-ge-control-mismatch.x12',
    'malformed-isa-sender-not-padded.x12',
    'malformed-missing-iea.x12',
    'malformed-se-count.x12',
  ];

  it.each(listX12Fixtures('malformed-').filter((name) => !READ_WITH_WARNINGS.includes(name)))('%s', (name) => {
    expect(tryParse271(loadX12Fixture(name)).ok).toBe(false);
  });

  it.each(READ_WITH_WARNINGS)('%s is read, with its deviation as a warning', (name) => {
    const result = tryParse271(loadX12Fixture(name));
    expect(result.ok && result.value.warnings.length).toBe(1);
  });

  it.each(listX12Fixtures('271-'))('and parses every valid fixture: %s', (name) => {
    expect(tryParse271(loadX12Fixture(name)).ok).toBe(true);
  });
});
