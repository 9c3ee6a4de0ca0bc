import { z } from 'zod';
import { uuid } from './common';

describe('uuid()', () => {
  const upper = 'B17F117B-1796-481F-A179-803D64271BAD';
  const lower = upper.toLowerCase();

  it('gives every UUID in lower case, as Postgres stores it (found by the fuzz suite)', () => {
    const params = z.object({
      id: uuid(),
      documentId: uuid().optional(),
      partnerId: uuid().nullable(),
      slug: z.string(),
    });
    expect(
      params.parse({ id: upper, documentId: upper, partnerId: null, slug: 'ABC-Def' }),
    ).toEqual(
      // Only UUIDs: other text keeps its case.
      { id: lower, documentId: lower, partnerId: null, slug: 'ABC-Def' },
    );
  });

  it('lower-cases before a later step compares ids: one id in two cases is one id', () => {
    const ids = z
      .array(uuid())
      .transform((list) => [...new Set(list)])
      .default([]);
    expect(ids.parse([upper, lower, upper])).toEqual([lower]);
    expect(
      z.object({ nested: z.array(z.object({ id: uuid() })) }).parse({ nested: [{ id: upper }] }),
    ).toEqual({ nested: [{ id: lower }] });
  });

  it('still refuses what is not a UUID, and describes itself as z.uuid() does', () => {
    expect(uuid().safeParse('B17F117B-1796-481F-A179').success).toBe(false);
    expect(z.toJSONSchema(uuid())).toEqual(z.toJSONSchema(z.uuid()));
  });
});
