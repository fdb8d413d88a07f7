import type { DataSource } from 'typeorm';
import { AuditTrail, type Actor, type Principal } from '@iop/auth';
import {
  ALL_SITES,
  SqlParams,
  createServiceDataSource,
  inScopedStatement,
  inScopedTransaction,
  platformMigrations,
  provisionServiceDatabase,
  sitesScope,
  type SiteScope,
} from '@iop/persistence';
import { useTestInfrastructure, type TestInfrastructure } from '@iop/testing';

/**
 * `inScopedStatement` prepares each statement once per connection and runs it by name with the caller's scope. With one
 * connection in the pool, every statement below runs on the same backend, after it has run there for other callers
 * often enough for Postgres to keep one generic plan.
 */
const SERVICE = 'scoped_statement_spec';

const siteA = '0b6f1c2e-4d5a-4b8c-9e7f-1a2b3c4d5e6f';
const siteB = '7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f';

const aCoordinator = (siteIds: string[]): Principal => ({
  subject: `coordinator-of-${siteIds.join('-')}`,
  roles: ['intake_coordinator'],
  siteIds,
  allSites: false,
});
const anActor = (principal: Principal): Actor => ({ principal, requestId: crypto.randomUUID() });

describe('a scoped statement, prepared once per connection and run with each caller’s scope', () => {
  let infra: TestInfrastructure;
  let dataSource: DataSource;
  const audit = new AuditTrail(SERVICE);
  const marker = crypto.randomUUID();
  const patientAt: Record<string, string> = { [siteA]: crypto.randomUUID(), [siteB]: crypto.randomUUID() };

  /** Reads the marked records a scope may see and audits the read of each patient shown, in one statement. */
  const readAndAudit = (scope: SiteScope, actor: Actor) => {
    const params = new SqlParams();
    const text = `WITH shown AS (
        SELECT site_id, patient_id FROM audit_log WHERE reason = ${params.add(marker, 'text')} AND patient_id IS NOT NULL
      ), audited AS (
        ${audit.insertFrom('shown', actor, { action: 'read', resource: 'spec' }, params)}
      )
      SELECT site_id FROM shown ORDER BY site_id`;
    return inScopedStatement<{ site_id: string }>(dataSource, scope, { text, values: params.values });
  };
  const auditedBy = (actor: Actor) =>
    infra.adminQuery<{ site_id: string; patient_id: string; actor: string }>(
      `SELECT site_id, patient_id, actor FROM ${SERVICE}.audit_log WHERE request_id = $1`,
      [actor.requestId],
    );

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    await provisionServiceDatabase({ service: SERVICE, migrations: platformMigrations(SERVICE) });
    const poolSize = process.env['DB_POOL_SIZE'];
    process.env['DB_POOL_SIZE'] = '1';
    try {
      dataSource = await createServiceDataSource(SERVICE, []).initialize();
    } finally {
      if (poolSize === undefined) delete process.env['DB_POOL_SIZE'];
      else process.env['DB_POOL_SIZE'] = poolSize;
    }
    await inScopedTransaction(dataSource, ALL_SITES, async (manager) => {
      for (const siteId of [siteA, siteB]) {
        await audit.record(manager, anActor(aCoordinator([siteId])), {
          action: 'create',
          resource: 'spec',
          siteId,
          patientId: patientAt[siteId]!,
          reason: marker,
        });
      }
    });
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
  });

  it("shows each caller only their own site's rows, and audits only those, however many times another site's caller ran it first", async () => {
    for (let round = 0; round < 8; round++) {
      for (const siteId of [siteA, siteB]) {
        const actor = anActor(aCoordinator([siteId]));
        expect(await readAndAudit(sitesScope([siteId]), actor)).toEqual([{ site_id: siteId }]);
        expect(await auditedBy(actor)).toEqual([{ site_id: siteId, patient_id: patientAt[siteId], actor: actor.principal.subject }]);
      }
    }
    const everyone = anActor({ subject: 'network-admin', roles: ['network_admin'], siteIds: [], allSites: true });
    expect(await readAndAudit(ALL_SITES, everyone)).toEqual([siteA, siteB].sort().map((site_id) => ({ site_id })));
  });

  it('takes every value as a parameter: a value that looks like SQL is only a value', async () => {
    const actor = anActor({ ...aCoordinator([siteA]), subject: "o'brien'); DELETE FROM audit_log; --" });
    expect(await readAndAudit(sitesScope([siteA]), actor)).toEqual([{ site_id: siteA }]);
    expect(await auditedBy(actor)).toEqual([expect.objectContaining({ actor: "o'brien'); DELETE FROM audit_log; --" })]);
  });

  it('writes nothing when the statement fails, and the connection goes on with the next caller’s scope', async () => {
    const params = new SqlParams();
    const actor = anActor(aCoordinator([siteA]));
    const text = `WITH audited AS (
        INSERT INTO audit_log (actor, role, site_id, action, resource, request_id) VALUES ('x', 'x', ${params.add(siteA, 'uuid')}, 'read', 'spec', ${params.add(actor.requestId, 'text')})
        RETURNING 1
      ) SELECT 1 / (SELECT count(*) - 1 FROM audited) AS boom`;
    await expect(inScopedStatement(dataSource, sitesScope([siteA]), { text, values: params.values })).rejects.toThrow(/division by zero/);
    expect(await auditedBy(actor)).toEqual([]);
    expect(await readAndAudit(sitesScope([siteB]), anActor(aCoordinator([siteB])))).toEqual([{ site_id: siteB }]);
  });

  it('keeps answering when a migration changes a table under a statement it has prepared', async () => {
    const everything = () =>
      inScopedStatement<Record<string, unknown>>(dataSource, sitesScope([siteA]), {
        text: `SELECT * FROM audit_log WHERE reason = $1::text`,
        values: [marker],
      });
    expect(await everything()).toHaveLength(1);
    await infra.adminQuery(`ALTER TABLE ${SERVICE}.audit_log ADD COLUMN added_later text`);
    const [row] = await everything();
    expect(row).toHaveProperty('added_later', null);
  });
});
