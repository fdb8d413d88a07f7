import { InvalidEventPayloadError, PermanentEventError } from './errors';

/**
 * What a failure says about trying again, decided here and nowhere else:
 * - `transient`: the world is briefly unavailable (a database restart, a lost connection, a deadlock, a
 *   broker outage, a timeout). Trying the same message again later will work; it is retried without limit.
 * - `permanent`: this message can never succeed as it is (it breaks its schema, the handler refused it, it
 *   violates a constraint, it is data the code cannot handle). After a few attempts it goes to the
 *   dead-letter topic: the consumer must not hold the partition for it.
 * - `unknown`: nothing says which. Treated like `transient` by the consumer: for health records a stalled
 *   partition (visible in lag and logs, fixed by a deploy) is safer than an event leaving its key's order.
 */
export type FailureKind = 'transient' | 'permanent' | 'unknown';

export interface FailureClassification {
  readonly kind: FailureKind;
  /** Why, for logs: the code or the name that decided it. */
  readonly why: string;
}

/** SQLSTATEs that mean "try again later": the server, the connection or the moment, not the message. */
const TRANSIENT_SQLSTATES: Readonly<Record<string, string>> = {
  '40001': 'serialization failure',
  '40P01': 'deadlock detected',
  '55P03': 'lock not available',
  '53300': 'too many connections',
  '53000': 'insufficient resources',
  '53100': 'disk full',
  '53200': 'out of memory',
  '57P01': 'admin shutdown',
  '57P02': 'crash shutdown',
  '57P03': 'cannot connect now',
  '57P05': 'idle session timeout',
  '57014': 'query canceled (statement timeout)',
  '25P03': 'idle in transaction session timeout',
  '58000': 'system error',
  '58030': 'io error',
  // A role that may not log in or a password that was rotated: fixed by an operator, not by the message.
  '28000': 'invalid authorization specification',
  '28P01': 'invalid password',
  // The database itself is missing or being recreated.
  '3D000': 'invalid catalog name',
};

/** SQLSTATE classes that mean the statement can never succeed with this data. */
const PERMANENT_SQLSTATE_CLASSES: Readonly<Record<string, string>> = {
  '22': 'data exception',
  '23': 'integrity constraint violation',
};

/** SQLSTATE classes that are always transient: connection exceptions. */
const TRANSIENT_SQLSTATE_CLASSES: Readonly<Record<string, string>> = {
  '08': 'connection exception',
};

/** Node's socket errors and DNS failures. */
const TRANSIENT_SYSTEM_CODES = new Set([
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
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /connection (?:is )?closed/i,
  /client has encountered a connection error/i,
  /terminating connection/i,
  /timeout exceeded when trying to connect/i,
  /timed? ?out/i,
  /socket (?:closed|hang up)/i,
  /the client is closed/i,
  /connection (?:refused|reset)/i,
];

/** kafkajs errors that are about the cluster being away, whatever their `retriable` flag says after retries. */
const TRANSIENT_KAFKAJS_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
]);

/** Errors that are bugs or bad data in this process: the same input fails the same way every time. */
const PERMANENT_ERROR_NAMES = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'ZodError', 'EntityPropertyNotFoundError']);

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  cause?: unknown;
  driverError?: unknown;
  originalError?: unknown;
}

/**
 * Classifies a failure as `transient`, `permanent` or `unknown`. Looks through wrappers (TypeORM's
 * `QueryFailedError.driverError`, `cause` chains, kafkajs's `originalError`): the first decisive answer
 * along the chain wins, so a retries-exceeded error caused by a refused connection is transient.
 */
export function classifyFailure(error: unknown): FailureClassification {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const decided = classifyOne(current);
    if (decided) return decided;
    const e = current as ErrorFields;
    current = e.driverError ?? e.cause ?? e.originalError;
  }
  return { kind: 'unknown', why: describeKind(error) };
}

function classifyOne(error: object): FailureClassification | undefined {
  if (error instanceof PermanentEventError) return { kind: 'permanent', why: `declared permanent (${error.reason})` };
  if (error instanceof InvalidEventPayloadError) return { kind: 'permanent', why: 'payload breaks its schema' };
  const e = error as ErrorFields;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';

  // Checked first: EPIPE is five capitals too.
  if (TRANSIENT_SYSTEM_CODES.has(code)) return { kind: 'transient', why: code };
  if (/^[0-9A-Z]{5}$/.test(code)) {
    const exact = TRANSIENT_SQLSTATES[code];
    if (exact) return { kind: 'transient', why: `SQLSTATE ${code} ${exact}` };
    const cls = code.slice(0, 2);
    const transientClass = TRANSIENT_SQLSTATE_CLASSES[cls];
    if (transientClass) return { kind: 'transient', why: `SQLSTATE ${code} ${transientClass}` };
    const permanentClass = PERMANENT_SQLSTATE_CLASSES[cls];
    if (permanentClass) return { kind: 'permanent', why: `SQLSTATE ${code} ${permanentClass}` };
    // Anything else from Postgres (a missing table before a migration ran, a missing grant) is for an
    // operator to fix while the event waits.
    return { kind: 'unknown', why: `SQLSTATE ${code}` };
  }
  if (name.startsWith('KafkaJS')) {
    if (TRANSIENT_KAFKAJS_ERRORS.has(name) || e.retriable === true) return { kind: 'transient', why: name };
    return undefined;
  }
  if (e.retriable === true) return { kind: 'transient', why: `${name || 'error'} marked retriable` };
  if (e.retriable === false) return { kind: 'permanent', why: `${name || 'error'} marked not retriable` };
  if (PERMANENT_ERROR_NAMES.has(name)) return { kind: 'permanent', why: name };
  if (TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return { kind: 'transient', why: message.slice(0, 80) };
  return undefined;
}

function describeKind(error: unknown): string {
  if (error instanceof Error) return error.name;
  return typeof error;
}

/**
 * A failure a handler knows to be temporary (a downstream that answered 503, say): retried without limit
 * and never dead-lettered. Handlers need it only for errors the classification cannot recognise.
 */
export class TransientEventError extends Error {
  readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientEventError';
  }
}
