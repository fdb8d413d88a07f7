import type { ApiDocumentOptions } from '@iop/platform';

/** The scheduling service's OpenAPI title and description: served at /docs and written to docs/api by `npm run openapi`. */
export const SCHEDULING_API: ApiDocumentOptions = {
  title: 'Scheduling service',
  description: 'Sites, programs and tracks, sessions, enrolment, clinicians and rooms.',
};
