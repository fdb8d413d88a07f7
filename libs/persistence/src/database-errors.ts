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

/** SQLSTATEs that mean "try again later": the server, the connection or the moment, not the statement. */
export const TRANSIENT_SQLSTATES: Readonly<Record<string, string>> = {
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
  '55P03': 'lock not available',
  '53000': 'insufficient resources',
  '53100': 'disk full',
  '53200': 'out of memory',
  '53300': 'too many connections',
  '53400': 'configuration limit exceeded',
  '57P01': 'admin shutdown',
  '57P02': 'crash shutdown',
  '57P03': 'cannot connect now',
  '57P05': 'idle session timeout',
  '57014': 'query canceled (statement timeout)',
  '25P03': 'idle in transaction session timeout',
  '25006': 'read-only transaction (a standby after failover)',
  '58000': 'system error',
  '58030': 'io error',
  // A role that may not log in, or a rotated password: fixed by an operator, not by the caller.
  '28000': 'invalid authorization specification',
  '28P01': 'invalid password',
  // The database itself is missing or being recreated.
  '3D000': 'invalid catalog name',
};
/** Node's socket errors and DNS failures: the server is away, not the request wrong. */
export const TRANSIENT_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);
/** What pg, pg-pool, TypeORM and the redis client say when a connection went away; none of these carry a code. */
const CONNECTION_LOST_MESSAGES = [
  /connection terminated/i,
  /connection (?:is )?closed/i,
  /client has encountered a connection error/i,
  /terminating connection/i,
  /timeout exceeded when trying to connect/i,
  /timed? ?out/i,
  /socket (?:closed|hang up)/i,
  /the client is closed/i,
  /connection (?:refused|reset)/i,
  /the database system is (?:starting up|shutting down)/i,
];

/** True for the words a client library uses when its connection went away. */
export function connectionLost(message: string): boolean {
  return CONNECTION_LOST_MESSAGES.some((pattern) => pattern.test(message));
}
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
  if (code && /^[0-9A-Z]{5}$/.test(code) && !TRANSIENT_SOCKET_CODES.has(code)) {
    return { kind: kindOfSqlState(code), code, ...details };
  }
  if (code && TRANSIENT_SOCKET_CODES.has(code)) return { kind: 'transient', code };
  const message = typeof inner.message === 'string' ? inner.message : '';
  if (connectionLost(message)) return { kind: 'transient', code: 'connection-lost' };
  return undefined;
}

/** What a SQLSTATE means for trying again; the one table the HTTP edge and the event consumers share. */
export function kindOfSqlState(code: string): DatabaseFailureKind {
  if (TRANSIENT_SQLSTATES[code] !== undefined || code.startsWith('08')) return 'transient'; // class 08: connection exception
  if (CONFLICT_CODES.has(code)) return 'conflict';
  if (CONSTRAINT_CODES.has(code)) return 'constraint';
  if (code.startsWith('22')) return 'invalid-value'; // class 22: data exception
  return 'unknown';
}
