import type { ApiDocumentOptions } from '@iop/platform';

/** The aftercare service's OpenAPI title and description: served at /docs and written to docs/api by `npm run openapi`. */
export const AFTERCARE_API: ApiDocumentOptions = {
  title: 'Aftercare service',
  description: 'Discharge, step-down, aftercare plans, follow-ups and outcomes.',
};
