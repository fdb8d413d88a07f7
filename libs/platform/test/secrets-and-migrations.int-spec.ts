import { Module, type INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { platformTablesMigration, provisionServiceDatabase, serviceDatabaseUrl, serviceDatabaseUrlVariable } from '@iop/persistence';
import { tokenFor, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { PlatformModule, PlatformRuntime, createServiceApp, migrateService } from '../src';

/** Two services as the platform builds them: intake with a site directory, scheduling without. */
@Module({ imports: [PlatformModule.forService({ service: 'intake', siteDirectory: true })] })
class IntakeService {}

@Module({ imports: [PlatformModule.forService({ service: 'scheduling', siteDirectory: false })] })
class SchedulingService {}

const INTAKE_URL = serviceDatabaseUrlVariable('intake');
const VARIABLES = ['DATABASE_URL', INTAKE_URL, 'NODE_ENV', 'AUTH_JWKS_URL'] as const;

describe('secrets and migrations: the migrate step as administrator, the service as its own role', () => {
  let infra: TestInfrastructure;
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    infra = await useTestInfrastructure();
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const name of VARIABLES) {
      if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = saved[name];
    }
  });

  /** The service as a deployment runs it: no administrator URL anywhere in its environment, only its own login. */
  const startAsDeployed = async (rootModule: typeof IntakeService): Promise<INestApplication> => {
    delete process.env['DATABASE_URL'];
    process.env[INTAKE_URL] = serviceDatabaseUrl('intake', infra.databaseUrl);
    const app = await createServiceApp(rootModule, { title: 'intake', description: 'intake' });
    apps.push(app);
    await app.get(PlatformRuntime).whenMessagingStarted();
    return app;
  };

  const migrationsOf = (schema: string) => infra.adminQuery<{ name: string }>(`SELECT name FROM ${schema}.migrations ORDER BY id`);

  it('a service started before the migrate step refuses to start, and says to run it', async () => {
    delete process.env['DATABASE_URL'];
    process.env[INTAKE_URL] = serviceDatabaseUrl('intake', infra.databaseUrl);
    await expect(createServiceApp(IntakeService, { title: 'intake', description: 'intake' })).rejects.toThrow(/run the migrate step first/);
  });

  it('the migrate step is idempotent: a second run (and a concurrent one) changes nothing', async () => {
    await migrateService(IntakeService, infra.databaseUrl);
    const first = await migrationsOf('intake');
    expect(first.map((m) => m.name)).toEqual([
      'PlatformTables1763800000000',
      expect.stringMatching(/^SiteDirectory/),
      'OutboxParking1764590000000',
      'SiteVisibleById1764595000000',
      'ParkedKeys1764596000000',
    ]);

    await Promise.all([migrateService(IntakeService, infra.databaseUrl), migrateService(IntakeService, infra.databaseUrl)]);
    expect(await migrationsOf('intake')).toEqual(first);
  });

  it('a service started without the administrator URL serves as its own role', async () => {
    await migrateService(IntakeService, infra.databaseUrl);
    const app = await startAsDeployed(IntakeService);

    expect(process.env['DATABASE_URL']).toBeUndefined();
    const [who] = (await app.get(DataSource).query('SELECT current_user AS role, session_user AS login')) as Array<{ role: string; login: string }>;
    expect(who).toEqual({ role: 'iop_intake', login: 'iop_intake' });

    const admin = await tokenFor('network_admin');
    await request(app.getHttpServer()).get('/health/ready').expect(200);
    await request(app.getHttpServer()).get('/site-directory').set('authorization', `Bearer ${admin}`).expect(200);
  });

  it("the service's role cannot reach another service's schema, nor change its own migrations", async () => {
    await migrateService(SchedulingService, infra.databaseUrl);
    await migrateService(IntakeService, infra.databaseUrl);
    const app = await startAsDeployed(IntakeService);
    const intake = app.get(DataSource);

    await expect(intake.query('SELECT count(*) FROM scheduling.outbox')).rejects.toThrow(/permission denied for schema scheduling/);
    await expect(intake.query('SELECT count(*) FROM scheduling.migrations')).rejects.toThrow(/permission denied for schema scheduling/);
    await expect(intake.query('CREATE TABLE scheduling.planted (id int)')).rejects.toThrow(/permission denied for schema scheduling/);
    // Its own schema: it may read which migrations ran (to refuse a schema that is behind) but not rewrite that history.
    await expect(intake.query('SELECT count(*) FROM intake.migrations')).resolves.toBeDefined();
    await expect(intake.query('DELETE FROM intake.migrations')).rejects.toThrow(/permission denied for table migrations/);
    await expect(intake.query('CREATE TABLE intake.planted (id int)')).rejects.toThrow(/permission denied for schema intake/);
  });

  it('a service refuses the administrator login as its own', async () => {
    await migrateService(IntakeService, infra.databaseUrl);
    delete process.env['DATABASE_URL'];
    process.env[INTAKE_URL] = infra.databaseUrl;
    await expect(createServiceApp(IntakeService, { title: 'intake', description: 'intake' })).rejects.toThrow(
      /IOP_INTAKE_DATABASE_URL logs in as "postgres", but the intake service's role is iop_intake/,
    );
  });

  it('in production a service needs its own login and never falls back to DATABASE_URL', async () => {
    await migrateService(IntakeService, infra.databaseUrl);
    process.env['NODE_ENV'] = 'production';
    process.env['AUTH_JWKS_URL'] = 'https://login.example.org/realms/iop/protocol/openid-connect/certs';
    process.env['DATABASE_URL'] = infra.databaseUrl;
    Reflect.deleteProperty(process.env, INTAKE_URL);
    await expect(createServiceApp(IntakeService, { title: 'intake', description: 'intake' })).rejects.toThrow(
      /IOP_INTAKE_DATABASE_URL must be set in production/,
    );
  });

  describe('each role its own password', () => {
    // A throwaway service name: roles are server-wide, and the five services' roles are shared with other runs.
    const service = `secrets_spec_${Math.random().toString(36).slice(2, 8)}`;
    const role = `iop_${service}`;
    const variable = serviceDatabaseUrlVariable(service);

    afterAll(async () => {
      Reflect.deleteProperty(process.env, variable);
      await infra.adminQuery(`DROP SCHEMA IF EXISTS ${service} CASCADE`);
      await infra.adminQuery(`DROP OWNED BY ${role}`).catch(() => undefined);
      await infra.adminQuery(`DROP ROLE IF EXISTS ${role}`);
    });

    it("the migrate step gives the role the password from the service's own URL, and the service logs in with it", async () => {
      const url = new URL(serviceDatabaseUrl(service, infra.databaseUrl));
      url.password = encodeURIComponent("it's-only-this-service's-0123456789");
      process.env[variable] = url.toString();
      await provisionServiceDatabase({ service, migrations: [platformTablesMigration(service)] }, infra.databaseUrl);

      const [stored] = await infra.adminQuery<{ scram: boolean }>(`SELECT rolpassword LIKE 'SCRAM-SHA-256$%' AS scram FROM pg_authid WHERE rolname = $1`, [
        role,
      ]);
      expect(stored).toEqual({ scram: true });
      const client = new Client({ connectionString: url.toString() });
      await client.connect();
      try {
        expect((await client.query('SELECT current_user AS role')).rows).toEqual([{ role }]);
      } finally {
        await client.end();
      }
    });

    it('refuses a service URL that logs in as another role, before touching the database', async () => {
      process.env[variable] = serviceDatabaseUrl('scheduling', infra.databaseUrl);
      await expect(provisionServiceDatabase({ service, migrations: [platformTablesMigration(service)] }, infra.databaseUrl)).rejects.toThrow(
        `${variable} logs in as "iop_scheduling", but the ${service} service's role is ${role}`,
      );
    });
  });
});
