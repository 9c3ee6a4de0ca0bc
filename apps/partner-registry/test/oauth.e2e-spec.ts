import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { RegistryClient } from '@sp/client';
import { APP_CONFIG } from '@sp/platform';
import {
  basicAuth,
  factories,
  form,
  registryClient,
  staffToken,
  unchecked,
  useTestApp,
} from '@sp/testing';
import { publishLeadMs } from '../src/access/signing-key.store';
import { appModule, description } from '../src/app.module';
import type { RegistryConfig } from '../src/config';

/** Partner API clients and the client credentials grant, end to end. */
const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let admin: RegistryClient;
let anonymous: RegistryClient;
let partnerId = '';

const token = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  anonymous.POST('/oauth/token', form(fields, headers));

async function newClient(
  scopes: ('registry:read' | 'reports:read')[] = ['registry:read', 'reports:read'],
) {
  const res = await admin.POST('/partners/{id}/clients', {
    params: { path: { id: partnerId } },
    body: { name: 'Cambridge data sync', scopes },
  });
  expect(res.response.status).toBe(201);
  // The secret is shown once: no cache may keep it.
  expect(res.response.headers.get('cache-control')).toBe('no-store');
  return { id: res.data!.client.id, secret: res.data!.clientSecret };
}

beforeAll(async () => {
  admin = registryClient(ctx, await staffToken('admin', 'alice'));
  anonymous = registryClient(ctx);
  partnerId = (await make.partner({ nameEn: 'University of Cambridge', country: 'GB' })).id;
  // Another partner, which the first one's token must not see.
  await make.partner({ country: 'GB' });
});

describe('API clients', () => {
  it('show the secret once and keep only a salted hash of it', async () => {
    const { id, secret } = await newClient();
    expect(secret).toMatch(/^sps_[\w-]{43}$/);
    const listed = await admin.GET('/partners/{id}/clients', {
      params: { path: { id: partnerId } },
    });
    expect(JSON.stringify(listed.data)).not.toContain(secret);
    expect(listed.data!.items.find((c) => c.id === id)).toMatchObject({
      createdBy: 'alice',
      scopes: ['registry:read', 'reports:read'],
    });
    const row = await ctx.database.db
      .selectFrom('registry.apiClient')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.secretHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(row)).not.toContain(secret.slice(4, 20));
  });

  it('refuse unknown scopes and unknown partners', async () => {
    expect(
      (
        await admin.POST('/partners/{id}/clients', {
          params: { path: { id: partnerId } },
          body: unchecked({ name: 'x', scopes: ['everything'] }),
        })
      ).response.status,
    ).toBe(400);
    expect(
      (
        await admin.POST('/partners/{id}/clients', {
          params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
          body: { name: 'x', scopes: ['registry:read'] },
        })
      ).response.status,
    ).toBe(404);
  });
});

describe('POST /oauth/token', () => {
  it('exchanges body credentials for a short-lived JWT bound to the partner', async () => {
    const { id, secret } = await newClient();
    const res = await token({
      grant_type: 'client_credentials',
      client_id: id,
      client_secret: secret,
    });
    expect(res.response.status).toBe(200);
    expect(res.response.headers.get('cache-control')).toBe('no-store');
    expect(res.data).toMatchObject({
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'registry:read reports:read',
    });
    const accessToken = res.data!.access_token;
    const claims = decodeJwt(accessToken);
    expect(claims).toMatchObject({
      partner_id: partnerId,
      client_id: id,
      scope: 'registry:read reports:read',
      aud: 'strategic-partnerships',
    });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(15 * 60);
    const jwks = await anonymous.GET('/.well-known/jwks.json');
    expect(jwks.data!.keys.map((k) => k['kid'])).toContain(decodeProtectedHeader(accessToken).kid);
    expect(JSON.stringify(jwks.data)).not.toMatch(/"d":/); // public halves only

    const row = await ctx.database.db
      .selectFrom('registry.apiClient')
      .select('lastUsedAt')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.lastUsedAt).toBeInstanceOf(Date);

    const own = await registryClient(ctx, accessToken).GET('/partners');
    expect(own.data!.items.map((p) => p.id)).toEqual([partnerId]);
  });

  it('takes HTTP Basic credentials and narrows the scope on request', async () => {
    const { id, secret } = await newClient();
    const res = await token(
      { grant_type: 'client_credentials', scope: 'reports:read' },
      { authorization: basicAuth(id, secret) },
    );
    expect(res.response.status).toBe(200);
    expect(res.data!.scope).toBe('reports:read');
    const wider = await token(
      { grant_type: 'client_credentials', scope: 'activities:write' },
      { authorization: basicAuth(id, secret) },
    );
    expect(wider.response.status).toBe(400);
    expect(wider.error).toMatchObject({ error: 'invalid_scope' });
  });

  it('answers a wrong secret with 401, an OAuth error and WWW-Authenticate', async () => {
    const { id } = await newClient();
    for (const attempt of [
      token({ grant_type: 'client_credentials', client_id: id, client_secret: 'sps_wrong' }),
      token({ grant_type: 'client_credentials' }, { authorization: basicAuth(id, 'sps_wrong') }),
      token({ grant_type: 'client_credentials', client_id: 'not-a-uuid', client_secret: 'x' }),
      token({ grant_type: 'client_credentials' }),
    ]) {
      const res = await attempt;
      expect(res.response.status).toBe(401);
      expect(res.response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(res.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.error).toMatchObject({ error: 'invalid_client', type: '/problems/unauthorized' });
    }
  });

  it('refuses other grant types and malformed requests with 400', async () => {
    const { id, secret } = await newClient();
    const password = await token({ grant_type: 'password', username: 'x', password: 'y' });
    expect(password.response.status).toBe(400);
    expect(password.error).toMatchObject({ error: 'unsupported_grant_type' });
    const both = await token(
      { grant_type: 'client_credentials', client_id: id, client_secret: secret },
      { authorization: basicAuth(id, secret) },
    );
    expect(both.response.status).toBe(400);
    expect(both.error).toMatchObject({ error: 'invalid_request' });
  });

  it('stops a revoked client at once', async () => {
    const { id, secret } = await newClient();
    const credentials = { grant_type: 'client_credentials', client_id: id, client_secret: secret };
    expect((await token(credentials)).response.status).toBe(200);
    const clientId = { params: { path: { clientId: id } } };
    const revoked = await admin.POST('/clients/{clientId}/revoke', clientId);
    expect(revoked.data!.revokedAt).toEqual(expect.any(String));
    const res = await token(credentials);
    expect(res.response.status).toBe(401);
    expect(res.response.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await admin.POST('/clients/{clientId}/rotate', clientId)).response.status).toBe(409);
  });

  it('after a rotation refuses the old secret and takes the new one', async () => {
    const { id, secret: old } = await newClient();
    const rotated = await admin.POST('/clients/{clientId}/rotate', {
      params: { path: { clientId: id } },
    });
    expect(rotated.response.status).toBe(200);
    const fresh = rotated.data!.clientSecret;
    expect(fresh).not.toBe(old);
    expect(
      (await token({ grant_type: 'client_credentials', client_id: id, client_secret: old }))
        .response.status,
    ).toBe(401);
    expect(
      (await token({ grant_type: 'client_credentials', client_id: id, client_secret: fresh }))
        .response.status,
    ).toBe(200);
  });
});

describe('signing keys', () => {
  it('rotate: the new key is published at once, signs only after its lead, and the old key stays published', async () => {
    const { id, secret } = await newClient();
    const credentials = { grant_type: 'client_credentials', client_id: id, client_secret: secret };
    const kidOf = async () => {
      const accessToken = (await token(credentials)).data!.access_token;
      return { accessToken, kid: decodeProtectedHeader(accessToken).kid };
    };
    const ageKey = (kid: string | undefined, ms: number) =>
      ctx.database.db
        .updateTable('registry.signingKey')
        .set({ createdAt: new Date(Date.now() - ms) })
        .where('kid', '=', kid!)
        .execute();
    const lead = publishLeadMs(ctx.running.app.get<RegistryConfig>(APP_CONFIG));
    const rotation = 30 * 86_400_000;

    const first = await kidOf();
    // As if 30 days had gone by: a new key is made and published, but the old one still signs,
    // since a service may hold a key set fetched a moment before the new key existed.
    await ageKey(first.kid, rotation + 1000);
    const second = await kidOf();
    expect(second.kid).toBe(first.kid);
    const published = (await anonymous.GET('/.well-known/jwks.json')).data!.keys.map(
      (k) => k['kid'],
    );
    expect(published).toHaveLength(2);
    expect(published[1]).toBe(first.kid);
    const newKid = published[0];

    // Once the new key has been published for its lead, it signs; the old one is still published.
    await ageKey(newKid as string, lead + 1000);
    await ageKey(first.kid, rotation + lead + 2000);
    const third = await kidOf();
    expect(third.kid).toBe(newKid);
    expect((await anonymous.GET('/.well-known/jwks.json')).data!.keys.map((k) => k['kid'])).toEqual(
      [newKid, first.kid],
    );
    for (const { accessToken } of [first, second, third]) {
      expect((await registryClient(ctx, accessToken).GET('/partners')).response.status).toBe(200);
    }
  });
});
