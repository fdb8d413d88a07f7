/**
 * Mints a development access token (HS256, AUTH_JWT_SECRET or the development secret).
 *   npm run token -- --role network_admin
 *   npm run token -- --role intake_coordinator --site <site-uuid> [--site <uuid>] [--subject alice] [--expires 8h]
 * Without --subject each token names its own caller (`dev-user-<random>`), so that two people's tokens
 * never share an identity in the audit trail. --expires must stay within AUTH_MAX_TOKEN_LIFETIME_SECONDS
 * (12 h by default), or the services refuse the token.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ROLES, mintDevelopmentToken } from '@iop/auth';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true, default: ['network_admin'] },
      site: { type: 'string', multiple: true, default: [] },
      subject: { type: 'string' },
      // The old spelling, still accepted.
      sub: { type: 'string' },
      expires: { type: 'string', default: '8h' },
    },
  });
  const unknown = values.role.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) {
    process.stderr.write(`unknown role ${unknown.join(', ')}; roles are: ${ROLES.join(', ')}\n`);
    process.exit(2);
  }
  const subject = values.subject ?? values.sub ?? `dev-user-${randomBytes(6).toString('hex')}`;
  process.stdout.write(`${await mintDevelopmentToken({ subject, roles: values.role, sites: values.site, expiresIn: values.expires })}\n`);
}

void main();
