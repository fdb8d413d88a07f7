import type { ApiDocumentOptions } from '@iop/platform';

/** The intake service's OpenAPI title and description: served at /docs and written to docs/api by `npm run openapi`. */
export const INTAKE_API: ApiDocumentOptions = {
  title: 'Intake service',
  description: 'Referrals, pre-screen, consent, assessment, admission and waitlist.',
};
