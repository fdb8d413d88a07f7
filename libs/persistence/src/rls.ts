import { assertSqlIdentifier } from './database-config';

/**
 * SQL that puts a table under site isolation. FORCE applies the policy to the table owner too;
 * only superusers (migrations) bypass it. Services connect as non-owner roles.
 */
export function siteIsolationSql(schema: string, table: string, column = 'site_id', opts: { allowNullSite?: boolean } = {}): string[] {
  const s = assertSqlIdentifier(schema);
  const t = assertSqlIdentifier(table);
  const c = assertSqlIdentifier(column);
  const predicate = opts.allowNullSite ? `(${c} IS NULL OR ${s}.site_visible(${c}))` : `${s}.site_visible(${c})`;
  return [
    `ALTER TABLE ${s}.${t} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${s}.${t} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY ${t}_site_isolation ON ${s}.${t} USING (${predicate}) WITH CHECK (${predicate})`,
  ];
}

/** The predicate every site policy uses; `*` is set only for network-wide work (network admins, event consumers). */
export function siteVisibleFunctionSql(schema: string): string {
  const s = assertSqlIdentifier(schema);
  return `CREATE OR REPLACE FUNCTION ${s}.site_visible(site uuid) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT coalesce(current_setting('app.site_ids', true), '') = '*'
          OR site::text = ANY (string_to_array(coalesce(current_setting('app.site_ids', true), ''), ','))
    $$`;
}

/**
 * The same predicate comparing uuids rather than text: `site_id::text` hid the column from the planner's statistics,
 * so it guessed that about 1% of any table was visible and chose plans (sort everything, then take a page) that
 * are only good for small sets. Compared as uuids, the estimate is the column's own. Site ids in the setting are
 * uuids (tokens carry validated uuids); `*` is still network-wide, and never reaches the cast (the planner may
 * evaluate the array first, as an index condition).
 */
export function siteVisibleByIdFunctionSql(schema: string): string {
  const s = assertSqlIdentifier(schema);
  return `CREATE OR REPLACE FUNCTION ${s}.site_visible(site uuid) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT coalesce(current_setting('app.site_ids', true), '') = '*'
          OR site = ANY (string_to_array(nullif(coalesce(current_setting('app.site_ids', true), ''), '*'), ',')::uuid[])
    $$`;
}
