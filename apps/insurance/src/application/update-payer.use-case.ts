import { Injectable } from '@nestjs/common';
import { DomainError, UnitOfWork, notFound } from '@iop/platform';
import { payerDirectory, type Payer, type PayerChanges } from './payer-directory';

/** A network admin corrects a payer's electronic id, routing or phone number. */
@Injectable()
export class UpdatePayer {
  constructor(private readonly uow: UnitOfWork) {}

  execute(payerId: string, changes: PayerChanges): Promise<Payer> {
    return this.uow.run(async ({ manager }) => {
      const current = await payerDirectory.find(manager, payerId, true);
      if (!current) throw notFound('payer.unknown', `there is no payer "${payerId}" in the directory`);
      const next: Payer = { ...current, ...changes };
      if (next.routing === 'clearinghouse' && !next.electronicPayerId) {
        throw new DomainError('payer.electronic-id-required', 'a payer routed through the clearinghouse needs its electronic payer id');
      }
      const changed = (Object.keys(changes) as Array<keyof PayerChanges>).some((k) => current[k] !== next[k]);
      if (!changed) return current;
      const saved = { ...next, revision: current.revision + 1 };
      await payerDirectory.save(manager, saved);
      return saved;
    });
  }
}
