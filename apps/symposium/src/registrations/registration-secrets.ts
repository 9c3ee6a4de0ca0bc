import { createHash, createHmac, randomInt } from 'node:crypto';

/** Unambiguous characters for codes read aloud or typed at a desk (no 0/O, 1/I/L). */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** An 8-character check-in code (31^8 ≈ 8.5e11 values), unique per symposium. */
export function newCheckInCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/**
 * The secret link token of a registration: derived from its id with the service's link secret,
 * so every mail about it can carry the same link while the database keeps only its hash.
 * 43 base64url characters.
 */
export const linkTokenOf = (secret: string, registrationId: string): string =>
  createHmac('sha256', secret).update(`registration:${registrationId}`).digest('base64url');

/** What is stored and looked up: the token's SHA-256. */
export const tokenHashOf = (token: string): string =>
  createHash('sha256').update(token).digest('hex');
