import { CursorCodec } from '@sp/platform';
import { z } from 'zod';
import { uuid } from '@sp/types';
import type { ListCursor } from './desk.repository';

const codec = new CursorCodec(
  z.object({ c: z.string().regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/), i: uuid() }).strict(),
);

/** Where a page of the desk's list ended: the last inquiry's creation time and id. */
export const encodeListCursor = ({ createdAt, id }: ListCursor): string =>
  codec.encode({ c: createdAt, i: id });

/** Reads a cursor made by `encodeListCursor`; anything else is the caller's 400. */
export const decodeListCursor = (raw: string): ListCursor => {
  const cursor = codec.decode(raw);
  return { createdAt: cursor.c, id: cursor.i };
};
