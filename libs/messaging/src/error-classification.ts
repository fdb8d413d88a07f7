import { TRANSIENT_SOCKET_CODES, TRANSIENT_SQLSTATES, connectionLost, kindOfSqlState } from '@iop/persistence';
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
  if (TRANSIENT_SOCKET_CODES.has(code)) return { kind: 'transient', why: code };
  if (/^[0-9A-Z]{5}$/.test(code)) {
    // The SQLSTATE table is shared with the HTTP edge (libs/persistence). Anything it does not know (a
    // missing table before a migration ran, a missing grant) is for an operator to fix while the event waits.
    const kind = kindOfSqlState(code);
    if (kind === 'transient') return { kind: 'transient', why: `SQLSTATE ${code} ${TRANSIENT_SQLSTATES[code] ?? 'connection exception'}` };
    if (kind === 'unknown') return { kind: 'unknown', why: `SQLSTATE ${code}` };
    return { kind: 'permanent', why: `SQLSTATE ${code} (${kind})` };
  }
  if (name.startsWith('KafkaJS')) {
    if (TRANSIENT_KAFKAJS_ERRORS.has(name) || e.retriable === true) return { kind: 'transient', why: name };
    return undefined;
  }
  if (e.retriable === true) return { kind: 'transient', why: `${name || 'error'} marked retriable` };
  if (e.retriable === false) return { kind: 'permanent', why: `${name || 'error'} marked not retriable` };
  if (PERMANENT_ERROR_NAMES.has(name)) return { kind: 'permanent', why: name };
  if (connectionLost(message)) return { kind: 'transient', why: message.slice(0, 80) };
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
