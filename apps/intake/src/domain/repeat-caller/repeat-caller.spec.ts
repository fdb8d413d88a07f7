import {
  LIKELY_REPEAT_THRESHOLD,
  compareCallers,
  findRepeatCallers,
  type CallerDetails,
  type KnownCaller,
  type MatchSignal,
  type RepeatCallerMatch,
} from './repeat-caller';
import { normalisePhone, parseDateOfBirth } from './caller-details';

function caller(overrides: Partial<CallerDetails> = {}): CallerDetails {
  return {
    givenName: 'John',
    familyName: 'Smith',
    dateOfBirth: '1988-07-14',
    phone: '(617) 555-0142',
    ...overrides,
  };
}

function reason(match: RepeatCallerMatch, signal: MatchSignal): string {
  return match.reasons.find((r) => r.signal === signal)?.text ?? '';
}

describe('repeat caller recognition', () => {
  it('recognises Jon Smyth as a repeat of John Smith with the same DOB and phone', () => {
    const match = compareCallers(caller({ givenName: 'Jon', familyName: 'Smyth', phone: '+1 617 555 0142' }), caller());
    expect(match.verdict).toBe('likely-repeat');
    expect(match.score).toBeGreaterThanOrEqual(LIKELY_REPEAT_THRESHOLD);
    expect(reason(match, 'date-of-birth')).toBe('Same date of birth');
    expect(reason(match, 'phone')).toBe('Same phone number (formatting ignored)');
    expect(reason(match, 'given-name')).toBe('Given name "Jon" ≈ "John": a known short form of the same name');
    expect(reason(match, 'family-name')).toContain('Family name "Smyth" ≈ "Smith": one letter different');
    expect(reason(match, 'family-name')).toContain('they sound alike');
  });

  it('scores an identical caller 100', () => {
    expect(compareCallers(caller(), caller())).toMatchObject({ score: 100, verdict: 'likely-repeat' });
  });

  it('tolerates two swapped letters in a name', () => {
    const match = compareCallers(caller({ familyName: 'Simth' }), caller());
    expect(match.verdict).toBe('likely-repeat');
    expect(reason(match, 'family-name')).toContain('two letters swapped');
  });

  it('treats a missing hyphen, a space or an accent as the same name', () => {
    const known = caller({ givenName: 'Mary-Jane', familyName: "O'Brien-García" });
    const match = compareCallers(caller({ givenName: 'Maryjane', familyName: 'OBrien Garcia' }), known);
    expect(match.score).toBe(100);
    expect(reason(match, 'family-name')).toContain('same apart from spacing, hyphens, accents or capitals');
  });

  it('recognises a double-barrelled family name given in part', () => {
    const match = compareCallers(caller({ familyName: 'Lopez' }), caller({ familyName: 'Garcia-Lopez' }));
    expect(match.verdict).toBe('likely-repeat');
    expect(reason(match, 'family-name')).toContain('double-barrelled');
  });

  it('recognises Bob as Robert', () => {
    const match = compareCallers(caller({ givenName: 'Bob' }), caller({ givenName: 'Robert' }));
    expect(match.verdict).toBe('likely-repeat');
  });

  it('notices given and family names typed into each other’s fields', () => {
    const match = compareCallers(caller({ givenName: 'Smith', familyName: 'John' }), caller());
    expect(match.verdict).toBe('likely-repeat');
    expect(reason(match, 'name-order')).toContain('swapped');
  });

  it('asks for a check, not a link, when twins share a birthday, phone and surname', () => {
    const match = compareCallers(caller({ givenName: 'James' }), caller());
    expect(match.verdict).toBe('possible-repeat');
    expect(match.score).toBe(80);
    expect(reason(match, 'given-name')).toContain('Given name "James" vs "John": different');
  });

  it('does not take John and Joan for the same given name', () => {
    expect(compareCallers(caller({ givenName: 'Joan' }), caller()).verdict).toBe('possible-repeat');
  });

  it('flags a possible repeat when the caller has a new phone number', () => {
    const match = compareCallers(caller({ phone: '617-555-9999' }), caller());
    expect(match).toMatchObject({ verdict: 'possible-repeat', score: 75 });
    expect(reason(match, 'phone')).toBe('Different phone number');
  });

  it('flags a possible repeat when day and month of birth are swapped', () => {
    const match = compareCallers(caller({ dateOfBirth: '1988-07-04' }), caller({ dateOfBirth: '1988-04-07' }));
    expect(match.verdict).toBe('possible-repeat');
    expect(reason(match, 'date-of-birth')).toContain('day and month swapped');
  });

  it('does not match a different person who calls from the same household phone', () => {
    const match = compareCallers(caller({ givenName: 'Linda', familyName: 'Smith', dateOfBirth: '1961-02-01' }), caller());
    expect(match.verdict).toBe('different-person');
  });

  it('says when a date of birth or phone is missing instead of guessing', () => {
    const { dateOfBirth: _notGiven, ...withoutDateOfBirth } = caller({ phone: 'unknown' });
    const match = compareCallers(withoutDateOfBirth, caller());
    expect(reason(match, 'date-of-birth')).toBe('Date of birth missing or unreadable on one record');
    expect(reason(match, 'phone')).toBe('Phone number missing or unreadable on one record');
    expect(match.verdict).toBe('different-person');
  });

  it('lists possible repeats best first and leaves out people who do not match', () => {
    const known: KnownCaller[] = [
      { id: 'new-phone', ...caller({ phone: '617-555-9999' }) },
      { id: 'stranger', ...caller({ givenName: 'Ana', familyName: 'Ruiz', dateOfBirth: '1970-01-01', phone: '508-555-0100' }) },
      { id: 'same', ...caller({ givenName: 'Jon', familyName: 'Smyth' }) },
    ];
    expect(findRepeatCallers(caller(), known).map((m) => [m.knownCallerId, m.verdict])).toEqual([
      ['same', 'likely-repeat'],
      ['new-phone', 'possible-repeat'],
    ]);
  });
});

describe('normalising caller details', () => {
  it.each([
    ['(617) 555-0142', '6175550142'],
    ['+1 617 555 0142', '6175550142'],
    ['1-617-555-0142', '6175550142'],
    ['617.555.0142 ext. 12', '6175550142'],
    ['617-555-0142 x12', '6175550142'],
    ['+44 20 7946 0958', '+442079460958'],
    ['555-0142', undefined],
    ['', undefined],
  ])('reads phone %s as %s', (raw, expected) => {
    expect(normalisePhone(raw)).toBe(expected);
  });

  it('reads dates of birth as calendar dates and refuses impossible ones', () => {
    expect(parseDateOfBirth('1988-07-14')).toEqual({ year: 1988, month: 7, day: 14 });
    expect(parseDateOfBirth('1988-02-30')).toBeUndefined();
    expect(parseDateOfBirth('07/14/1988')).toBeUndefined();
  });
});
