#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { staffRoleSchema } from '@sp/types';
import { loadDevKey, mintDevStaffToken } from '../auth/dev-issuer';

/**
 * `npm run token -- --role admin --sub alice`: a staff token from the development issuer, for
 * curl and the docs page. Refused in production, where the identity provider issues tokens.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', default: 'staff' },
      sub: { type: 'string', default: 'dev-user' },
      // One hour: the services refuse staff tokens older than AUTH_MAX_TOKEN_AGE_SECONDS (3600).
      ttl: { type: 'string', default: '3600' },
    },
  });
  const role = staffRoleSchema.safeParse(values.role);
  if (!role.success)
    throw new Error(`--role must be one of: ${staffRoleSchema.options.join(', ')}`);
  const key = await loadDevKey(process.env['AUTH_DEV_KEY_FILE'] || 'var/dev-auth/staff-key.json');
  const token = await mintDevStaffToken(key, {
    sub: values.sub,
    role: role.data,
    audience: process.env['AUTH_AUDIENCE'] || 'strategic-partnerships',
    ttlSeconds: Number(values.ttl),
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
