import { CursorCodec } from '@sp/platform';
import { z } from 'zod';
import { uuid } from '@sp/types';

/** Where a page of people ended: the last row's English name and id (keyset order). */
export type NameCursor = { nameEn: string; id: string };

const codec = new CursorCodec(z.object({ n: z.string(), i: uuid() }).strict());

export const encodeNameCursor = ({ nameEn, id }: NameCursor): string =>
  codec.encode({ n: nameEn, i: id });

/** Reads a cursor made by `encodeNameCursor`; anything else is the caller's 400. */
export function decodeNameCursor(raw: string): NameCursor {
  const cursor = codec.decode(raw);
  return { nameEn: cursor.n, id: cursor.i };
}

/** The page's items and the cursor to the next page (`null` on the last). */
export function pageOf<R extends NameCursor, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(map),
    nextCursor: rows.length > limit && last ? encodeNameCursor(last) : null,
  };
}

/** The names of the fields a patch sets, for events (never their values: personal data). */
export const changedFields = (patch: object): string[] => Object.keys(patch).sort();
