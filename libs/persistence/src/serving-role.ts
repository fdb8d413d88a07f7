import type { DataSource } from 'typeorm';
import { assertSqlIdentifier, serviceDatabaseUrlVariable, serviceRoleName } from './database-config';

/** How to run the migrate step, for error messages. */
export const MIGRATE_HINT = (service: string) =>
  `run the migrate step first (node dist/apps/${service}/apps/${service}/src/main.js migrate, as the administrator: the Kubernetes Job ${service}-migrate, compose's migrate service; npm start and the test harness do it for you)`;

/**
 * Checks, before a service serves anything, that it is connected the way row-level security assumes:
 * as a role that is neither a superuser nor exempt from row-level security, that may use the service's
 * schema, and on a schema the migrate step has brought up to date. Any other state refuses to start
 * with a message that says what to do.
 */
export async function assertReadyToServe(dataSource: DataSource, service: string, expectedMigrations: readonly string[]): Promise<void> {
  const schema = assertSqlIdentifier(service);
  const [me] = (await dataSource.query(
    `WITH s AS (SELECT EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = $1 AND has_schema_privilege(current_user, n.oid, 'USAGE')) AS usage)
     SELECT current_user AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypass, s.usage,
            CASE WHEN s.usage THEN to_regclass($2) IS NOT NULL ELSE false END AS migrated
       FROM pg_roles r, s WHERE r.rolname = current_user`,
    [schema, `${schema}.migrations`],
  )) as Array<{ role: string; superuser: boolean; bypass: boolean; usage: boolean; migrated: boolean }>;
  if (!me) throw new Error(`${service}: cannot see its own database role`);
  if (me.superuser || me.bypass) {
    throw new Error(
      `${service} refuses to serve as "${me.role}": that role ${me.superuser ? 'is a superuser' : 'bypasses row-level security'}. ` +
        `Set ${serviceDatabaseUrlVariable(service)} to the login of ${serviceRoleName(service)}.`,
    );
  }
  if (!me.usage || !me.migrated) {
    throw new Error(`${service}: the schema "${schema}" is not provisioned for role ${me.role}; ${MIGRATE_HINT(service)}`);
  }
  const applied = new Set(((await dataSource.query(`SELECT name FROM ${schema}.migrations`)) as Array<{ name: string }>).map((row) => row.name));
  const pending = expectedMigrations.filter((name) => !applied.has(name));
  if (pending.length > 0) {
    throw new Error(`${service}: the schema "${schema}" lacks the migrations ${pending.join(', ')}; ${MIGRATE_HINT(service)}`);
  }
}
