import { randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  dropRedisKeys,
  expectProblem,
  factories,
  registryClient,
  type RunningApp,
  startApp,
  TEST_AUDIENCE,
  type TestDatabase,
  testConfig,
  waitFor,
} from '@sp/testing';
import {
  calculateJwkThumbprint,
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose';
import { sql } from 'kysely';
import { publishLeadMs } from '../src/access/signing-key.store';
import { appModule, description } from '../src/app.module';
import { configSchema } from '../src/config';

/**
 * The registry's signing-key table under a flood of made-up `kid`s, and its published JWKS.
 * Reads of `registry.signing_key` are counted by Postgres itself (pg_stat_user_tables: every
 * sequential or index scan of the table), after the app has closed its connections so that
 * every backend has flushed its counters.
 */
const defaults = configSchema.parse({ PORT: '0' });
const PARTNER_ISSUER = defaults.AUTH_PARTNER_ISSUER;
const RELOAD_FLOOR_MS = defaults.AUTH_KEY_RELOAD_FLOOR_MS;
const JWKS_MAX_AGE_SECONDS = defaults.AUTH_JWKS_MAX_AGE_SECONDS;
const DAY_S = 86_400;

let database: TestDatabase;
/** The registry the current test started (each starts its own, to count its reads). */
let current: RunningApp | undefined;
let partnerId = '';
const make = factories({
  get database() {
    return database;
  },
  get running() {
    if (!current) throw new Error('no registry running');
    return current;
  },
});

const startRegistry = async () => {
  current = await startApp(appModule, testConfig({ DATABASE_URL: database.url }), description);
  partnerId ||= (await make.partner({ country: 'GB', status: 'primary' })).id;
  return current;
};

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
  await dropRedisKeys();
});

/** Scans of registry.signing_key so far, as the statistics collector has them. */
async function signingKeyReads(): Promise<number> {
  const { rows } = await sql<{ reads: string }>`
    select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) as reads
    from pg_stat_user_tables where schemaname = 'registry' and relname = 'signing_key'`.execute(
    database.db,
  );
  return Number(rows[0]?.reads ?? 0);
}

/** Closes the app and waits until its database sessions are gone (each flushes its statistics on exit). */
async function closeAndFlush(running: RunningApp): Promise<void> {
  await running.close();
  await waitFor(async () => {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from pg_stat_activity
      where datname = current_database() and application_name = 'partner-registry'`.execute(
      database.db,
    );
    return Number(rows[0]?.n) === 0;
  }, 'the registry to close its database sessions');
}

/** A signing key as another replica would have made it: straight into the table. */
async function insertSigningKey(createdAgoSeconds = 0): Promise<{ kid: string; key: CryptoKey }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
  const kid = await calculateJwkThumbprint(publicJwk);
  await database.db
    .insertInto('registry.signingKey')
    .values({
      kid,
      alg: 'ES256',
      publicJwk: JSON.stringify({ ...publicJwk, kid }),
      privateJwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }),
      createdAt: sql<Date>`now() - make_interval(secs => ${createdAgoSeconds})`,
    })
    .execute();
  return { kid, key: privateKey };
}

const partnerToken = (kid: string, key: CryptoKey, clientId: string) =>
  new SignJWT({ partner_id: partnerId, client_id: clientId, scope: 'registry:read' })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .setIssuer(PARTNER_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setSubject(clientId)
    .setIssuedAt()
    .setExpirationTime('10m')
    .setJti(randomUUID())
    .sign(key);

it('a flood of 1,000 unknown kids reads the key table at most once per reload interval, and valid tokens pass throughout', async () => {
  const signing = await insertSigningKey();
  const running = await startRegistry();
  const get = async (token: string) =>
    (
      await registryClient(running, token).GET('/partners/{id}', {
        params: { path: { id: partnerId } },
      })
    ).response.status;
  let closed = false;
  try {
    const clientId = (await make.apiClient(partnerId, { name: 'Flood test' })).id;

    const before = await signingKeyReads();
    const started = Date.now();
    // Forgeries: well-formed partner tokens, each naming a kid nobody ever made.
    const forger = await generateKeyPair('ES256');
    let sent = 0;
    const floodStatuses: number[] = [];
    const flood = Promise.all(
      Array.from({ length: 100 }, async () => {
        while (sent < 1_000) {
          sent++;
          floodStatuses.push(
            await get(await partnerToken(`made-up-${randomUUID()}`, forger.privateKey, clientId)),
          );
        }
      }),
    );
    // Meanwhile a partner keeps calling with fresh (never cached) valid tokens.
    const validStatuses: number[] = [];
    let flooding = true;
    const valid = (async () => {
      while (flooding)
        validStatuses.push(await get(await partnerToken(signing.kid, signing.key, clientId)));
    })();
    await flood;
    flooding = false;
    await valid;
    const elapsed = Date.now() - started;
    await closeAndFlush(running);
    closed = true;

    const reads = (await signingKeyReads()) - before;
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsed / RELOAD_FLOOR_MS) + 1);
    expect(floodStatuses).toHaveLength(1_000);
    expect(new Set(floodStatuses)).toEqual(new Set([401]));
    expect(validStatuses.length).toBeGreaterThan(0);
    expect(new Set(validStatuses)).toEqual(new Set([200]));
  } finally {
    if (!closed) await running.close();
  }
}, 120_000);

it('serves the JWKS from memory (one read per max-age), cacheable, shows a rotated key at once, and limits callers', async () => {
  // A key past its signing life (the rotation period and the next key's lead), still published.
  const old = await insertSigningKey(
    defaults.AUTH_KEY_ROTATION_DAYS * DAY_S + publishLeadMs(defaults) / 1000 + 60,
  );
  const running = await startRegistry();
  const jwks = () => registryClient(running).GET('/.well-known/jwks.json');
  let closed = false;
  try {
    const before = await signingKeyReads();
    const started = Date.now();
    const kids: string[][] = [];
    for (let i = 0; i < 50; i++) {
      const { data, response } = await jwks();
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe(`public, max-age=${JWKS_MAX_AGE_SECONDS}`);
      kids.push(data!.keys.map((k) => String(k['kid'])));
    }
    expect(kids.every((k) => k.includes(old.kid))).toBe(true);

    // This replica rotates (the only key is too old to sign, so the new one signs at once): the
    // JWKS shows the new key now, not after the cache's max-age.
    const client = await make.apiClient(partnerId, { name: 'JWKS test' });
    const token = await client.tokens.token(); // throws unless 200
    const newKid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())
      .kid as string;
    expect(newKid).not.toBe(old.kid);
    const after = (await jwks()).data!;
    expect(after.keys.map((k) => k['kid']).sort()).toEqual([old.kid, newKid].sort());

    // Limited per address like any public route: a client that keeps calling gets 429.
    let limited: Awaited<ReturnType<typeof jwks>> | undefined;
    for (let i = 0; i < 300 && !limited; i++) {
      const res = await jwks();
      if (res.response.status === 429) limited = res;
    }
    expect(limited).toBeDefined();
    expectProblem(limited!, 429, 'too-many-requests');
    const totalElapsed = Date.now() - started;

    await closeAndFlush(running);
    closed = true;
    // Some 170 JWKS calls: one read per max-age at most, plus the rotation's own two (the
    // token endpoint finding no young key, the reload that publishes the new one).
    const reads = (await signingKeyReads()) - before;
    expect(reads).toBeLessThanOrEqual(Math.ceil(totalElapsed / (JWKS_MAX_AGE_SECONDS * 1000)) + 2);
  } finally {
    if (!closed) await running.close();
  }
}, 120_000);
