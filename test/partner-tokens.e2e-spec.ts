import { staffToken, startApp, testConfig, useTestApp } from '@sp/testing';
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
