import { AppError, findNul } from '@sp/platform';
import { z } from 'zod';

/** Where a page ended: the sort it was made with, the last row's sort value and id. */
export type Cursor = { sort: string; value: string; id: string };

const cursorSchema = z.object({ s: z.string(), v: z.string(), i: z.uuid() }).strict();

export function encodeCursor({ sort, value, id }: Cursor): string {
  return Buffer.from(JSON.stringify({ s: sort, v: value, i: id })).toString('base64url');
}

const badCursor = (message: string) =>
  new AppError('validation-error', `invalid query: the cursor ${message}`, {
    errors: [{ in: 'query', field: 'cursor', message, code: 'invalid_cursor' }],
  });

/** Reads a cursor made by `encodeCursor` for the same sort; anything else is the caller's 400. */
export function decodeCursor(raw: string, sort: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('is not a cursor this API handed out');
  }
  const result = cursorSchema.safeParse(parsed);
  // A forged cursor may smuggle what the query validation refuses (NUL) into the SQL.
  if (!result.success || findNul(result.data).length)
    throw badCursor('is not a cursor this API handed out');
  if (result.data.s !== sort) {
    throw badCursor(
      `was made for sort "${result.data.s}"; ask again without a cursor to sort by "${sort}"`,
    );
  }
  return { sort, value: result.data.v, id: result.data.i };
}
