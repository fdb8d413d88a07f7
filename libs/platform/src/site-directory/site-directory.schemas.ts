import { z } from 'zod';
import { ResponseId, ResponseInstant, nameSchemas } from '../response-fields';
import type { SiteDirectoryEntry } from './site-directory.entity';

/** A site as this service knows it from scheduling's site events (never the address: no service but scheduling needs it). */
export const SiteDirectoryView = z.object({
  siteId: ResponseId,
  name: z.string(),
  timeZone: z.string().describe('IANA time zone the site keeps its calendar in, e.g. "America/New_York"'),
  capacity: z.number().int().min(0).describe('Patients the site can treat at once'),
  revision: z.number().int().min(1).describe("The revision of scheduling's site record this copy reflects; higher is newer"),
  updatedAt: ResponseInstant.describe('When scheduling last changed the site'),
}) satisfies z.ZodType<Omit<SiteDirectoryEntry, 'updatedAt'> & { updatedAt: string }>;

export const SiteDirectoryList = z.array(SiteDirectoryView).describe('Sites known to this service that the caller may see, by name');

nameSchemas({ SiteDirectoryEntry: SiteDirectoryView });
