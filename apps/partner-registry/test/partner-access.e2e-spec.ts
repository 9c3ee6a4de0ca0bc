import type { RegistryClient } from '@sp/client';
import {
  expectProblem,
  factories,
  form,
  registryClient,
  type RunningApp,
  staffToken,
  startApp,
  type TestApiClient,
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
const ctx = useTestApp(appModule, description);
const make = factories(ctx);
const BOUND_MS = configSchema.parse({ PORT: '0' }).AUTH_PARTNER_ACCESS_CACHE_MS;
/** The bound, plus room for a loaded test machine to answer. */
const WITHIN_BOUND = { timeoutMs: BOUND_MS + 2_000, intervalMs: 100 };

let replica: RunningApp;
let admin: RegistryClient;
beforeAll(async () => {
  admin = registryClient(ctx, await staffToken('admin', 'alice'));
  replica = await startApp(appModule, testConfig({ DATABASE_URL: ctx.database.url }), description);
});
afterAll(async () => {
  await replica?.close();
});

const newClient = (partnerId: string) => make.apiClient(partnerId, { name: 'Data sync' });

/** `POST /oauth/token` with the client's id and secret in the form. */
const tokenFor = (client: TestApiClient) =>
  registryClient(ctx).POST(
    '/oauth/token',
    form({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret }),
  );

/** The status `GET /partners/:id` answers the token on the given replica. */
const readPartner = async (app: RunningApp, partnerId: string, token: string) =>
  (await registryClient(app, token).GET('/partners/{id}', { params: { path: { id: partnerId } } }))
    .response.status;

it('ending a partnership revokes its clients (audited, in the same change), refuses new ones, and its issued tokens within the bound', async () => {
  const partnerId = (await make.partner({ country: 'GB', status: 'primary' })).id;
  const first = await newClient(partnerId);
  const second = await newClient(partnerId);
  const issued = await tokenFor(first);
  expect(issued.response.status).toBe(200);
  const token = issued.data!.access_token;
  expect(await readPartner(ctx.running, partnerId, token)).toBe(200);
  // The other replica has checked the client too, and remembers the answer.
  expect(await readPartner(replica, partnerId, token)).toBe(200);

  const ended = await admin.PATCH('/partners/{id}', {
    params: { path: { id: partnerId }, header: { 'If-Match': '*' } },
    body: { status: 'ended' },
  });
  expect(ended.response.status).toBe(200);

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
  expect((await tokenFor(second)).response.status).toBe(401);
  const refused = await admin.POST('/partners/{id}/clients', {
    params: { path: { id: partnerId } },
    body: { name: 'After the end', scopes: ['registry:read'] },
  });
  expectProblem(refused, 409, 'conflict');
  expect(
    await ctx.database.db
      .selectFrom('registry.apiClient')
      .select('id')
      .where('partnerId', '=', partnerId)
      .execute(),
  ).toHaveLength(2);
});

it('a client of an ended partner gets no token even if its row was somehow left unrevoked', async () => {
  const partnerId = (await make.partner({ country: 'KR', status: 'primary' })).id;
  const client = await newClient(partnerId);
  await ctx.database.db
    .updateTable('registry.partner')
    .set({ status: 'ended' })
    .where('id', '=', partnerId)
    .execute();
  const res = await tokenFor(client);
  expect(res.response.status).toBe(401);
  expect(res.error).toMatchObject({ error: 'invalid_client' });
});

it('revoking one client stops its issued tokens within the same bound, on every replica', async () => {
  const partnerId = (await make.partner({ country: 'SE', status: 'primary' })).id;
  const revoked = await newClient(partnerId);
  const kept = await newClient(partnerId);
  const token = (await tokenFor(revoked)).data!.access_token;
  const keptToken = (await tokenFor(kept)).data!.access_token;
  expect(await readPartner(replica, partnerId, token)).toBe(200);

  const revoke = await admin.POST('/clients/{clientId}/revoke', {
    params: { path: { clientId: revoked.id } },
  });
  expect(revoke.response.status).toBe(200);

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

it('rotating a client’s secret stops the tokens issued for the old one within the bound, on every replica; tokens for the new one work', async () => {
  const partnerId = (await make.partner({ country: 'FI', status: 'primary' })).id;
  const client = await newClient(partnerId);
  const kept = await newClient(partnerId);
  const old = (await tokenFor(client)).data!.access_token;
  const keptToken = (await tokenFor(kept)).data!.access_token;
  expect(await readPartner(ctx.running, partnerId, old)).toBe(200);
  // The other replica has checked the client too, and remembers the answer.
  expect(await readPartner(replica, partnerId, old)).toBe(200);

  const rotated = await admin.POST('/clients/{clientId}/rotate', {
    params: { path: { clientId: client.id } },
  });
  expect(rotated.response.status).toBe(200);

  const refused = await registryClient(ctx, old).GET('/partners/{id}', {
    params: { path: { id: partnerId } },
  });
  expectProblem(refused, 401, 'unauthorized');
  expect(refused.error!.detail).toMatch(/new secret/);
  await waitFor(
    async () => (await readPartner(replica, partnerId, old)) === 401,
    'the other replica to refuse the token of the old secret',
    WITHIN_BOUND,
  );

  const fresh = (await tokenFor({ ...client, secret: rotated.data!.clientSecret })).data!
    .access_token;
  expect(await readPartner(ctx.running, partnerId, fresh)).toBe(200);
  expect(await readPartner(replica, partnerId, fresh)).toBe(200);
  // The partner's other client is untouched.
  expect(await readPartner(replica, partnerId, keptToken)).toBe(200);
  expect(await readPartner(ctx.running, partnerId, keptToken)).toBe(200);
});
