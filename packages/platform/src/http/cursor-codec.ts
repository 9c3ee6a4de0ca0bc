import type { z } from 'zod';
import { AppError } from '../app-error';
import { findNul } from './zod-validation.pipe';

/** A 400 naming the `cursor` query field; `message` completes "the cursor …". */
export const invalidCursor = (message: string): AppError =>
  new AppError('validation-error', `invalid query: the cursor ${message}`, {
    errors: [{ in: 'query', field: 'cursor', message, code: 'invalid_cursor' }],
  });

/**
 * Opaque keyset cursors: a value of `schema` as base64url JSON. The client hands them back
 * unchanged, so `decode` trusts nothing: anything that is not a cursor this codec made
 * (garbage, another shape, a forged value with a NUL in it) is a 400 on `cursor`, never a 500.
 */
export class CursorCodec<S extends z.ZodType> {
  constructor(private readonly schema: S) {}

  encode(cursor: z.output<S>): string {
    return Buffer.from(JSON.stringify(cursor)).toString('base64url');
  }

  decode(raw: string): z.output<S> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor(NOT_OURS);
    }
    const result = this.schema.safeParse(parsed);
    // A forged cursor may smuggle what the query validation refuses (NUL) into the SQL.
    if (!result.success || findNul(result.data).length) throw invalidCursor(NOT_OURS);
    return result.data;
  }
}

const NOT_OURS = 'is not one this API handed out';
