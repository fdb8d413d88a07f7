import { countCell, ratioCell, shown, SUPPRESSED } from './small-cell-suppression';

describe('small-cell suppression', () => {
  it.each([1, 5, 10])('withholds a count of %i', (n) => {
    expect(countCell(n)).toEqual({ value: null, suppressed: true });
  });

  it.each([0, 11, 250])('shows a count of %i', (n) => {
    expect(countCell(n)).toEqual({ value: n, suppressed: false });
  });

  it('refuses a count that is not a whole number', () => {
    expect(() => countCell(-1)).toThrow(RangeError);
    expect(() => countCell(2.5)).toThrow(RangeError);
  });

  it('suppresses a rate computed from a suppressed count, on either side', () => {
    expect(ratioCell(SUPPRESSED, shown(40), 4)).toEqual(SUPPRESSED);
    expect(ratioCell(shown(40), SUPPRESSED, 4)).toEqual(SUPPRESSED);
  });

  it('rounds a shown rate, and gives 0 over a zero denominator', () => {
    expect(ratioCell(shown(2), shown(3), 4)).toEqual(shown(0.6667));
    expect(ratioCell(shown(0), shown(0), 4)).toEqual(shown(0));
  });
});
