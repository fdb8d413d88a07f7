import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CoverageRejected, CoverageVerificationFailed, CoverageVerified, type PayloadOf } from '@iop/contracts';
import type { EventHandler } from '@iop/messaging';
import { ApplyCoverageAnswer } from '../application/coverage-answers';

/* Insurance's three answers, as platform event handlers: each runs in the consumer's transaction with its inbox row. */

@Injectable()
export class CoverageVerifiedHandler implements EventHandler<typeof CoverageVerified> {
  readonly definition = CoverageVerified;
  constructor(private readonly answers: ApplyCoverageAnswer) {}
  handle(payload: PayloadOf<typeof CoverageVerified>, _meta: unknown, manager: EntityManager): Promise<void> {
    return this.answers.verified(manager, payload);
  }
}

@Injectable()
export class CoverageRejectedHandler implements EventHandler<typeof CoverageRejected> {
  readonly definition = CoverageRejected;
  constructor(private readonly answers: ApplyCoverageAnswer) {}
  handle(payload: PayloadOf<typeof CoverageRejected>, _meta: unknown, manager: EntityManager): Promise<void> {
    return this.answers.rejected(manager, payload);
  }
}

@Injectable()
export class CoverageVerificationFailedHandler implements EventHandler<typeof CoverageVerificationFailed> {
  readonly definition = CoverageVerificationFailed;
  constructor(private readonly answers: ApplyCoverageAnswer) {}
  handle(payload: PayloadOf<typeof CoverageVerificationFailed>, _meta: unknown, manager: EntityManager): Promise<void> {
    return this.answers.failed(manager, payload);
  }
}
