import { describeSafely } from '@iop/observability';

/**
 * Failures are classified (as kafkajs does with `retriable`): a permanent failure goes straight to
 * the dead-letter topic, anything else is retried with backoff first.
 */
export class PermanentEventError extends Error {
  readonly retriable = false;
  constructor(
    message: string,
    readonly reason: DeadLetterReason = 'handler-rejected',
  ) {
    super(message);
    this.name = 'PermanentEventError';
  }
}

export const DEAD_LETTER_REASONS = ['not-a-cloudevent', 'unknown-version', 'invalid-payload', 'handler-rejected', 'retries-exhausted', 'key-parked'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/**
 * An event whose key is parked behind an earlier dead letter (ADR 0002): it follows the head to the dead-letter topic
 * rather than overtake it, and comes back in order when the dead letters are replayed.
 */
export class KeyParkedError extends PermanentEventError {
  constructor(readonly headEventId: string) {
    super(`its key is parked behind dead-lettered event ${headEventId}`, 'key-parked');
    this.name = 'KeyParkedError';
  }
}

export class InvalidEventPayloadError extends Error {
  constructor(
    readonly eventType: string,
    readonly issues: string,
  ) {
    super(`${eventType} payload breaks its schema: ${issues}`);
    this.name = 'InvalidEventPayloadError';
  }
}

/** For logs and dead-letter headers: codes and our own messages, never a database error's text (it can hold PHI). */
export function describeError(error: unknown): string {
  return describeSafely(error);
}
