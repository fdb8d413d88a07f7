import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Principal } from '@iop/auth';

export interface RequestContext {
  readonly requestId: string;
  /** Set by the access guard once the token is verified. */
  readonly request: { principal?: Principal };
  /** Patients whose records this request read or changed, as audited (an Idempotency-Key replay audits them again). */
  readonly auditedPatients: Map<string, string | undefined>;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Express middleware: every request runs inside its own context, with a request id echoed back. */
export function requestContextMiddleware(
  req: { headers: Record<string, string | string[] | undefined>; principal?: Principal },
  res: { setHeader(name: string, value: string): void },
  next: () => void,
): void {
  const requestId = requestIdFrom(req.headers);
  res.setHeader('x-request-id', requestId);
  storage.run({ requestId, request: req, auditedPatients: new Map() }, next);
}

/** The caller's `X-Request-Id` when it is a sane token, else a new one. */
export function requestIdFrom(headers: Record<string, string | string[] | undefined>): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
}

/** Called by the audit trail for each entry: remembers the patient (and site) on the current request. */
export function noteAuditedPatient(entry: { patientId?: string; siteId?: string }): void {
  if (entry.patientId) currentRequest()?.auditedPatients.set(entry.patientId, entry.siteId);
}
