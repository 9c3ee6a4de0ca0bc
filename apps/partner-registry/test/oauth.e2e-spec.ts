import { decodeJwt, decodeProtectedHeader } from 'jose';
import { staffToken, useTestApp } from '@sp/testing';
import { appModule, description } from '../src/app.module';

/** Partner API clients and the client credentials grant, end to end. */
const ctx = useTestApp(appModule, description, { seed: true });

let admin = '';
let partnerId = '';

const api = async (
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const res = await fetch(`${ctx.running.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
};
const asAdmin = (method: string, path: string, body?: unknown) =>
  api(method, path, body, { authorization: `Bearer ${admin}` });
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${ctx.running.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  }).then(async (res) => ({
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as any,
  }));
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function newClient(scopes = ['registry:read', 'reports:read']) {
  const res = await asAdmin('POST', `/partners/${partnerId}/clients`, {
    name: 'Cambridge data sync',
    scopes,
  });
  expect(res.status).toBe(201);
  return { id: res.body.client.id as string, secret: res.body.clientSecret as string };
}

beforeAll(async () => {
  admin = await staffToken('admin', 'alice');
  const list = await asAdmin('GET', '/partners?country=GB');
  partnerId = list.body.items[0].id;
});

describe('API clients', () => {
  it('show the secret once and keep only a salted hash of it', async () => {
    const { id, secret } = await newClient();
    expect(secret).toMatch(/^sps_[\w-]{43}$/);
    const listed = await asAdmin('GET', `/partners/${partnerId}/clients`);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.items.find((c: any) => c.id === id)).toMatchObject({
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
        await asAdmin('POST', `/partners/${partnerId}/clients`, {
          name: 'x',
          scopes: ['everything'],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await asAdmin('POST', '/partners/00000000-0000-4000-8000-000000000000/clients', {
          name: 'x',
          scopes: ['registry:read'],
        })
      ).status,
    ).toBe(404);
  });
});

describe('POST /oauth/token', () => {
  it('exchanges body credentials for a short-lived JWT bound to the partner', async () => {
    const { id, secret } = await newClient();
    const res = await form({
      grant_type: 'client_credentials',
      client_id: id,
      client_secret: secret,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 600,
      scope: 'registry:read reports:read',
    });
    const claims = decodeJwt(res.body.access_token);
    expect(claims).toMatchObject({
      partner_id: partnerId,
      client_id: id,
      scope: 'registry:read reports:read',
      aud: 'strategic-partnerships',
    });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(15 * 60);
    const jwks = await api('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: any) => k.kid)).toContain(
      decodeProtectedHeader(res.body.access_token).kid,
    );
    expect(JSON.stringify(jwks.body)).not.toMatch(/"d":/); // public halves only

    const row = await ctx.database.db
      .selectFrom('registry.apiClient')
      .select('lastUsedAt')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.lastUsedAt).toBeInstanceOf(Date);

    const own = await api('GET', '/partners', undefined, {
      authorization: `Bearer ${res.body.access_token}`,
    });
    expect(own.body.items.map((p: any) => p.id)).toEqual([partnerId]);
  });

  it('takes HTTP Basic credentials and narrows the scope on request', async () => {
    const { id, secret } = await newClient();
    const res = await form(
      { grant_type: 'client_credentials', scope: 'reports:read' },
      { authorization: basic(id, secret) },
    );
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('reports:read');
    const wider = await form(
      { grant_type: 'client_credentials', scope: 'activities:write' },
      { authorization: basic(id, secret) },
    );
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
  });

  it('answers a wrong secret with 401, an OAuth error and WWW-Authenticate', async () => {
    const { id } = await newClient();
    for (const attempt of [
      form({ grant_type: 'client_credentials', client_id: id, client_secret: 'sps_wrong' }),
      form({ grant_type: 'client_credentials' }, { authorization: basic(id, 'sps_wrong') }),
      form({ grant_type: 'client_credentials', client_id: 'not-a-uuid', client_secret: 'x' }),
      form({ grant_type: 'client_credentials' }),
    ]) {
      const res = await attempt;
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ error: 'invalid_client', type: '/problems/unauthorized' });
    }
  });

  it('refuses other grant types and malformed requests with 400', async () => {
    const { id, secret } = await newClient();
    const password = await form({ grant_type: 'password', username: 'x', password: 'y' });
    expect(password.status).toBe(400);
    expect(password.body.error).toBe('unsupported_grant_type');
    const both = await form(
      { grant_type: 'client_credentials', client_id: id, client_secret: secret },
      { authorization: basic(id, secret) },
    );
    expect(both.status).toBe(400);
    expect(both.body.error).toBe('invalid_request');
  });

  it('stops a revoked client at once', async () => {
    const { id, secret } = await newClient();
    expect(
      (await form({ grant_type: 'client_credentials', client_id: id, client_secret: secret }))
        .status,
    ).toBe(200);
    const revoked = await asAdmin('POST', `/clients/${id}/revoke`);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const res = await form({
      grant_type: 'client_credentials',
      client_id: id,
      client_secret: secret,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await asAdmin('POST', `/clients/${id}/rotate`)).status).toBe(409);
  });

  it('after a rotation refuses the old secret and takes the new one', async () => {
    const { id, secret: old } = await newClient();
    const rotated = await asAdmin('POST', `/clients/${id}/rotate`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.clientSecret as string;
    expect(fresh).not.toBe(old);
    expect(
      (await form({ grant_type: 'client_credentials', client_id: id, client_secret: old })).status,
    ).toBe(401);
    expect(
      (await form({ grant_type: 'client_credentials', client_id: id, client_secret: fresh }))
        .status,
    ).toBe(200);
  });
});

describe('signing keys', () => {
  it('rotate, keeping the old key published while its tokens live', async () => {
    const { id, secret } = await newClient();
    const first = (
      await form({ grant_type: 'client_credentials', client_id: id, client_secret: secret })
    ).body.access_token as string;
    // Age every key past the rotation period, as if 30 days had gone by.
    await ctx.database.db
      .updateTable('registry.signingKey')
      .set({ createdAt: new Date(Date.now() - 30 * 86_400_000 - 1000) })
      .execute();
    const second = (
      await form({ grant_type: 'client_credentials', client_id: id, client_secret: secret })
    ).body.access_token as string;
    const [oldKid, newKid] = [decodeProtectedHeader(first).kid, decodeProtectedHeader(second).kid];
    expect(newKid).not.toBe(oldKid);
    const jwks = await api('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys.map((k: any) => k.kid)).toEqual([newKid, oldKid]);
    for (const token of [first, second]) {
      expect(
        (await api('GET', '/partners', undefined, { authorization: `Bearer ${token}` })).status,
      ).toBe(200);
    }
  });
});
