import type { ApiDocumentOptions } from '@iop/platform';

/** The attendance service's OpenAPI title and description: served at /docs and written to docs/api by `npm run openapi`. */
export const ATTENDANCE_API: ApiDocumentOptions = {
  title: 'Attendance service',
  description: "Check-in and check-out, absences, weekly hours and the analysts' attendance stream.",
};
