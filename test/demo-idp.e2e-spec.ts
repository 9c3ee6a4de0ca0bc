/**
 * The compose demo's way in: demo/idp.mjs, run as its own process exactly as the `demo-idp`
 * service runs it, signs staff tokens that an app in production mode, configured as
 * docker-compose.yml configures the apps (issuer + JWKS URL), accepts with the asked role.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startApp, testConfig, useTestApp, waitFor } from '@sp/testing';
import { appModule, description } from '../apps/symposium/src/app.module';

const root = join(__dirname, '..');
const db = useTestApp(appModule, description);

let idp: ChildProcess | undefined;
let idpUrl = '';
let output = '';

beforeAll(async () => {
  idp = spawn(process.execPath, ['demo/idp.mjs'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DEMO_IDP_ISSUER: 'urn:sp:demo-idp' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [idp.stdout, idp.stderr]) stream?.on('data', (d) => (output += String(d)));
  await waitFor(() => /on port \d+/.test(output) || idp?.exitCode !== null, 'the demo IdP');
  const port = /on port (\d+)/.exec(output)?.[1];
  if (!port) throw new Error(`the demo IdP did not start:\n${output}`);
  idpUrl = `http://127.0.0.1:${port}`;
});

/** Stops the IdP and waits for it to exit, so the next file in this Jest worker starts clean. */
afterAll(async () => {
  const child = idp;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
});

it('signs staff tokens that a production-mode app configured like compose accepts', async () => {
  // The issuer the compose file gives the apps, so the two cannot drift apart.
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as {
    services: Record<string, { environment: Record<string, string> }>;
  };
  const issuer = compose.services['symposium']?.environment['AUTH_STAFF_ISSUER'];
  expect(issuer).toBe('urn:sp:demo-idp');
  expect(output).toMatch(/DEMO identity provider .*never use it in production/);

  const app = await startApp(
    appModule,
    testConfig({
      DATABASE_URL: db.database.url,
      NODE_ENV: 'production',
      AUTH_STAFF_ISSUER: issuer,
      AUTH_STAFF_JWKS_URL: `${idpUrl}/.well-known/jwks.json`,
      // Production refuses to start without the symposium's own link secret, as compose sets.
      SYMPOSIUM_LINK_SECRET:
        compose.services['symposium']?.environment['SYMPOSIUM_LINK_SECRET'] ?? '',
      // And its public address, which compose sets to this machine's.
      SYMPOSIUM_PUBLIC_URL:
        compose.services['symposium']?.environment['SYMPOSIUM_PUBLIC_URL'] ?? '',
      QUEUES_ENABLED: 'false',
    }),
    description,
  );
  try {
    const token = async (query: string) => {
      const res = await fetch(`${idpUrl}/token?${query}`);
      expect(res.status).toBe(200);
      return (await res.text()).trim();
    };
    const audit = async (bearer?: string) =>
      (
        await fetch(
          `${app.url}/audit?entity=symposium&entityId=00000000-0000-4000-8000-000000000000`,
          {
            headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
          },
        )
      ).status;

    expect(await audit(await token('role=admin&sub=alice'))).toBe(200);
    expect(await audit(await token('role=viewer'))).toBe(403);
    expect(await audit()).toBe(401);

    const bad = await fetch(`${idpUrl}/token?role=root`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
  } finally {
    await app.close();
  }
});
