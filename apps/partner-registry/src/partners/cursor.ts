import { CursorCodec, invalidCursor } from '@sp/platform';
import { z } from 'zod';
import { uuid } from '@sp/types';

/** Where a page ended: the sort it was made with, the last row's sort value and id. */
export type Cursor = { sort: string; value: string; id: string };

const codec = new CursorCodec(z.object({ s: z.string(), v: z.string(), i: uuid() }).strict());

export function encodeCursor({ sort, value, id }: Cursor): string {
  return codec.encode({ s: sort, v: value, i: id });
}

/** Reads a cursor made by `encodeCursor` for the same sort; anything else is the caller's 400. */
export function decodeCursor(raw: string, sort: string): Cursor {
  const cursor = codec.decode(raw);
  if (cursor.s !== sort) {
    throw invalidCursor(
      `was made for sort "${cursor.s}"; ask again without a cursor to sort by "${sort}"`,
    );
  }
  return { sort, value: cursor.v, id: cursor.i };
}
