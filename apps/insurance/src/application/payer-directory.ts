import type { EntityManager } from 'typeorm';
import { notFound } from '@iop/platform';

export type PayerRouting = 'clearinghouse' | 'phone';

export interface Payer {
  readonly payerId: string;
  readonly name: string;
  /** The id the clearinghouse routes a 270 by; absent for payers verified by phone only. */
  readonly electronicPayerId: string | null;
  readonly routing: PayerRouting;
  readonly phone: string | null;
  readonly revision: number;
}

export type PayerChanges = Partial<Pick<Payer, 'name' | 'electronicPayerId' | 'routing' | 'phone'>>;

interface PayerRow {
  payer_id: string;
  name: string;
  electronic_payer_id: string | null;
  routing: PayerRouting;
  phone: string | null;
  revision: number;
}

const toPayer = (r: PayerRow): Payer => ({
  payerId: r.payer_id,
  name: r.name,
  electronicPayerId: r.electronic_payer_id,
  routing: r.routing,
  phone: r.phone,
  revision: r.revision,
});

/** The network's payer directory: not PHI and not per site, so not under row-level security. */
export const payerDirectory = {
  async list(manager: EntityManager): Promise<Payer[]> {
    return ((await manager.query(`SELECT * FROM insurance.payers ORDER BY name`)) as PayerRow[]).map(toPayer);
  },
  async find(manager: EntityManager, payerId: string, lock = false): Promise<Payer | null> {
    const rows = (await manager.query(`SELECT * FROM insurance.payers WHERE payer_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [payerId])) as PayerRow[];
    return rows[0] ? toPayer(rows[0]) : null;
  },
  async require(manager: EntityManager, payerId: string): Promise<Payer> {
    const payer = await this.find(manager, payerId);
    if (!payer) throw notFound('payer.unknown', `there is no payer "${payerId}" in the directory: GET /payers lists them`);
    return payer;
  },
  async save(manager: EntityManager, payer: Payer): Promise<void> {
    await manager.query(
      `UPDATE insurance.payers SET name = $2, electronic_payer_id = $3, routing = $4, phone = $5, revision = $6, updated_at = now() WHERE payer_id = $1`,
      [payer.payerId, payer.name, payer.electronicPayerId, payer.routing, payer.phone, payer.revision],
    );
  },
};
