import {
  type RunningApp,
  staffToken,
  startApp,
  testConfig,
  useTestApp,
  waitFor,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';
import { configSchema } from '../src/config';

/**
 * An ended partnership and a revoked client lose their API access: no new clients, no new
 * tokens, and tokens already issued refused within AUTH_PARTNER_ACCESS_CACHE_MS, on every
 * replica (the second one here shares the database but not the first one's memory).
 */
const ctx = useTestApp(appModule, description, { seed: true });
const BOUND_MS = configSchema.parse({ PORT: '0' }).AUTH_PARTNER_ACCESS_CACHE_MS;
/** The bound, plus room for a loaded test machine to answer. */
const WITHIN_BOUND = { timeoutMs: BOUND_MS + 2_000, intervalMs: 100 };

let replica: RunningApp;
let admin = '';
beforeAll(async () => {
  admin = await staffToken('admin', 'alice');
  replica = await startApp(appModule, testConfig({ DATABASE_URL: ctx.database.url }), description);
});
afterAll(async () => {
  await replica?.close();
});

const asAdmin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${ctx.running.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${admin}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
};

async function partnerIn(country: string): Promise<string> {
  const list = await asAdmin('GET', `/partners?country=${country}`);
  return list.body.items[0].id as string;
}

async function newClient(partnerId: string) {
  const res = await asAdmin('POST', `/partners/${partnerId}/clients`, {
    name: 'Data sync',
    scopes: ['registry:read'],
  });
  expect(res.status).toBe(201);
  return { id: res.body.client.id as string, secret: res.body.clientSecret as string };
}

const tokenFor = (client: { id: string; secret: string }) =>
  fetch(`${ctx.running.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.id,
      client_secret: client.secret,
    }).toString(),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));

const readPartner = (app: RunningApp, partnerId: string, token: string) =>
  fetch(`${app.url}/partners/${partnerId}`, {
    headers: { authorization: `Bearer ${token}` },
  }).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });

it('ending a partnership revokes its clients (audited, in the same change), refuses new ones, and its issued tokens within the bound', async () => {
  const partnerId = await partnerIn('GB');
  const first = await newClient(partnerId);
  const second = await newClient(partnerId);
  const issued = await tokenFor(first);
  expect(issued.status).toBe(200);
  const token = issued.body.access_token as string;
  expect(await readPartner(ctx.running, partnerId, token)).toBe(200);
  // The other replica has checked the client too, and remembers the answer.
  expect(await readPartner(replica, partnerId, token)).toBe(200);

  const ended = await asAdmin('PATCH', `/partners/${partnerId}`, { status: 'ended' });
  expect(ended.status).toBe(200);

  const clients = await ctx.database.db
    .selectFrom('registry.apiClient')
    .select(['id', 'revokedAt'])
    .where('partnerId', '=', partnerId)
    .execute();
  expect(clients.map((c) => c.id).sort()).toEqual([first.id, second.id].sort());
  expect(clients.every((c) => c.revokedAt !== null)).toBe(true);
  const audits = await ctx.database.db
    .selectFrom('registry.auditLog')
    .select(['entityId', 'actorId', 'after'])
    .where('entity', '=', 'api-client')
    .where('action', '=', 'revoke')
    .execute();
  expect(audits.map((a) => a.entityId).sort()).toEqual([first.id, second.id].sort());
  expect(audits.every((a) => a.actorId === 'alice')).toBe(true);
  expect(audits.every((a) => (a.after as { revokedAt: string | null }).revokedAt)).toBe(true);

  // At once on the replica that ended it; within the bound on the other.
  expect(await readPartner(ctx.running, partnerId, token)).toBe(401);
  await waitFor(
    async () => (await readPartner(replica, partnerId, token)) === 401,
    'the other replica to refuse the ended partner’s token',
    WITHIN_BOUND,
  );
  expect((await tokenFor(second)).status).toBe(401);
  const refused = await asAdmin('POST', `/partners/${partnerId}/clients`, {
    name: 'After the end',
    scopes: ['registry:read'],
  });
  expect(refused.status).toBe(409);
  expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(refused.body.type).toBe('/problems/conflict');
  expect(
    await ctx.database.db
      .selectFrom('registry.apiClient')
      .select('id')
      .where('partnerId', '=', partnerId)
      .execute(),
  ).toHaveLength(2);
});

it('a client of an ended partner gets no token even if its row was somehow left unrevoked', async () => {
  const partnerId = await partnerIn('KR');
  const client = await newClient(partnerId);
  await ctx.database.db
    .updateTable('registry.partner')
    .set({ status: 'ended' })
    .where('id', '=', partnerId)
    .execute();
  const res = await tokenFor(client);
  expect(res.status).toBe(401);
  expect(res.body.error).toBe('invalid_client');
});

it('revoking one client stops its issued tokens within the same bound, on every replica', async () => {
  const partnerId = await partnerIn('SE');
  const revoked = await newClient(partnerId);
  const kept = await newClient(partnerId);
  const token = (await tokenFor(revoked)).body.access_token as string;
  const keptToken = (await tokenFor(kept)).body.access_token as string;
  expect(await readPartner(replica, partnerId, token)).toBe(200);

  expect((await asAdmin('POST', `/clients/${revoked.id}/revoke`)).status).toBe(200);

  expect(await readPartner(ctx.running, partnerId, token)).toBe(401);
  await waitFor(
    async () => (await readPartner(replica, partnerId, token)) === 401,
    'the other replica to refuse the revoked client’s token',
    WITHIN_BOUND,
  );
  // The partner's other client is untouched.
  expect(await readPartner(replica, partnerId, keptToken)).toBe(200);
  expect(await readPartner(ctx.running, partnerId, keptToken)).toBe(200);
});
