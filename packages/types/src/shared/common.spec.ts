import { z } from 'zod';
import { personName, singleLine, uuid } from './common';

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

describe('singleLine() and personName()', () => {
  it('take one line in every script, trimmed', () => {
    expect(singleLine(50).parse('  東京大学 Université de Genève  ')).toBe(
      '東京大学 Université de Genève',
    );
    expect(personName(50).parse('J.R.R. Tolkien')).toBe('J.R.R. Tolkien');
    expect(personName(50).parse("Siobhán O'Brien-Łukasiewicz")).toBe("Siobhán O'Brien-Łukasiewicz");
  });

  it('refuse line breaks, tabs, NUL, separators and bidi overrides', () => {
    for (const text of ['a\nb', 'a\r\nb', 'a\tb', 'a\u0000b', 'a\u2028b', 'a\u202Eb', 'a\u2066b'])
      expect(singleLine(50).safeParse(text).success).toBe(false);
  });

  it('refuse a web address in a name', () => {
    for (const name of [
      'Aiko https://pay.example/confirm',
      'Visit www.pay.example',
      'pay.example/confirm',
      'HTTP://X',
    ])
      expect(personName(100).safeParse(name).success).toBe(false);
  });
});
