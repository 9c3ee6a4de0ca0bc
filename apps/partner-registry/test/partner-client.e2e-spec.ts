import { PartnerTokenSource, TokenRequestError } from '@sp/client';
import { factories, registryClient, useTestApp } from '@sp/testing';
import { appModule, description } from '../src/app.module';

/** @sp/client's client credentials flow against the real registry: one token, reused, renewed. */
const ctx = useTestApp(appModule, description);
const make = factories(ctx);

it('fetches one token for many calls, and calls as the partner with it', async () => {
  const partner = await make.partner();
  const client = await make.apiClient(partner.id);
  const reads = await Promise.all(
    [1, 2, 3].map(() =>
      client.registry.GET('/partners/{id}', { params: { path: { id: partner.id } } }),
    ),
  );
  expect(reads.map((r) => r.response.status)).toEqual([200, 200, 200]);
  expect(reads[0]?.data?.nameEn).toBe(partner.nameEn);
  expect(client.tokens.fetched).toBe(1);
  const used = await ctx.database.db
    .selectFrom('registry.apiClient')
    .select('lastUsedAt')
    .where('id', '=', client.id)
    .executeTakeFirstOrThrow();
  expect(used.lastUsedAt).not.toBeNull();
});

it('fetches the next token a minute before the current one expires', async () => {
  const partner = await make.partner();
  const { id, secret } = await make.apiClient(partner.id);
  let now = Date.now();
  const tokens = new PartnerTokenSource({
    registryUrl: ctx.running.url,
    clientId: id,
    clientSecret: secret,
    now: () => now,
  });
  const first = await tokens.token();
  now += 500_000; // 600 s tokens: 100 s left
  expect(await tokens.token()).toBe(first);
  now += 41_000; // 59 s left: inside the refresh margin
  const second = await tokens.token();
  expect(second).not.toBe(first);
  expect(tokens.fetched).toBe(2);
  const api = registryClient(ctx, { partner: tokens });
  const res = await api.GET('/partners/{id}', { params: { path: { id: partner.id } } });
  expect(res.response.status).toBe(200);
  expect(tokens.fetched).toBe(2);
});

it('asks for only the scopes given, and says why the registry refused', async () => {
  const partner = await make.partner();
  const client = await make.apiClient(partner.id, { scopes: ['registry:read', 'reports:read'] });
  const narrow = new PartnerTokenSource({
    registryUrl: ctx.running.url,
    clientId: client.id,
    clientSecret: client.secret,
    scopes: ['reports:read'],
  });
  const [, payload] = (await narrow.token()).split('.');
  expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({
    scope: 'reports:read',
  });

  const wrong = new PartnerTokenSource({
    registryUrl: ctx.running.url,
    clientId: client.id,
    clientSecret: `${client.secret}x`,
  });
  const refused = await wrong.token().catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(TokenRequestError);
  expect(refused).toMatchObject({ status: 401, problem: { error: 'invalid_client' } });
});
