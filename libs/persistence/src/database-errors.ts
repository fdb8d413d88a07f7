/**
 * What a Postgres failure means for the caller, read from its SQLSTATE (and, for a connection that never
 * reached Postgres, from the socket error). One table for the HTTP edge and the event consumers:
 *   - `transient`: the same statement may succeed if tried again (connection lost, failover,
 *     serialization failure, deadlock, lock timeout, too many connections).
 *   - `invalid-value`: a value Postgres cannot hold (out of range, malformed, NUL byte, too long).
 *   - `conflict`: the change collides with existing data (unique or exclusion constraint).
 *   - `constraint`: the change breaks a rule of the schema (check, foreign key, not null).
 *   - `unknown`: anything else, a defect.
 * Only codes and names are kept: a database error's message, detail, `where` and parameters can hold
 * the values of the statement (names, birth dates), so they are never surfaced or logged.
 */
export type DatabaseFailureKind = 'transient' | 'invalid-value' | 'conflict' | 'constraint' | 'unknown';

export interface DatabaseFailure {
  readonly kind: DatabaseFailureKind;
  /** SQLSTATE, or the socket error code (ECONNREFUSED…). */
  readonly code: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly column?: string;
}

const TRANSIENT_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '58000', // system_error
  '58030', // io_error
  '25006', // read_only_sql_transaction (a standby after failover)
]);
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TRANSIENT_MESSAGES = [
  /Connection terminated/i,
  /connection timeout/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Client was closed/i,
  /the database system is (starting up|shutting down)/i,
];
const CONFLICT_CODES = new Set(['23505', '23P01']); // unique_violation, exclusion_violation
const CONSTRAINT_CODES = new Set(['23514', '23503', '23502', '23000', '23001']); // check, foreign key, not null, integrity, restrict

interface PgLikeError {
  code?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
  driverError?: unknown;
  message?: unknown;
}

/** Reads a Postgres (pg or TypeORM-wrapped) or connection failure; `undefined` when the error is not one. */
export function databaseFailure(error: unknown): DatabaseFailure | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const outer = error as PgLikeError;
  const inner = (outer.driverError && typeof outer.driverError === 'object' ? outer.driverError : outer) as PgLikeError;
  const code = typeof inner.code === 'string' ? inner.code : typeof outer.code === 'string' ? outer.code : undefined;
  const details = {
    ...(typeof inner.constraint === 'string' ? { constraint: inner.constraint } : {}),
    ...(typeof inner.table === 'string' ? { table: inner.table } : {}),
    ...(typeof inner.column === 'string' ? { column: inner.column } : {}),
  };
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    return { kind: kindOfSqlState(code), code, ...details };
  }
  if (code && TRANSIENT_SOCKET_CODES.has(code)) return { kind: 'transient', code };
  const message = typeof inner.message === 'string' ? inner.message : '';
  if (TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return { kind: 'transient', code: 'connection-lost' };
  return undefined;
}

function kindOfSqlState(code: string): DatabaseFailureKind {
  if (TRANSIENT_CODES.has(code) || code.startsWith('08')) return 'transient'; // class 08: connection exception
  if (CONFLICT_CODES.has(code)) return 'conflict';
  if (CONSTRAINT_CODES.has(code)) return 'constraint';
  if (code.startsWith('22')) return 'invalid-value'; // class 22: data exception
  return 'unknown';
}
