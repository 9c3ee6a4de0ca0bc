import { CursorCodec, invalidCursor } from '@sp/platform';
import { sql } from 'kysely';
import { z } from 'zod';
import { uuid } from '@sp/types';

/**
 * Where a newest-first page ended: the last row's timestamp (as text with microseconds, so
 * it orders exactly like the column) and its id. `list` names the list it was made for, so a
 * cursor of one list is refused by another.
 */
export type TimeCursor = { at: string; id: string };

const codec = new CursorCodec(z.object({ l: z.string(), t: z.iso.datetime(), i: uuid() }).strict());

export function encodeTimeCursor(list: string, { at, id }: TimeCursor): string {
  return codec.encode({ l: list, t: at, i: id });
}

/** Reads a cursor made by `encodeTimeCursor` for the same list; anything else is a 400. */
export function decodeTimeCursor(list: string, raw: string): TimeCursor {
  const cursor = codec.decode(raw);
  if (cursor.l !== list) throw invalidCursor(`was made for another list (${cursor.l})`);
  return { at: cursor.t, id: cursor.i };
}

/** A timestamp column as cursor text: UTC, microseconds kept. */
export const cursorText = (column: string) =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
