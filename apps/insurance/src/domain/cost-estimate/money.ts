/** Integer cents → "$1,234.56". */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, '0')}`;
}

/** Basis points → "20%" or "12.5%". */
export function formatBasisPoints(basisPoints: number): string {
  const whole = Math.floor(basisPoints / 100);
  const fraction = basisPoints % 100;
  if (fraction === 0) return `${whole}%`;
  return `${whole}.${String(fraction).padStart(2, '0').replace(/0$/, '')}%`;
}

/**
 * amount × basisPoints / 10000, rounded half up to the cent, in integer arithmetic. BigInt keeps it exact for any
 * amount a treatment episode can reach.
 */
export function applyBasisPoints(amountCents: number, basisPoints: number): number {
  const product = BigInt(amountCents) * BigInt(basisPoints);
  return Number((product + 5000n) / 10000n);
}

export function multiplyCents(cents: number, times: number): number {
  const product = cents * times;
  if (!Number.isSafeInteger(product)) throw new RangeError(`${cents} × ${times} cents is beyond exact integer range`);
  return product;
}
