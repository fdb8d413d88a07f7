export { ok, err, assertNever } from './result';
export type { DomainError, Ok, Err, Result } from './result';
