import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PatientDischarged, ReadmissionReferred, type PayloadOf } from '@iop/contracts';
import type { EventHandler, EventMeta } from '@iop/messaging';
import { DischargeReactions } from '../application/discharges';

/* Aftercare's discharge and readmission referral, as platform event handlers: each runs in the consumer's transaction with its inbox row. */

@Injectable()
export class PatientDischargedHandler implements EventHandler<typeof PatientDischarged> {
  readonly definition = PatientDischarged;
  constructor(private readonly reactions: DischargeReactions) {}
  handle(payload: PayloadOf<typeof PatientDischarged>, meta: EventMeta, manager: EntityManager): Promise<void> {
    return this.reactions.discharged(manager, payload, meta);
  }
}

@Injectable()
export class ReadmissionReferredHandler implements EventHandler<typeof ReadmissionReferred> {
  readonly definition = ReadmissionReferred;
  constructor(private readonly reactions: DischargeReactions) {}
  handle(payload: PayloadOf<typeof ReadmissionReferred>, meta: EventMeta, manager: EntityManager): Promise<void> {
    return this.reactions.readmissionReferred(manager, payload, meta);
  }
}
