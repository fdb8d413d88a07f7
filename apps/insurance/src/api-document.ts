import type { ApiDocumentOptions } from '@iop/platform';

/** The insurance service's OpenAPI title and description: served at /docs and written to docs/api by `npm run openapi`. */
export const INSURANCE_API: ApiDocumentOptions = {
  title: 'Insurance service',
  description: 'Payers, coverage, X12 270/271 eligibility, benefits, cost estimates and prior authorisations.',
};
