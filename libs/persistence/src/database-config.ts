/** Where the databases are. `DATABASE_URL` names an administrative login; services serve as their own role. */
export function adminDatabaseUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/iop';
}

/** The login role a service serves requests as: it reaches only its own schema and is subject to row-level security. */
export function serviceRoleName(service: string): string {
  return `iop_${service}`;
}

export function serviceDatabaseUrl(service: string, adminUrl = adminDatabaseUrl()): string {
  const url = new URL(adminUrl);
  url.username = serviceRoleName(service);
  const password = process.env['SERVICE_DB_PASSWORD'];
  url.password = password ? encodeURIComponent(password) : '';
  return url.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Identifiers we build SQL from are ours (service names), but check anyway: SQL injection by config is still injection. */
export function assertSqlIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`"${name}" is not a safe SQL identifier`);
  return name;
}
