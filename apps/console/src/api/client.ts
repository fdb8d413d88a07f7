/**
 * One typed client per service, from the types openapi-typescript generates out of docs/api/*.openapi.json:
 * a changed endpoint fails `tsc`, not the person at the clinic. Every request goes to this origin
 * (/api/<service>/...), where the console's server passes it on.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { currentSession, signOut } from '../auth/session';
import type { paths as AftercarePaths } from './generated/aftercare';
import type { paths as AttendancePaths } from './generated/attendance';
import type { paths as InsurancePaths } from './generated/insurance';
import type { ProblemDetails, paths as IntakePaths } from './generated/intake';
import type { paths as SchedulingPaths } from './generated/scheduling';

const withToken: Middleware = {
  onRequest({ request }) {
    const session = currentSession();
    if (session) request.headers.set('authorization', `Bearer ${session.token}`);
    return request;
  },
  onResponse({ response }) {
    // An expired or refused token: back to sign-in rather than a screen of errors.
    if (response.status === 401) signOut();
    return response;
  },
};

function clientFor<Paths extends object>(service: string) {
  const client = createClient<Paths>({ baseUrl: `/api/${service}` });
  client.use(withToken);
  return client;
}

export const intake = clientFor<IntakePaths>('intake');
export const insurance = clientFor<InsurancePaths>('insurance');
export const scheduling = clientFor<SchedulingPaths>('scheduling');
export const attendance = clientFor<AttendancePaths>('attendance');
export const aftercare = clientFor<AftercarePaths>('aftercare');

export type Problem = ProblemDetails;

/** A service's refusal, carrying its own words and the fields it names. */
export class ServiceError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
  /** The service's message for one field (e.g. "caller.givenName"), if it named that field. */
  forField(field: string): string | undefined {
    return this.problem.issues?.find((i) => i.field === field)?.message;
  }
}

function asProblem(error: unknown, response: Response): Problem {
  if (error && typeof error === 'object' && 'detail' in error) return error as Problem;
  return {
    type: 'about:blank',
    title: response.statusText || 'Error',
    status: response.status,
    detail: `the service answered ${response.status}${typeof error === 'string' && error ? `: ${error}` : ''}`,
    instance: response.url,
    requestId: response.headers.get('x-request-id') ?? '',
  };
}

/** The answer's body, or a ServiceError with the service's problem. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ServiceError(asProblem(error, response));
  return data as T;
}

/**
 * Query strings. The services validate their query parameters (zod) but do not describe them in their OpenAPI
 * documents yet, so they are not in the generated types: this passes them as written, leaving out empty ones.
 */
export function query(values: Record<string, string | number | undefined | null>) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  return { querySerializer: () => search.toString() };
}
