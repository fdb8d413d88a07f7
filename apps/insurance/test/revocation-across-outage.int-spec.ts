import { ConsentGranted, ConsentRevoked } from '@iop/contracts';
import { serviceRoleName } from '@iop/persistence';
import { eventually } from '@iop/testing';
import { aClinic, api, grantConsent, publish, startInsurance, type InsuranceKit } from './insurance-test-kit';

/** What the outside attack did (issue 8, D1): insurance's database login cut for 30 s while intake recorded a revocation. */
const OUTAGE_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('insurance: a consent revocation survives a 30 s database outage', () => {
  let kit: InsuranceKit;
  const role = serviceRoleName('insurance');

  beforeAll(async () => {
    kit = await startInsurance();
  });
  afterAll(async () => {
    await kit?.infra.adminQuery(`ALTER ROLE ${role} LOGIN`).catch(() => undefined);
    await kit?.close();
  });

  it('is applied once the database is back, before the later events of the patient, and nothing is dead-lettered', async () => {
    const clinic = await aClinic(kit);
    const patientId = crypto.randomUUID();
    const check = async (payerId: string) =>
      (await api(kit, clinic.coordinator).get(`/sites/${clinic.siteId}/patients/${patientId}/disclosure-check?payerId=${payerId}`).expect(200)).body as {
        allowed: boolean;
      };
    const toCigna = await grantConsent(kit, clinic.siteId, patientId, 'cigna');
    expect(await check('cigna')).toEqual({ allowed: true, consentId: toCigna });

    // A failover as the service sees it: no new connections, and the open ones cut.
    await kit.infra.adminQuery(`ALTER ROLE ${role} NOLOGIN`);
    await kit.infra.adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
    const now = new Date().toISOString();
    await publish(kit.producer, ConsentRevoked, { consentId: toCigna, patientId, siteId: clinic.siteId, revokedAt: now, occurredAt: now });
    // A later event of the same patient (the same key): it must not overtake the revocation.
    const toAetna = crypto.randomUUID();
    await publish(kit.producer, ConsentGranted, {
      consentId: toAetna,
      patientId,
      siteId: clinic.siteId,
      discloser: { kind: 'site', id: clinic.siteId },
      recipients: [{ kind: 'payer', payerId: 'aetna' }],
      purposes: ['payment'],
      information: 'all-sud-records',
      signedAt: now,
      occurredAt: new Date().toISOString(),
    });
    await sleep(OUTAGE_MS);
    await kit.infra.adminQuery(`ALTER ROLE ${role} LOGIN`);

    await eventually(async () => expect(await check('aetna')).toEqual({ allowed: true, consentId: toAetna }), { timeoutMs: 60_000 });
    expect(await check('cigna')).toMatchObject({ allowed: false });
    expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.consent_revocations WHERE consent_id = $1`, [toCigna])).toHaveLength(1);
    // Had the revocation been dead-lettered, the patient's key would be parked behind it (and the later grant with it).
    expect(await kit.infra.adminQuery(`SELECT 1 FROM insurance.parked_keys WHERE key = $1`, [patientId])).toEqual([]);
  });
});
