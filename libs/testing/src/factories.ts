let counter = 0;

/** A site registration body, distinct on every call. */
export function aSiteRegistration(overrides: Partial<{ name: string; timeZone: string; capacity: number }> = {}) {
  counter += 1;
  return {
    name: overrides.name ?? `Test Site ${counter} ${Math.random().toString(36).slice(2, 7)}`,
    address: { line1: `${counter} Harbor Way`, city: 'Boston', state: 'MA', postalCode: '02110' },
    timeZone: overrides.timeZone ?? 'America/New_York',
    capacity: overrides.capacity ?? 30,
  };
}
