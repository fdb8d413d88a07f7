import { z } from 'zod';
import { Address, IanaTimeZone } from '@iop/contracts';

export const RegisterSiteBody = z.strictObject({
  name: z.string().trim().min(1, 'give the site a name').max(120),
  address: Address,
  timeZone: IanaTimeZone,
  capacity: z.number().int('capacity must be a whole number of patients').min(0).max(10_000),
});
export type RegisterSiteBody = z.infer<typeof RegisterSiteBody>;

export const UpdateSiteBody = RegisterSiteBody.partial().refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type UpdateSiteBody = z.infer<typeof UpdateSiteBody>;
