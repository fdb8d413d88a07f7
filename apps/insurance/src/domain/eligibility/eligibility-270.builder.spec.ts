import { build270, EligibilityInquiryInput, isValidNpi } from './eligibility-270.builder';
import { parse270 } from './eligibility-270.parser';
import { readInterchange } from './x12-envelope';
import { X12BuildError } from './x12-parse-error';
import { tokenize } from './x12-tokenizer';

function inquiry(overrides: Partial<EligibilityInquiryInput> = {}): EligibilityInquiryInput {
  return {
    sender: { id: 'HARBORLIGHT' },
    receiver: { id: 'KESTRELHP' },
    controlNumbers: { interchange: 4021, group: 77, transaction: '0001' },
    createdAt: { date: '2026-11-20', time: '09:05' },
    reference: 'IOP-VOB-000123',
    informationSource: { payerName: 'KESTREL HEALTH PLAN', payerId: '87726' },
    informationReceiver: { npi: '1234567893', name: 'HARBOR LIGHT RECOVERY CENTER' },
    subscriber: { memberId: 'KHP900112233', firstName: 'AVERY', lastName: 'QUILL', birthDate: '1989-03-14', gender: 'F' },
    trace: { number: 'IOP-TRACE-000123', originatorId: '9877665544' },
    serviceDate: '2026-12-01',
    ...overrides,
  };
}

function buildError(run: () => unknown): X12BuildError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof X12BuildError) return error;
    throw error;
  }
  throw new Error('expected an X12BuildError');
}

describe('build270', () => {
  it('writes a 106-character ISA with fixed-width fields padded', () => {
    const text = build270(inquiry());
    const isa = text.slice(0, text.indexOf('~') + 1);
    expect(isa).toHaveLength(106);
    expect(isa).toBe('ISA*00*          *00*          *ZZ*HARBORLIGHT    *ZZ*KESTRELHP      *261120*0905*^*00501*000004021*0*P*:~');
  });

  it('writes the HL tree payer → clinic → subscriber, with one EQ per IOP service type by default', () => {
    const ids = tokenize(build270(inquiry())).segments.map((s) => s.elements.slice(0, 3).join('*'));
    expect(ids).toEqual([
      'ISA*00*          ',
      'GS*HS*HARBORLIGHT',
      'ST*270*0001',
      'BHT*0022*13',
      'HL*1*',
      'NM1*PR*2',
      'HL*2*1',
      'NM1*1P*2',
      'HL*3*2',
      'TRN*1*IOP-TRACE-000123',
      'NM1*IL*1',
      'DMG*D8*19890314',
      'DTP*291*D8',
      'EQ*30',
      'EQ*MH',
      'EQ*AI',
      'EQ*A8',
      'EQ*CF',
      'EQ*CH',
      'SE*18*0001',
      'GE*1*77',
      'IEA*1*000004021',
    ]);
  });

  it('closes the envelope with counts and control numbers that our own reader accepts', () => {
    const interchange = readInterchange(build270(inquiry()));
    expect(interchange.header.controlNumber).toBe('000004021');
    expect(interchange.groups[0]?.controlNumber).toBe('77');
    expect(interchange.groups[0]?.transactions[0]?.body).toHaveLength(16); // SE01 18 = ST + 16 + SE
  });

  it('parses back to what was asked (round trip)', () => {
    const input = inquiry({ serviceTypes: ['30', 'MH', 'AI', 'AK'] });
    expect(parse270(build270(input))).toEqual({
      ...input,
      sender: { qualifier: 'ZZ', id: 'HARBORLIGHT', applicationCode: 'HARBORLIGHT' },
      receiver: { qualifier: 'ZZ', id: 'KESTRELHP', applicationCode: 'KESTRELHP' },
      usage: 'production',
      warnings: [],
    });
  });

  it('asks for a dependent patient in the 2000D loop, moving the trace, date and service types there', () => {
    const input = inquiry({
      dependent: { firstName: 'SKYLER', lastName: 'FENWICK', birthDate: '2009-08-17', gender: 'M', relationship: 'child' },
      serviceDate: { start: '2026-12-01', end: '2026-12-31' },
    });
    const text = build270(input);
    expect(text).toContain('HL*3*2*22*1~NM1*IL*1*QUILL*AVERY****MI*KHP900112233~DMG*D8*19890314*F~HL*4*3*23*0~');
    expect(text).toContain('HL*4*3*23*0~TRN*1*IOP-TRACE-000123*9877665544~NM1*03*1*FENWICK*SKYLER~');
    expect(text).toContain('INS*N*19~DTP*291*RD8*20261201-20261231~EQ*30~');
    expect(parse270(text)).toEqual({
      ...input,
      sender: { qualifier: 'ZZ', id: 'HARBORLIGHT', applicationCode: 'HARBORLIGHT' },
      receiver: { qualifier: 'ZZ', id: 'KESTRELHP', applicationCode: 'KESTRELHP' },
      usage: 'production',
      serviceTypes: ['30', 'MH', 'AI', 'A8', 'CF', 'CH'],
      warnings: [],
    });
  });

  it('round-trips with other delimiters and a newline after each segment', () => {
    const input = inquiry({ format: { delimiters: { element: '|', repetition: '{', component: '^', segment: '~' }, lineEnding: '\r\n' } });
    const text = build270(input);
    expect(text.startsWith('ISA|00|')).toBe(true);
    expect(text.split('\r\n')[0]).toHaveLength(106);
    const { format: _format, ...rest } = input;
    expect(parse270(text)).toMatchObject({ ...rest, serviceTypes: ['30', 'MH', 'AI', 'A8', 'CF', 'CH'] });
    // The CR/LF we chose to write is formatting, and the reader says so as it would of a payer's.
    expect(parse270(text).warnings.map((w) => w.code)).toEqual(['crlf-line-ends']);
  });

  it('sends the group number from the card as REF*6P and reads it back', () => {
    const input = inquiry({
      subscriber: { memberId: 'KHP900112233', firstName: 'AVERY', lastName: 'QUILL', birthDate: '1989-03-14', groupNumber: 'GRP4410' },
    });
    const text = build270(input);
    expect(text).toContain('NM1*IL*1*QUILL*AVERY****MI*KHP900112233~REF*6P*GRP4410~DMG*D8*19890314~');
    expect(parse270(text).subscriber).toEqual(input.subscriber);
  });

  it('leaves out the gender element when it is not known', () => {
    const text = build270(inquiry({ subscriber: { memberId: 'KHP1', firstName: 'A', lastName: 'B', birthDate: '1990-01-01' } }));
    expect(text).toContain('DMG*D8*19900101~');
  });

  it('refuses an NPI whose check digit is wrong', () => {
    const error = buildError(() => build270(inquiry({ informationReceiver: { npi: '1234567890', name: 'X' } })));
    expect(error.field).toBe('informationReceiver.npi');
  });

  it('refuses a name containing a delimiter, which would shift every element after it', () => {
    const error = buildError(() => build270(inquiry({ subscriber: { memberId: 'KHP1', firstName: 'A*B', lastName: 'C', birthDate: '1990-01-01' } })));
    expect(error.message).toBe('NM104: "A*B" contains the delimiter "*"');
  });

  it('refuses a sender id too long for ISA06', () => {
    expect(buildError(() => build270(inquiry({ sender: { id: 'A-VERY-LONG-SENDER-ID' } }))).field).toBe('sender.id');
  });

  it('refuses an impossible birth date', () => {
    const error = buildError(() => build270(inquiry({ subscriber: { memberId: 'KHP1', firstName: 'A', lastName: 'B', birthDate: '1990-02-30' } })));
    expect(error.field).toBe('subscriber.birthDate');
  });

  it('refuses control numbers out of range', () => {
    expect(buildError(() => build270(inquiry({ controlNumbers: { interchange: 0, group: 1, transaction: '0001' } }))).field).toBe('controlNumbers.interchange');
    expect(buildError(() => build270(inquiry({ controlNumbers: { interchange: 1, group: 1, transaction: '1' } }))).field).toBe('controlNumbers.transaction');
  });
});

describe('isValidNpi', () => {
  it.each([
    ['1234567893', true],
    ['1234567890', false],
    ['123456789', false],
  ])('%s → %s', (npi, valid) => {
    expect(isValidNpi(npi)).toBe(valid);
  });
});
