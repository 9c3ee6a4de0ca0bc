import { createHash, randomBytes } from 'node:crypto';

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
