import { findNul } from './zod-validation.pipe';

describe('findNul', () => {
  it('names every string value or key holding U+0000, by its dotted path', () => {
    expect(
      findNul({ name: 'a\u0000b', tags: ['ok', 'x\u0000'], nested: { 'k\u0000': 'v' } }, ['body']),
    ).toEqual(['body.name', 'body.tags.1', 'body.nested.k\u0000']);
    expect(findNul({ name: 'fine', n: 1, none: null })).toEqual([]);
  });

  it('leaves bytes alone instead of walking them entry by entry (a raw CSV body)', () => {
    const body = Buffer.alloc(1_000_000, 'a');
    body[10] = 0;
    const entries = jest.spyOn(Object, 'entries');
    try {
      expect(findNul(body)).toEqual([]);
      expect(findNul({ file: new Uint8Array(body) })).toEqual([]);
      expect(findNul(body.buffer)).toEqual([]);
      // Only the wrapping object above was walked.
      expect(entries).toHaveBeenCalledTimes(1);
    } finally {
      entries.mockRestore();
    }
  });
});
