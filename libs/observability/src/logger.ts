import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import { safeError } from './safe-error';

/**
 * Keys that would carry PHI if someone logged a whole record. Logs carry ids; these are censored
 * wherever they appear (one or two levels deep), as a second line of defence.
 */
export const PHI_KEYS = [
  'name',
  'firstName',
  'lastName',
  'fullName',
  'dateOfBirth',
  'dob',
  'phone',
  'email',
  'address',
  'memberId',
  'ssn',
  'notes',
  'body',
  'authorization',
];

export function createLogger(service: string): Logger {
  return pino({
    level: process.env['LOG_LEVEL'] ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'message',
    formatters: { level: (label) => ({ level: label }) },
    // Errors are logged by allow-list: codes, names and our own messages, never a database error's text.
    serializers: { err: safeError, error: safeError },
    redact: { paths: PHI_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: '[redacted]' },
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
  });
}
