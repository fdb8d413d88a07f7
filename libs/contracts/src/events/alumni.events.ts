import { z } from 'zod';
import { Id } from '../common';
import { defineEvent } from '../event-definition';
import { TOPICS } from '../topics';

/*
 * A discharged patient's consent to be contacted by a site's alumni group (continuing-care meetings, alumni events).
 * Ids only: whether someone is an alumnus of a clinic says they were treated there, so no names and no contact details.
 */

const AlumniChange = z.object({
  /** The consent record that made the change (aftercare keeps every one); consumers may use it to drop a repeat. */
  consentId: Id,
  patientId: Id,
  siteId: Id,
  occurredAt: z.iso.datetime({ offset: true }),
});

export const AlumniJoined = defineEvent({
  type: 'aftercare.alumni-joined',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercareAlumni.name,
  schema: AlumniChange,
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: "A discharged patient opted in to the site's alumni contact: they are on the site's alumni roster from now on.",
});

export const AlumniLeft = defineEvent({
  type: 'aftercare.alumni-left',
  version: 1,
  producer: 'aftercare',
  topic: TOPICS.aftercareAlumni.name,
  schema: AlumniChange,
  key: (p) => p.patientId,
  site: (p) => p.siteId,
  description: "An alumnus opted out of the site's alumni contact: nobody at the site contacts them as an alumnus any more.",
});
