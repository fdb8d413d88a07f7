import { z } from 'zod';
import { Address, IanaTimeZone, Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';

/** A clinic's public details; not PHI. `revision` lets directories ignore stale updates. */
const SiteDetails = z.object({
  siteId: Id,
  name: z.string().min(1).max(120),
  address: Address,
  timeZone: IanaTimeZone,
  capacity: z.number().int().min(0).max(10_000),
  revision: z.number().int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
});

export const SiteRegistered = defineEvent({
  type: 'scheduling.site-registered',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingSites.name,
  schema: SiteDetails,
  key: (p) => p.siteId,
  site: (p) => p.siteId,
  description: 'A network admin registered a clinic site: its name, address, IANA time zone and patient capacity.',
});

export const SiteUpdated = defineEvent({
  type: 'scheduling.site-updated',
  version: 1,
  producer: 'scheduling',
  topic: TOPICS.schedulingSites.name,
  schema: SiteDetails,
  key: (p) => p.siteId,
  site: (p) => p.siteId,
  description: "A site's details changed; the payload is the whole new state, with a higher revision.",
});
