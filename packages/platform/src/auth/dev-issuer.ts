import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import type { StaffRole } from '@sp/types';

/**
 * The development stand-in for the university's identity provider: one ES256 key pair in a
 * local file, shared by every local process (the services verify with its public half, the
 * `npm run token` CLI and the tests sign with its private half). Refused in production.
 */
export const DEV_STAFF_ISSUER = 'urn:sp:dev-staff-issuer';

export type DevKey = { kid: string; privateJwk: JWK; publicJwk: JWK };

function refuseInProduction(): void {
  if (process.env['NODE_ENV'] === 'production') {
    throw new Error(
      'the development staff issuer is refused when NODE_ENV=production; set AUTH_STAFF_ISSUER and AUTH_STAFF_JWKS_URL',
    );
  }
}

/** Reads the key file, creating it (atomically, so parallel starters agree) when missing. */
export async function loadDevKey(file: string): Promise<DevKey> {
  refuseInProduction();
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DevKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
  const kid = await calculateJwkThumbprint(publicJwk);
  const key: DevKey = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    publicJwk: { ...publicJwk, kid },
  };
  mkdirSync(dirname(file), { recursive: true });
  // Written whole to a temp file, then hard-linked into place: the link fails if another
  // process got there first (then its key wins), and nobody ever reads a half-written file.
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(key), { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(readFileSync(file, 'utf8')) as DevKey;
  } finally {
    unlinkSync(temp);
  }
  return key;
}

export type StaffTokenRequest = {
  sub: string;
  role: StaffRole;
  audience: string;
  ttlSeconds?: number;
  /** `iat` in seconds since the epoch (tests of token age); now when absent. */
  issuedAt?: number;
};

export async function mintDevStaffToken(key: DevKey, request: StaffTokenRequest): Promise<string> {
  refuseInProduction();
  return new SignJWT({ roles: [request.role] })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(DEV_STAFF_ISSUER)
    .setAudience(request.audience)
    .setSubject(request.sub)
    .setIssuedAt(request.issuedAt)
    .setExpirationTime(`${request.ttlSeconds ?? 3600}s`)
    .sign(await importJWK(key.privateJwk, 'ES256'));
}
