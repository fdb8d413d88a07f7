import { isSingleTransposition, jaroSimilarity, jaroWinklerSimilarity, optimalStringAlignmentDistance, soundex } from './string-similarity';

describe('string measures used for name matching', () => {
  // Worked examples from Winkler (1990) and the Jaro-Winkler literature.
  it.each([
    ['MARTHA', 'MARHTA', 0.944, 0.961],
    ['DWAYNE', 'DUANE', 0.822, 0.84],
    ['DIXON', 'DICKSONX', 0.767, 0.813],
  ])('scores %s / %s as Jaro %d and Jaro-Winkler %d', (a, b, jaro, jaroWinkler) => {
    expect(jaroSimilarity(a, b)).toBeCloseTo(jaro, 3);
    expect(jaroWinklerSimilarity(a, b)).toBeCloseTo(jaroWinkler, 3);
  });

  it('caps the shared-prefix boost at four characters', () => {
    // Jaro 0.9583; a five-character prefix must still only count as four: 0.9583 + 0.4 × 0.0417.
    expect(jaroWinklerSimilarity('JOHNSON', 'JOHNSTON')).toBeCloseTo(0.975, 3);
  });

  it('gives no prefix boost to strings that are not alike', () => {
    expect(jaroWinklerSimilarity('SMITH', 'SNEAD')).toBeCloseTo(jaroSimilarity('SMITH', 'SNEAD'), 10);
  });

  it('treats identical strings as 1 and a string against nothing as 0', () => {
    expect(jaroWinklerSimilarity('SMITH', 'SMITH')).toBe(1);
    expect(jaroWinklerSimilarity('SMITH', '')).toBe(0);
  });

  it('counts an adjacent swap as one edit', () => {
    expect(optimalStringAlignmentDistance('JONH', 'JOHN')).toBe(1);
    expect(optimalStringAlignmentDistance('KITTEN', 'SITTING')).toBe(3);
    expect(optimalStringAlignmentDistance('CA', 'ABC')).toBe(3);
    expect(optimalStringAlignmentDistance('', 'ABC')).toBe(3);
    expect(isSingleTransposition('JONH', 'JOHN')).toBe(true);
    expect(isSingleTransposition('JOHN', 'JOAN')).toBe(false);
  });

  // The US National Archives' published Soundex examples.
  it.each([
    ['Robert', 'R163'],
    ['Rupert', 'R163'],
    ['Ashcraft', 'A261'],
    ['Tymczak', 'T522'],
    ['Pfister', 'P236'],
    ['Lee', 'L000'],
    ['Smyth', 'S530'],
  ])('codes %s as %s in Soundex', (name, code) => {
    expect(soundex(name)).toBe(code);
  });
});
