import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import { AppError } from '../app-error';
import { baseConfigSchema } from '../config/config';
import { RemoteJwksSource, TokenVerifier } from './token-verifier';

const config = baseConfigSchema.parse({ PORT: '0', NODE_ENV: 'test' });

async function partnerKeys() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwks = createLocalJWKSet({
    keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }],
  });
  let lookups = 0;
  const getKey: JWTVerifyGetKey = (header, token) => {
    lookups++;
    return jwks(header, token);
  };
  const sign = (expiresIn: string, scope = 'registry:read') =>
    new SignJWT({ partner_id: '0a000000-0000-4000-8000-00000000000a', client_id: 'c1', scope })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(config.AUTH_PARTNER_ISSUER)
      .setAudience(config.AUTH_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
  return { source: { getKey }, lookups: () => lookups, sign };
}

describe('TokenVerifier', () => {
  it('checks a token once, then answers it from memory', async () => {
    const keys = await partnerKeys();
    const verifier = new TokenVerifier(config, keys.source);
    const token = await keys.sign('10m');
    const first = await verifier.verify(token);
    expect(first).toEqual({
      kind: 'partner',
      clientId: 'c1',
      partnerId: '0a000000-0000-4000-8000-00000000000a',
      scopes: ['registry:read'],
    });
    expect(await verifier.verify(token)).toEqual(first);
    expect(keys.lookups()).toBe(1);
  });

  it('never remembers a token that failed, nor past its expiry', async () => {
    const keys = await partnerKeys();
    const verifier = new TokenVerifier(config, keys.source);
    const expired = await keys.sign('-1m');
    await expect(verifier.verify(expired)).rejects.toThrow(AppError);
    await expect(verifier.verify(expired)).rejects.toThrow(/expired/);
    expect(keys.lookups()).toBe(2);
  });

  it('drops scopes it does not know', async () => {
    const keys = await partnerKeys();
    const verifier = new TokenVerifier(config, keys.source);
    const principal = await verifier.verify(
      await keys.sign('10m', 'registry:read admin:everything'),
    );
    expect(principal).toMatchObject({ scopes: ['registry:read'] });
  });
});

const partnerId = '0a000000-0000-4000-8000-00000000000a';
const partnerClaims = { partner_id: partnerId, client_id: 'c1', scope: 'registry:read' };

/** The AppError a promise rejects with. */
async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('TokenVerifier: what a token must carry', () => {
  async function issuer() {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwks = createLocalJWKSet({
      keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }],
    });
    const jwt = () =>
      new SignJWT(partnerClaims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(config.AUTH_PARTNER_ISSUER)
        .setAudience(config.AUTH_AUDIENCE);
    return { verifier: new TokenVerifier(config, { getKey: jwks }), jwt, privateKey };
  }

  it('refuses a token without exp', async () => {
    const { verifier, jwt, privateKey } = await issuer();
    const token = await jwt().setIssuedAt().sign(privateKey);
    const error = await refusal(verifier.verify(token));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/not valid/);
  });

  it('refuses a token issued longer ago than the maximum age, even if exp is later', async () => {
    const { verifier, jwt, privateKey } = await issuer();
    const now = Math.floor(Date.now() / 1000);
    const old = await jwt()
      .setIssuedAt(now - config.AUTH_PARTNER_MAX_TOKEN_AGE_SECONDS - 60)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
    expect((await refusal(verifier.verify(old))).code).toBe('unauthorized');
    // The same without iat: a maximum age needs an issue time.
    const ageless = await jwt()
      .setExpirationTime(now + 300)
      .sign(privateKey);
    expect((await refusal(verifier.verify(ageless))).code).toBe('unauthorized');
    // A fresh one passes.
    const fresh = await jwt().setIssuedAt().setExpirationTime('5m').sign(privateKey);
    expect(await verifier.verify(fresh)).toMatchObject({ kind: 'partner', partnerId });
  });

  it('refuses a partner token signed RS256, even with a key the partner key set holds', async () => {
    // A key set that also holds an RSA key (no `alg` on it, as many JWKS publish): only the
    // pinned algorithm stops an RS256 token made with it.
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const rsa: JWK = { ...(await exportJWK(publicKey)), kid: 'r1' };
    const verifier = new TokenVerifier(config, { getKey: createLocalJWKSet({ keys: [rsa] }) });
    const token = await new SignJWT(partnerClaims)
      .setProtectedHeader({ alg: 'RS256', kid: 'r1' })
      .setIssuer(config.AUTH_PARTNER_ISSUER)
      .setAudience(config.AUTH_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const error = await refusal(verifier.verify(token));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/ERR_JOSE_ALG_NOT_ALLOWED/);
  });

  it("takes the staff issuer's algorithms from AUTH_STAFF_ALGORITHMS", async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'idp-rsa' };
    const server = await serveJwks(() => [200, { keys: [jwk] }]);
    try {
      const staffConfig = (algorithms: string) =>
        baseConfigSchema.parse({
          PORT: '0',
          NODE_ENV: 'test',
          AUTH_STAFF_ISSUER: 'https://idp.example/',
          AUTH_STAFF_JWKS_URL: server.url,
          AUTH_STAFF_ALGORITHMS: algorithms,
        });
      const token = await new SignJWT({ roles: ['viewer'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'idp-rsa' })
        .setIssuer('https://idp.example/')
        .setAudience(config.AUTH_AUDIENCE)
        .setSubject('bob')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const keys = { getKey: createLocalJWKSet({ keys: [] }) };
      expect(await new TokenVerifier(staffConfig('ES256,RS256'), keys).verify(token)).toEqual({
        kind: 'staff',
        sub: 'bob',
        role: 'viewer',
      });
      const pinned = new TokenVerifier(staffConfig('ES256'), keys);
      expect((await refusal(pinned.verify(token))).code).toBe('unauthorized');
    } finally {
      await server.close();
    }
  });
});

/** A real JWKS endpoint on 127.0.0.1 whose answer the test decides. */
async function serveJwks(answer: () => [number, unknown]) {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    const [status, body] = answer();
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  };
}

describe('TokenVerifier: when the partner key set cannot be fetched', () => {
  async function partnerToken() {
    const { privateKey } = await generateKeyPair('ES256');
    return new SignJWT(partnerClaims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(config.AUTH_PARTNER_ISSUER)
      .setAudience(config.AUTH_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  }
  const verifierFor = (url: string) => {
    const remote = baseConfigSchema.parse({ PORT: '0', AUTH_PARTNER_JWKS_URL: url });
    return new TokenVerifier(remote, new RemoteJwksSource(remote));
  };

  it('answers 503 with Retry-After when the JWKS server is down, not a 500', async () => {
    // A port that was just listening and is closed now: connection refused.
    const gone = await serveJwks(() => [200, { keys: [] }]);
    await gone.close();
    const error = await refusal(verifierFor(gone.url).verify(await partnerToken()));
    expect(error.code).toBe('service-unavailable');
    expect(error.headers).toEqual({ 'retry-after': '5' });
  });

  it('answers 503 when the JWKS server answers 500, not a 401 blaming the token', async () => {
    const failing = await serveJwks(() => [500, { title: 'boom' }]);
    try {
      const error = await refusal(verifierFor(failing.url).verify(await partnerToken()));
      expect(error.code).toBe('service-unavailable');
      expect(failing.requests()).toBe(1);
    } finally {
      await failing.close();
    }
  });

  it('still says 401 when the key set is there but holds no key for the token', async () => {
    const empty = await serveJwks(() => [200, { keys: [] }]);
    try {
      expect((await refusal(verifierFor(empty.url).verify(await partnerToken()))).code).toBe(
        'unauthorized',
      );
    } finally {
      await empty.close();
    }
  });
});
