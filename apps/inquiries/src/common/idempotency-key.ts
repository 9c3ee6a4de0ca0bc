import { AppError } from '@sp/platform';

/**
 * Refuses an `Idempotency-Key` header that is not `minLength`–200 visible ASCII characters
 * (400). A desk reply's key may be short; a public submission's seals its receipt, so it must
 * be long enough not to be guessed (16, a UUID say).
 */
export function checkIdempotencyKey(key: string | undefined, minLength: 1 | 16): void {
  if (key === undefined || (key.length >= minLength && /^[\x21-\x7e]{1,200}$/.test(key))) return;
  throw new AppError(
    'bad-request',
    `the Idempotency-Key header must be ${minLength}–200 visible ASCII characters${minLength > 1 ? ' (a UUID, say)' : ''}`,
  );
}
