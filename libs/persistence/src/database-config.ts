/**
 * Where the databases are, and who logs in. Two kinds of login, never mixed:
 * - `DATABASE_URL`, the administrative login: only the migrate step uses it (schemas, roles, migrations).
 * - `IOP_<SERVICE>_DATABASE_URL`, the service's own role `iop_<service>`: the only login a running service has.
 *   Outside production it may be left out; it is then DATABASE_URL's server and database as `iop_<service>`
 *   without a password (local trust authentication).
 */
export function adminDatabaseUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/iop';
}

/** The login role a service serves requests as: it reaches only its own schema and is subject to row-level security. */
export function serviceRoleName(service: string): string {
  return `iop_${service}`;
}

/** The variable holding a service's own login, e.g. `IOP_INTAKE_DATABASE_URL`. */
export function serviceDatabaseUrlVariable(service: string): string {
  return `IOP_${service.toUpperCase()}_DATABASE_URL`;
}

/**
 * The URL a service serves requests with. Given an administrative URL, the service role's URL on that
 * server and database (no password: for tests and tools that provision their own schemas). Otherwise
 * `IOP_<SERVICE>_DATABASE_URL`, which production requires, falling back to `DATABASE_URL` in development.
 */
export function serviceDatabaseUrl(service: string, adminUrl?: string): string {
  if (adminUrl === undefined) {
    const own = configuredServiceDatabaseUrl(service);
    if (own) return own;
    if (process.env['NODE_ENV'] === 'production') {
      throw new Error(
        `${serviceDatabaseUrlVariable(service)} must be set in production: the ${service} service logs in only as its own role ${serviceRoleName(service)}, never with DATABASE_URL`,
      );
    }
  }
  const url = new URL(adminUrl ?? adminDatabaseUrl());
  url.username = serviceRoleName(service);
  url.password = '';
  return url.toString();
}

/** `IOP_<SERVICE>_DATABASE_URL` when set; it must log in as the service's role, which the migrate step grants its schema to. */
export function configuredServiceDatabaseUrl(service: string): string | undefined {
  const variable = serviceDatabaseUrlVariable(service);
  const value = process.env[variable];
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${variable} is not a URL (postgres://${serviceRoleName(service)}:<password>@<host>:5432/<database>)`);
  }
  const user = decodeURIComponent(url.username);
  if (user !== serviceRoleName(service)) {
    throw new Error(`${variable} logs in as "${user}", but the ${service} service's role is ${serviceRoleName(service)}`);
  }
  return value;
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Identifiers we build SQL from are ours (service names), but check anyway: SQL injection by config is still injection. */
export function assertSqlIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`"${name}" is not a safe SQL identifier`);
  return name;
}
