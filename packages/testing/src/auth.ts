import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDevKey, mintDevStaffToken } from '@sp/platform/dev';
import type { PartnerScope, StaffRole } from '@sp/types';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** The development staff key the tests share (created on first use). */
export const TEST_DEV_KEY_FILE = join(tmpdir(), 'sp-test-dev-auth', 'staff-key.json');
export const TEST_AUDIENCE = 'strategic-partnerships';
export const TEST_PARTNER_ISSUER = 'urn:sp:partner-registry';

export async function staffToken(
  role: StaffRole,
  sub = `${role}-tester`,
  ttlSeconds = 600,
  /** Seconds ago it was issued (its `iat`); its `exp` is still `ttlSeconds` from now. */
  issuedAgoSeconds = 0,
): Promise<string> {
  return mintDevStaffToken(await loadDevKey(TEST_DEV_KEY_FILE), {
    sub,
    role,
    audience: TEST_AUDIENCE,
    ttlSeconds,
    issuedAt: Math.floor(Date.now() / 1000) - issuedAgoSeconds,
  });
}

/** A token the way an attacker would forge one: `alg: none`, no signature. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ iat: now, exp: now + 600, aud: TEST_AUDIENCE, ...claims })}.`;
}

/** Signs with a key nobody trusts, but claims to be the development staff issuer. */
export async function staffTokenFromUnknownKey(role: StaffRole): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ roles: [role] })
    .setProtectedHeader({ alg: 'ES256', kid: 'not-a-known-key' })
    .setIssuer('urn:sp:dev-staff-issuer')
    .setAudience(TEST_AUDIENCE)
    .setSubject('mallory')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
}

export async function expiredStaffToken(role: StaffRole): Promise<string> {
  return staffToken(role, 'late-tester', -120);
}

/**
 * A stand-in for the registry's partner-token issuer, for services other than the registry:
 * a real key pair and its JWKS served over HTTP on 127.0.0.1, as the services fetch it.
 */
export class TestPartnerIssuer {
  private constructor(
    private readonly server: Server,
    private readonly privateKey: CryptoKey,
    readonly jwksUrl: string,
  ) {}

  static async start(): Promise<TestPartnerIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk: JWK = {
      ...(await exportJWK(publicKey)),
      kid: 'test-partner-key',
      alg: 'ES256',
      use: 'sig',
    };
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('JWKS server has no port');
    return new TestPartnerIssuer(
      server,
      privateKey,
      `http://127.0.0.1:${address.port}/.well-known/jwks.json`,
    );
  }

  token(
    partnerId: string,
    scopes: PartnerScope[],
    clientId = `client-of-${partnerId.slice(0, 8)}`,
  ): Promise<string> {
    return new SignJWT({ partner_id: partnerId, client_id: clientId, scope: scopes.join(' ') })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-partner-key' })
      .setIssuer(TEST_PARTNER_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setSubject(clientId)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(this.privateKey);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

/**
 * A stand-in for the university's identity provider: its own issuer name and a JWKS served
 * over HTTP, whose signing key can be rotated mid-test.
 */
export class TestIdentityProvider {
  readonly issuer = 'https://idp.test.example/';
  private key!: { kid: string; privateKey: CryptoKey; jwk: JWK };
  /** When set, the JWKS endpoint answers this status with an error body instead of the keys. */
  failWith: number | undefined;
  private constructor(
    private readonly server: Server,
    readonly jwksUrl: string,
  ) {}

  static async start(): Promise<TestIdentityProvider> {
    const current: { idp?: TestIdentityProvider } = {};
    const server = createServer((_req, res) => {
      const failing = current.idp?.failWith;
      if (failing !== undefined) {
        res.writeHead(failing, { 'content-type': 'text/plain' });
        res.end('the identity provider is having a bad day');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: current.idp ? [current.idp.key.jwk] : [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('JWKS server has no port');
    const idp = new TestIdentityProvider(server, `http://127.0.0.1:${address.port}/jwks`);
    await idp.rotate();
    current.idp = idp;
    return idp;
  }

  /** A new signing key; the JWKS then publishes only it. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = `idp-${Math.random().toString(36).slice(2, 10)}`;
    this.key = {
      kid,
      privateKey,
      jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
    };
    return kid;
  }

  token(sub: string, roles: string[], audience = TEST_AUDIENCE): Promise<string> {
    return this.tokenWith(sub, roles, { iat: 'now', exp: '10m' }, audience);
  }

  /** A token with the given `iat` and `exp` (seconds since the epoch, or jose's relative forms), or without them. */
  tokenWith(
    sub: string,
    roles: string[],
    times: { iat?: number | 'now'; exp?: number | string },
    audience = TEST_AUDIENCE,
  ): Promise<string> {
    const jwt = new SignJWT({ roles })
      .setProtectedHeader({ alg: 'ES256', kid: this.key.kid })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setSubject(sub);
    if (times.iat !== undefined) jwt.setIssuedAt(times.iat === 'now' ? undefined : times.iat);
    if (times.exp !== undefined) jwt.setExpirationTime(times.exp);
    return jwt.sign(this.key.privateKey);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}
