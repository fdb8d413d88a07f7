import { z } from 'zod';
import { DateTime } from 'luxon';

/** Identifiers are UUIDs everywhere; events carry them instead of names (no PHI in events). */
export const Id = z.uuid({ message: 'must be a UUID' });

export const IanaTimeZone = z
  .string()
  .refine((zone) => DateTime.local().setZone(zone).isValid, { message: 'must be an IANA time zone such as "America/New_York"' });

export const UsState = z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter state code such as "MA"');

export const Address = z.strictObject({
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  state: UsState,
  postalCode: z.string().regex(/^\d{5}(-\d{4})?$/, 'must be a ZIP code such as "02139" or "02139-4307"'),
});
export type Address = z.infer<typeof Address>;
