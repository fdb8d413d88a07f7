import { configuredServiceDatabaseUrl, serviceDatabaseUrl, serviceDatabaseUrlVariable } from './database-config';

describe('database configuration', () => {
  const VARIABLES = ['NODE_ENV', 'DATABASE_URL', 'IOP_INTAKE_DATABASE_URL'] as const;
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  beforeEach(() => VARIABLES.forEach((name) => Reflect.deleteProperty(process.env, name)));
  afterAll(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = saved[name];
    }
  });

  it("names each service's own login variable", () => {
    expect(serviceDatabaseUrlVariable('intake')).toBe('IOP_INTAKE_DATABASE_URL');
  });

  it("serves with the service's own URL when given, password and all", () => {
    process.env['DATABASE_URL'] = 'postgres://postgres:admin-secret@db:5432/iop';
    process.env['IOP_INTAKE_DATABASE_URL'] = 'postgres://iop_intake:intake-secret@db:5432/iop';
    expect(serviceDatabaseUrl('intake')).toBe('postgres://iop_intake:intake-secret@db:5432/iop');
  });

  it("in development, falls back to DATABASE_URL's server as the service's role, without the administrator's password", () => {
    process.env['DATABASE_URL'] = 'postgres://postgres:admin-secret@db:5432/iop';
    expect(serviceDatabaseUrl('intake')).toBe('postgres://iop_intake@db:5432/iop');
  });

  it('in production, refuses to fall back: the service must be given its own login', () => {
    process.env['NODE_ENV'] = 'production';
    process.env['DATABASE_URL'] = 'postgres://postgres:admin-secret@db:5432/iop';
    expect(() => serviceDatabaseUrl('intake')).toThrow(/^IOP_INTAKE_DATABASE_URL must be set in production/);
  });

  it("refuses a service URL that logs in as any role but the service's (the administrator's, say)", () => {
    process.env['IOP_INTAKE_DATABASE_URL'] = 'postgres://postgres:admin-secret@db:5432/iop';
    expect(() => configuredServiceDatabaseUrl('intake')).toThrow('IOP_INTAKE_DATABASE_URL logs in as "postgres", but the intake service\'s role is iop_intake');
    process.env['IOP_INTAKE_DATABASE_URL'] = 'not a url';
    expect(() => configuredServiceDatabaseUrl('intake')).toThrow(/IOP_INTAKE_DATABASE_URL is not a URL/);
  });
});
