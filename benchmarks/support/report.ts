import type { LatencySummary } from './stats';

/** Left-aligns the first column and right-aligns the others, which are numbers. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < 10 ? value.toFixed(1) : num(value);
}

export function ratio(a: number, b: number): string {
  const r = a / b;
  if (!Number.isFinite(r)) return 'n/a';
  return r < 0.1 ? r.toFixed(3) : r.toFixed(2);
}

export function latencyCells(l: LatencySummary): string[] {
  return [ms(l.p50Ms), ms(l.p95Ms), ms(l.p99Ms), ms(l.maxMs)];
}
