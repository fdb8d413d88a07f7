import type { Err, Ok } from '@iop/domain';

/**
 * Expected outcomes (a refused transition, an incomplete form) are values, not exceptions, so the
 * application layer has to handle them and can map each code to a response in one place. `ok`/`err` live in
 * libs/domain, where the shared rules (the screening measures) return the same shape.
 */
export { ok, err } from '@iop/domain';
export type { Ok, Err } from '@iop/domain';

export interface DomainError<Code extends string = string> {
  readonly code: Code;
  /** Written for the intake coordinator: what is wrong and what to do next. */
  readonly message: string;
}

export type Result<T, E = DomainError> = Ok<T> | Err<E>;

/** Compile-time exhaustiveness: a new union member that is not handled fails the build here. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
