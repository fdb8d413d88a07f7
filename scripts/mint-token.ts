/**
 * Mints a development access token (HS256, AUTH_JWT_SECRET or the development secret).
 *   npm run token -- --role network_admin
 *   npm run token -- --role intake_coordinator --site <site-uuid> [--site <uuid>] [--sub alice] [--expires 8h]
 */
import { parseArgs } from 'node:util';
import { ROLES, mintDevelopmentToken } from '@iop/auth';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true, default: ['network_admin'] },
      site: { type: 'string', multiple: true, default: [] },
      sub: { type: 'string', default: 'dev-user' },
      expires: { type: 'string', default: '8h' },
    },
  });
  const unknown = values.role.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) {
    process.stderr.write(`unknown role ${unknown.join(', ')}; roles are: ${ROLES.join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`${await mintDevelopmentToken({ subject: values.sub, roles: values.role, sites: values.site, expiresIn: values.expires })}\n`);
}

void main();
