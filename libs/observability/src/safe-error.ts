/**
 * What of an error may reach a log line or a dead-letter header: an allow-list, not a deny-list. A
 * database error's message, detail, `where`, query and parameters can carry the statement's values
 * (names, birth dates, member ids), so only its codes and names are kept; other errors keep a message
 * cut to a sane length, since our own messages name ids and fields, never values.
 */
export interface SafeError {
  readonly type: string;
  readonly message?: string;
  readonly code?: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly column?: string;
  readonly routine?: string;
  readonly status?: number;
  readonly retriable?: boolean;
  /** Stack frames only: the first line of a stack repeats the message. */
  readonly stack?: string;
  readonly cause?: SafeError;
}

const MAX_MESSAGE = 300;

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
  routine?: unknown;
  status?: unknown;
  retriable?: unknown;
  stack?: unknown;
  cause?: unknown;
  driverError?: unknown;
  severity?: unknown;
}

/** True for errors that come from Postgres (pg's DatabaseError, TypeORM's QueryFailedError and kin). */
function fromDatabase(error: ErrorLike): boolean {
  const name = typeof error.name === 'string' ? error.name : '';
  if (/QueryFailedError|DatabaseError|EntityPropertyNotFound|TypeORM/i.test(name)) return true;
  if (error.driverError !== undefined) return true;
  return typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) && typeof error.severity === 'string';
}

export function safeError(error: unknown, depth = 0): SafeError {
  // A string here is already a description made by describeSafely (or describeError, which uses it).
  if (typeof error === 'string') return { type: 'described', message: error.slice(0, MAX_MESSAGE) };
  if (!error || typeof error !== 'object') return { type: typeof error };
  // Already made safe (a caller serialised it before the logger's serializer saw it): keep it as it is.
  if (Object.getPrototypeOf(error) === Object.prototype && typeof (error as { type?: unknown }).type === 'string' && !('name' in error))
    return error as SafeError;
  const e = error as ErrorLike;
  const inner = (e.driverError && typeof e.driverError === 'object' ? e.driverError : e) as ErrorLike;
  const database = fromDatabase(e);
  const str = (v: unknown) => (typeof v === 'string' && v.length <= 100 ? v : undefined);
  const out: Record<string, unknown> = {
    type: typeof e.name === 'string' ? e.name : (error.constructor?.name ?? 'Error'),
  };
  if (!database && typeof e.message === 'string') out['message'] = e.message.slice(0, MAX_MESSAGE);
  for (const key of ['code', 'constraint', 'table', 'column', 'routine'] as const) {
    const value = str(inner[key]) ?? str(e[key]);
    if (value !== undefined) out[key] = value;
  }
  if (typeof e.status === 'number') out['status'] = e.status;
  if (typeof e.retriable === 'boolean') out['retriable'] = e.retriable;
  if (typeof e.stack === 'string') {
    const frames = e.stack
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .slice(0, 12)
      .join('\n');
    if (frames) out['stack'] = frames;
  }
  if (e.cause !== undefined && depth < 3) out['cause'] = safeError(e.cause, depth + 1);
  return out as unknown as SafeError;
}

/** One line for a log message or a header: `Type (code): message`, with no database text. */
export function describeSafely(error: unknown): string {
  const safe = safeError(error);
  const where = safe.constraint ? ` ${safe.constraint}` : safe.column ? ` on ${safe.table ? `${safe.table}.` : ''}${safe.column}` : '';
  return `${safe.type}${safe.code ? ` (${safe.code}${where})` : ''}${safe.message ? `: ${safe.message}` : ''}`;
}
