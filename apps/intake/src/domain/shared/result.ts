/**
 * Expected outcomes (a refused transition, an incomplete form) are values, not exceptions, so the
 * application layer has to handle them and can map each code to a response in one place.
 */
export interface DomainError<Code extends string = string> {
  readonly code: Code;
  /** Written for the intake coordinator: what is wrong and what to do next. */
  readonly message: string;
}

export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Err<E> {
  readonly ok: false;
  readonly error: E;
}

export type Result<T, E = DomainError> = Ok<T> | Err<E>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}

/** Compile-time exhaustiveness: a new union member that is not handled fails the build here. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
