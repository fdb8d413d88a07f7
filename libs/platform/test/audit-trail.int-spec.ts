import type { DataSource } from 'typeorm';
import { AuditTrail, type Actor, type AuditEntry, type Principal } from '@iop/auth';
import { ALL_SITES, createServiceDataSource, inScopedTransaction, platformMigrations, provisionServiceDatabase, sitesScope } from '@iop/persistence';
import { useTestInfrastructure, type TestInfrastructure } from '@iop/testing';

/** A throwaway service schema with the platform's tables, served by its own non-owner role. */
const SERVICE = 'audit_spec';

const siteA = '0b6f1c2e-4d5a-4b8c-9e7f-1a2b3c4d5e6f';
const siteB = '7c8d9e0f-1a2b-4c3d-8e5f-6a7b8c9d0e1f';

const aClinician = (overrides: Partial<Principal> = {}): Principal => ({
  subject: 'clinician-42',
  roles: ['clinician', 'intake_coordinator'],
  siteIds: [siteA],
  allSites: false,
  ...overrides,
});

const anActor = (overrides: Partial<Actor> = {}): Actor => ({ principal: aClinician(), requestId: crypto.randomUUID(), ...overrides });

const aReading = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  action: 'read',
  resource: `referral:${crypto.randomUUID()}`,
  patientId: crypto.randomUUID(),
  siteId: siteA,
  ...overrides,
});

interface AuditRow {
  actor: string;
  role: string;
  site_id: string | null;
  patient_id: string | null;
  action: string;
  resource: string;
  request_id: string | null;
  reason: string | null;
  at: Date;
}

describe('the PHI audit trail', () => {
  let infra: TestInfrastructure;
  let dataSource: DataSource;
  const audit = new AuditTrail(SERVICE);

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    await provisionServiceDatabase({ service: SERVICE, migrations: platformMigrations(SERVICE) });
    dataSource = await createServiceDataSource(SERVICE, []).initialize();
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
  });

  const rowsFor = (requestId: string) => infra.adminQuery<AuditRow>(`SELECT * FROM ${SERVICE}.audit_log WHERE request_id = $1`, [requestId]);

  it('records who, in which roles, at which site, touched which patient, how, what, in which request and why', async () => {
    const actor = anActor();
    const entry = aReading({ action: 'disclose', reason: 'referral to the step-down program' });
    const before = Date.now();

    await inScopedTransaction(dataSource, sitesScope([siteA]), (manager) => audit.record(manager, actor, entry));

    const rows = await rowsFor(actor.requestId!);
    expect(rows).toEqual([
      expect.objectContaining({
        actor: 'clinician-42',
        role: 'clinician,intake_coordinator',
        site_id: siteA,
        patient_id: entry.patientId,
        action: 'disclose',
        resource: entry.resource,
        request_id: actor.requestId,
        reason: 'referral to the step-down program',
      }),
    ]);
    expect(rows[0]!.at.getTime()).toBeGreaterThanOrEqual(before - 5_000);
  });

  it('a record for network-wide work may name no site or patient', async () => {
    const actor = anActor({ principal: aClinician({ subject: 'admin-1', roles: ['network_admin'], siteIds: [], allSites: true }) });
    await inScopedTransaction(dataSource, ALL_SITES, (manager) => audit.record(manager, actor, { action: 'list', resource: 'sites' }));
    expect(await rowsFor(actor.requestId!)).toEqual([
      expect.objectContaining({ actor: 'admin-1', role: 'network_admin', site_id: null, patient_id: null, reason: null }),
    ]);
  });

  it("is written in the caller's transaction: when the work is rolled back, so is its record", async () => {
    const actor = anActor();
    const work = inScopedTransaction(dataSource, sitesScope([siteA]), async (manager) => {
      await audit.record(manager, actor, aReading());
      // Visible to the work that wrote it...
      expect(await manager.query(`SELECT 1 FROM audit_log WHERE request_id = $1`, [actor.requestId])).toHaveLength(1);
      throw new Error('the read failed after it was audited');
    });

    await expect(work).rejects.toThrow('the read failed after it was audited');
    // ...and gone with it.
    expect(await rowsFor(actor.requestId!)).toEqual([]);
  });

  describe("the service's own role", () => {
    let requestId: string;

    beforeAll(async () => {
      const actor = anActor();
      requestId = actor.requestId!;
      await inScopedTransaction(dataSource, sitesScope([siteA]), (manager) => audit.record(manager, actor, aReading()));
    });

    it.each([
      ['change a record', `UPDATE audit_log SET actor = 'someone-else' WHERE request_id = $1`],
      ['delete a record', `DELETE FROM audit_log WHERE request_id = $1`],
    ])('cannot %s (permission denied), whatever its site scope', async (_what, sql) => {
      await expect(inScopedTransaction(dataSource, ALL_SITES, (manager) => manager.query(sql, [requestId]))).rejects.toThrow(
        /permission denied for table audit_log/,
      );
      expect(await rowsFor(requestId)).toEqual([expect.objectContaining({ actor: 'clinician-42' })]);
    });

    it('cannot truncate the log', async () => {
      await expect(dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/permission denied for table audit_log/);
    });
  });

  describe('reading the log is site-isolated', () => {
    const marker = crypto.randomUUID();
    const readable = (scope: Parameters<typeof inScopedTransaction>[1]) =>
      inScopedTransaction(dataSource, scope, async (manager) =>
        (
          (await manager.query(`SELECT site_id FROM audit_log WHERE reason = $1 ORDER BY site_id NULLS FIRST`, [marker])) as Array<{ site_id: string | null }>
        ).map((r) => r.site_id),
      );

    beforeAll(async () => {
      await inScopedTransaction(dataSource, ALL_SITES, async (manager) => {
        await audit.record(manager, anActor(), aReading({ siteId: siteA, reason: marker }));
        await audit.record(manager, anActor(), aReading({ siteId: siteB, reason: marker }));
        await audit.record(manager, anActor(), { action: 'list', resource: 'sites', reason: marker });
      });
    });

    it("site A's scope sees site A's records and the network-wide ones, never site B's", async () => {
      expect(await readable(sitesScope([siteA]))).toEqual([null, siteA]);
    });

    it('the network-wide scope sees every site', async () => {
      expect(await readable(ALL_SITES)).toEqual([null, siteA, siteB]);
    });

    it('a query that sets no scope sees no site record at all', async () => {
      const rows = (await dataSource.query(`SELECT site_id FROM audit_log WHERE reason = $1`, [marker])) as Array<{ site_id: string | null }>;
      expect(rows.map((r) => r.site_id)).toEqual([null]);
    });

    it("a caller scoped to site A cannot write a record into site B's log", async () => {
      await expect(
        inScopedTransaction(dataSource, sitesScope([siteA]), (manager) => audit.record(manager, anActor(), aReading({ siteId: siteB }))),
      ).rejects.toThrow(/row-level security/);
    });
  });
});
