import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  staffToken,
  startApp,
  TestPartnerIssuer,
  testConfig,
  useTestApp,
  waitFor,
} from '@sp/testing';
import {
  appModule as registryModule,
  description as registryDescription,
} from '../apps/partner-registry/src/app.module';
import {
  appModule as symposiumModule,
  description as symposiumDescription,
} from '../apps/symposium/src/app.module';

/** Across services: a token the registry issues is trusted by another service, through the registry's JWKS. */
const registry = useTestApp(registryModule, registryDescription, { seed: true });

it('the symposium service verifies registry-issued partner tokens and refuses forged ones', async () => {
  const admin = await staffToken('admin');
  const list = await fetch(`${registry.running.url}/partners?country=KR`, {
    headers: { authorization: `Bearer ${admin}` },
  });
  const partnerId = ((await list.json()) as { items: { id: string }[] }).items[0]!.id;
  const created = await fetch(`${registry.running.url}/partners/${partnerId}/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ name: 'SNU symposium delegation', scopes: ['symposium:register'] }),
  });
  const { client, clientSecret } = (await created.json()) as {
    client: { id: string };
    clientSecret: string;
  };
  const issued = await fetch(`${registry.running.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.id,
      client_secret: clientSecret,
    }).toString(),
  });
  const token = ((await issued.json()) as { access_token: string }).access_token;

  const symposium = await startApp(
    symposiumModule,
    testConfig({
      DATABASE_URL: registry.database.url,
      AUTH_PARTNER_JWKS_URL: `${registry.running.url}/.well-known/jwks.json`,
    }),
    symposiumDescription,
  );
  try {
    const audit = `${symposium.url}/audit?entity=symposium&entityId=x`;
    // Verified with the registry's key, then refused for want of the admin role: 403, not 401.
    expect((await fetch(audit, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      403,
    );
    const forged = `${token.slice(0, -6)}AAAAAA`;
    const refused = await fetch(audit, { headers: { authorization: `Bearer ${forged}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  } finally {
    await symposium.close();
  }
});

describe('when the registry JWKS cannot be had, another service answers 503, never 500 or 401', () => {
  const asPartner = async (url: string) => {
    const issuer = await TestPartnerIssuer.start();
    try {
      const token = await issuer.token('0a000000-0000-4000-8000-00000000000a', ['registry:read']);
      return await fetch(`${url}/audit?entity=symposium&entityId=x`, {
        headers: { authorization: `Bearer ${token}` },
      });
    } finally {
      await issuer.close();
    }
  };

  async function symposiumWithJwksAt(jwksUrl: string) {
    return startApp(
      symposiumModule,
      testConfig({ DATABASE_URL: registry.database.url, AUTH_PARTNER_JWKS_URL: jwksUrl }),
      symposiumDescription,
    );
  }

  it('the JWKS server is down: 503 problem with Retry-After', async () => {
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const { port } = gone.address() as AddressInfo;
    await new Promise((resolve) => gone.close(resolve));
    const symposium = await symposiumWithJwksAt(`http://127.0.0.1:${port}/.well-known/jwks.json`);
    try {
      const res = await asPartner(symposium.url);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { type: string }).type).toBe('/problems/service-unavailable');
    } finally {
      await symposium.close();
    }
  });

  it('the JWKS server answers 500: 503 problem, not 401', async () => {
    const failing = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('upstream trouble');
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const { port } = failing.address() as AddressInfo;
    const symposium = await symposiumWithJwksAt(`http://127.0.0.1:${port}/.well-known/jwks.json`);
    try {
      const res = await asPartner(symposium.url);
      expect(res.status).toBe(503);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(((await res.json()) as { type: string }).type).toBe('/problems/service-unavailable');
    } finally {
      await symposium.close();
      await new Promise((resolve) => failing.close(resolve));
    }
  });
});

it('the symposium service refuses the tokens of a partnership the registry has ended, once its snapshot shows it', async () => {
  const admin = await staffToken('admin');
  const asAdmin = (method: string, path: string, body?: unknown) =>
    fetch(`${registry.running.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${admin}`,
        ...(method === 'PATCH' ? { 'if-match': '*' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const list = await asAdmin('GET', '/partners?country=CH');
  const partnerId = ((await list.json()) as { items: { id: string }[] }).items[0]!.id;
  const created = await asAdmin('POST', `/partners/${partnerId}/clients`, {
    name: 'Symposium delegation',
    scopes: ['symposium:register'],
  });
  const { client, clientSecret } = (await created.json()) as {
    client: { id: string };
    clientSecret: string;
  };
  const issued = await fetch(`${registry.running.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.id,
      client_secret: clientSecret,
    }).toString(),
  });
  const token = ((await issued.json()) as { access_token: string }).access_token;

  const symposium = await startApp(
    symposiumModule,
    testConfig({
      DATABASE_URL: registry.database.url,
      AUTH_PARTNER_JWKS_URL: `${registry.running.url}/.well-known/jwks.json`,
    }),
    symposiumDescription,
  );
  try {
    const audit = `${symposium.url}/audit?entity=symposium&entityId=x`;
    const status = async () =>
      (await fetch(audit, { headers: { authorization: `Bearer ${token}` } })).status;
    // A valid token without the admin role: 403.
    expect(await status()).toBe(403);
    expect((await asAdmin('PATCH', `/partners/${partnerId}`, { status: 'ended' })).status).toBe(
      200,
    );
    // The event reaches the snapshot, then the snapshot answer cached before it expires.
    await waitFor(async () => (await status()) === 401, 'the ended partner’s token to be refused');
    const snapshot = await registry.database.db
      .selectFrom('symposium.partner')
      .select('status')
      .where('id', '=', partnerId)
      .executeTakeFirstOrThrow();
    expect(snapshot.status).toBe('ended');
  } finally {
    await symposium.close();
  }
});
