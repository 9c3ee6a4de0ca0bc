import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { loadConfig } from '@sp/platform';
import {
  expectProblem,
  registryClient,
  staffToken,
  TestIdentityProvider,
  useTestApp,
} from '@sp/testing';
import { configSchema } from '../src/config';
import { appModule, description } from '../src/app.module';

/** Staff tokens from a real identity provider's JWKS, and the development issuer's limits. */
let idp: TestIdentityProvider;

beforeAll(async () => {
  idp = await TestIdentityProvider.start();
});

afterAll(async () => {
  await idp?.close();
});

const ctx = useTestApp(appModule, description, {
  env: {
    AUTH_STAFF_ISSUER: 'https://idp.test.example/',
    get AUTH_STAFF_JWKS_URL() {
      return idp.jwksUrl;
    },
    AUTH_JWKS_COOLDOWN_MS: '0',
  },
});

const partners = (token: string) => registryClient(ctx, token).GET('/partners');

it('trusts the configured identity provider, and nothing else, for staff', async () => {
  expect((await partners(await idp.token('carol', ['viewer']))).response.status).toBe(200);
  expect(
    (await partners(await idp.token('carol', ['viewer'], 'another-audience'))).response.status,
  ).toBe(401);
  expect((await partners(await idp.token('carol', ['janitor']))).response.status).toBe(401);
  // With a real identity provider configured, development tokens are worthless.
  expect((await partners(await staffToken('admin'))).response.status).toBe(401);
});

it('fetches the key set again when the provider rotates its key', async () => {
  expect((await partners(await idp.token('dave', ['staff']))).response.status).toBe(200);
  await idp.rotate();
  expect((await partners(await idp.token('dave', ['staff']))).response.status).toBe(200);
});

it('refuses a staff token without exp, or issued longer ago than AUTH_MAX_TOKEN_AGE_SECONDS', async () => {
  const maxAge = configSchema.parse({ PORT: '0' }).AUTH_MAX_TOKEN_AGE_SECONDS;
  const now = Math.floor(Date.now() / 1000);
  const refused = async (token: string) => {
    const { response } = await partners(token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  };
  // Valid forever, as far as the token says.
  await refused(await idp.tokenWith('erin', ['admin'], { iat: 'now' }));
  // Issued long ago, and still "valid" for a day by its exp.
  await refused(
    await idp.tokenWith('erin', ['admin'], { iat: now - maxAge - 60, exp: now + 86_400 }),
  );
  // No iat: its age cannot be told.
  await refused(await idp.tokenWith('erin', ['admin'], { exp: now + 300 }));
  expect(
    (await partners(await idp.tokenWith('erin', ['admin'], { iat: 'now', exp: '5m' }))).response
      .status,
  ).toBe(200);
});

it("answers 503 with Retry-After, not 401, while the identity provider's key set cannot be fetched", async () => {
  // A new key the service has not seen: it must fetch the key set, and the provider fails.
  await idp.rotate();
  idp.failWith = 500;
  try {
    const res = await partners(await idp.token('frank', ['staff']));
    expectProblem(res, 503, 'service-unavailable');
    expect(res.response.headers.get('retry-after')).toBe('5');
  } finally {
    idp.failWith = undefined;
  }
  expect((await partners(await idp.token('frank', ['staff']))).response.status).toBe(200);
});

it('refuses the development issuer in production', () => {
  expect(() => loadConfig(configSchema, { NODE_ENV: 'production' })).toThrow(
    /AUTH_STAFF_ISSUER: is required when NODE_ENV=production[\s\S]*AUTH_STAFF_JWKS_URL: is required/,
  );
  expect(() =>
    loadConfig(configSchema, {
      NODE_ENV: 'production',
      AUTH_STAFF_ISSUER: 'https://idp/',
      AUTH_STAFF_JWKS_URL: 'https://idp/jwks',
      PUBLIC_BASE_URL: 'https://partners.example.ac.jp',
    }),
  ).not.toThrow();
});

describe('npm run token', () => {
  const cli = join(__dirname, '..', '..', '..', 'packages', 'platform', 'dist', 'cli', 'token.js');
  const dir = mkdtempSync(join(tmpdir(), 'sp-token-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [cli, '--role', 'admin', '--sub', 'alice'], {
      env: { PATH: process.env['PATH'] ?? '', AUTH_DEV_KEY_FILE: join(dir, 'key.json'), ...env },
      encoding: 'utf8',
    });

  it('mints a development staff token', () => {
    const result = run({});
    expect(result.status).toBe(0);
    expect(decodeJwt(result.stdout.trim())).toMatchObject({
      sub: 'alice',
      roles: ['admin'],
      iss: 'urn:sp:dev-staff-issuer',
    });
  });

  it('refuses to when NODE_ENV=production', () => {
    const result = run({ NODE_ENV: 'production' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('refused when NODE_ENV=production');
    expect(result.stdout).toBe('');
  });
});
