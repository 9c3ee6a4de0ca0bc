import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The inquirer's secret status token: 256 random bits, base64url (43 characters). Only its
 * SHA-256 is stored, so a database leak does not open anyone's inquiry.
 */
export function newStatusToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashStatusToken(token) };
}

export const hashStatusToken = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

/**
 * A submission's `Idempotency-Key`, as the inquiry keeps it: its SHA-256 (to find the
 * inquiry again), and the status token sealed under a key derived from it (AES-256-GCM), so a
 * retry with the same key gets the same receipt while the database alone opens no inquiry:
 * the token is recoverable only by whoever holds the Idempotency-Key.
 */
export const hashClientKey = (clientKey: string): string =>
  createHash('sha256').update(`inquiry-submission:${clientKey}`).digest('hex');

const sealingKey = (clientKey: string): Buffer =>
  Buffer.from(hkdfSync('sha256', clientKey, 'inquiry-status-token', 'seal', 32));

export function sealStatusToken(token: string, clientKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(clientKey), iv);
  const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The token `sealStatusToken` sealed; throws when the key is not the one it was sealed with. */
export function unsealStatusToken(sealed: string, clientKey: string): string {
  const bytes = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(clientKey), bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}
