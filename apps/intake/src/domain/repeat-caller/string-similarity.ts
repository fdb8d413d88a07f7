/*
 * String measures for matching names. Written here rather than taken from npm: see
 * docs/adr/0011-repeat-caller-matching.md. Each is checked in the spec against the worked examples published
 * with the algorithm (Winkler 1990 for Jaro-Winkler, Knuth / the US National Archives for Soundex).
 */

/** Jaro similarity in [0, 1]: shared characters within a window, penalised for transpositions. */
export function jaroSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const left = Array.from(a);
  const right = Array.from(b);
  if (left.length === 0 || right.length === 0) return 0;

  // Winkler's window: characters count as shared only if no further apart than half the longer string, less one.
  const window = Math.max(0, Math.floor(Math.max(left.length, right.length) / 2) - 1);
  const leftMatched = new Array<boolean>(left.length).fill(false);
  const rightMatched = new Array<boolean>(right.length).fill(false);
  let matches = 0;
  for (let i = 0; i < left.length; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(right.length - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (rightMatched[j] || left[i] !== right[j]) continue;
      leftMatched[i] = true;
      rightMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;

  let outOfOrder = 0;
  let k = 0;
  for (let i = 0; i < left.length; i++) {
    if (!leftMatched[i]) continue;
    while (!rightMatched[k]) k++;
    if (left[i] !== right[k]) outOfOrder++;
    k++;
  }
  const transpositions = outOfOrder / 2;
  return (matches / left.length + matches / right.length + (matches - transpositions) / matches) / 3;
}

/**
 * Jaro-Winkler similarity in [0, 1]. Typing errors are rarer at the start of a name, so a shared prefix (up to
 * four characters) raises the score; below Winkler's boost threshold of 0.7 the strings are too unlike for a
 * shared initial to mean anything, so no boost is given.
 */
export function jaroWinklerSimilarity(a: string, b: string): number {
  const jaro = jaroSimilarity(a, b);
  if (jaro < 0.7) return jaro;
  const left = Array.from(a);
  const right = Array.from(b);
  let prefix = 0;
  while (prefix < 4 && prefix < left.length && prefix < right.length && left[prefix] === right[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * Optimal string alignment distance (restricted Damerau-Levenshtein): insertions, deletions, substitutions and
 * swaps of two adjacent characters each cost one. Used to tell a coordinator "two letters are swapped".
 */
export function optimalStringAlignmentDistance(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  const rows = left.length + 1;
  const cols = right.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (__, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    const row = d[i];
    if (!row) continue;
    for (let j = 1; j < cols; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && left[i - 1] === right[j - 2] && left[i - 2] === right[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      row[j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/** True when the two strings differ only by one swap of adjacent letters ("Jonh" / "John"). */
export function isSingleTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const differing: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing.push(i);
  const [first, second] = differing;
  return differing.length === 2 && first !== undefined && second === first + 1 && a[first] === b[second] && a[second] === b[first];
}

const SOUNDEX_CODES: Readonly<Record<string, string>> = {
  B: '1',
  F: '1',
  P: '1',
  V: '1',
  C: '2',
  G: '2',
  J: '2',
  K: '2',
  Q: '2',
  S: '2',
  X: '2',
  Z: '2',
  D: '3',
  T: '3',
  L: '4',
  M: '5',
  N: '5',
  R: '6',
};

/**
 * American Soundex (the US census variant: H and W do not separate letters with the same code, vowels do).
 * Only ever shown as a supporting reason; it is too coarse to decide a match on (Smith and Snead share S530).
 */
export function soundex(name: string): string {
  const letters = name.toUpperCase().replace(/[^A-Z]/g, '');
  const first = letters.charAt(0);
  if (first === '') return '';
  let code = first;
  let previous = SOUNDEX_CODES[first] ?? '';
  for (const letter of letters.slice(1)) {
    if (code.length === 4) break;
    if (letter === 'H' || letter === 'W') continue;
    const digit = SOUNDEX_CODES[letter];
    if (digit === undefined) {
      previous = '';
      continue;
    }
    if (digit !== previous) code += digit;
    previous = digit;
  }
  return code.padEnd(4, '0');
}
