import { z } from 'zod';
import { Address, IanaTimeZone } from '@iop/contracts';
import { ResponseId, nameSchemas } from '@iop/platform';
import type { Site } from '../domain/site';

export const RegisterSiteBody = z.strictObject({
  name: z.string().trim().min(1, 'give the site a name').max(120),
  address: Address,
  timeZone: IanaTimeZone,
  capacity: z.number().int('capacity must be a whole number of patients').min(0).max(10_000),
});
export type RegisterSiteBody = z.infer<typeof RegisterSiteBody>;

export const UpdateSiteBody = RegisterSiteBody.partial().refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type UpdateSiteBody = z.infer<typeof UpdateSiteBody>;

/* Responses */

export const SiteView = z.object({
  siteId: ResponseId,
  name: z.string(),
  address: z.object({
    line1: z.string(),
    line2: z.string().optional(),
    city: z.string(),
    state: z.string().describe('Two-letter state code'),
    postalCode: z.string(),
  }),
  timeZone: z.string().describe('IANA time zone the site keeps its calendar in, e.g. "America/New_York"'),
  capacity: z.number().int().min(0).describe('Patients the site can treat at once'),
  revision: z.number().int().min(1).describe('Increases with every change; other services keep the highest they have seen'),
}) satisfies z.ZodType<Site>;

export const SiteList = z.array(SiteView).describe('The sites the caller may see, by name');

nameSchemas({ Site: SiteView });
