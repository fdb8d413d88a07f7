import { HttpStatus } from '@nestjs/common';

/**
 * An expected outcome a caller can act on (unknown site, a transition out of order...). Each module
 * defines its codes; the HTTP status comes from here, in one place.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: HttpStatus = HttpStatus.UNPROCESSABLE_ENTITY,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (code: string, message: string) => new DomainError(code, message, HttpStatus.NOT_FOUND);
export const conflict = (code: string, message: string) => new DomainError(code, message, HttpStatus.CONFLICT);
