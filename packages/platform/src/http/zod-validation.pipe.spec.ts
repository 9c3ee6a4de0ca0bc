import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { AppError } from '../app-error';
import {
  findNul,
  MAX_ERRORS_LISTED,
  MAX_INPUT_DEPTH,
  MAX_OBJECT_KEYS,
  nestedDeeperThan,
  ZodValidationPipe,
} from './zod-validation.pipe';

/** `[[[…]]]` nested `depth` levels, built without recursion. */
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

class NoteDto extends createZodDto(z.object({ note: z.unknown() })) {}

describe('ZodValidationPipe', () => {
  const pipe = new ZodValidationPipe();
  const asBody = { type: 'body', metatype: NoteDto } as const;

  it('refuses a body nested deeper than the limit as a 400, however deep (found by the fuzz suite: a 500 from a stack overflow)', () => {
    for (const depth of [MAX_INPUT_DEPTH + 1, 100_000]) {
      let thrown: unknown;
      try {
        pipe.transform({ note: nested(depth) }, asBody);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect(thrown).toMatchObject({
        code: 'validation-error',
        errors: [{ in: 'body', field: '(root)', code: 'too_deep' }],
      });
    }
  });

  it('takes nesting up to the limit', () => {
    const body = { note: nested(MAX_INPUT_DEPTH - 1) };
    expect(pipe.transform(body, asBody)).toEqual(body);
  });

  it('refuses an object of more keys than a contract has before zod reads it (helper-48: 100,000 answers took 500 MB)', () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    let thrown: unknown;
    try {
      pipe.transform({ note: { answers: wide } }, asBody);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      code: 'validation-error',
      errors: [{ in: 'body', field: 'note.answers', code: 'too_many_keys' }],
    });
    const fits = {
      note: Object.fromEntries(Array.from({ length: MAX_OBJECT_KEYS }, (_, i) => [`k${i}`, i])),
    };
    expect(pipe.transform(fits, asBody)).toEqual(fits);
  });

  it('lists at most a hundred errors, and says how many more there were', () => {
    class ManyDto extends createZodDto(z.object({ items: z.array(z.string()) })) {}
    let thrown: unknown;
    try {
      pipe.transform(
        { items: Array.from({ length: 5_000 }, () => 1) },
        { type: 'body', metatype: ManyDto },
      );
    } catch (error) {
      thrown = error;
    }
    expect((thrown as AppError).errors).toHaveLength(MAX_ERRORS_LISTED);
    expect((thrown as AppError).message).toMatch(/and 4900 more$/);
  });

  it('still names each field holding a NUL', () => {
    expect(() => pipe.transform({ note: { a: ['x\u0000'] } }, asBody)).toThrow(
      'invalid body: note.a.0',
    );
  });
});

describe('nestedDeeperThan', () => {
  it('counts levels of arrays and objects, not of scalars', () => {
    expect(nestedDeeperThan('text', 0)).toBe(false);
    expect(nestedDeeperThan({}, 0)).toBe(true);
    expect(nestedDeeperThan({ a: [1] }, 2)).toBe(false);
    expect(nestedDeeperThan({ a: [[1]] }, 2)).toBe(true);
  });

  it('does not walk bytes (a raw CSV body) entry by entry', () => {
    const values = jest.spyOn(Object, 'values');
    try {
      expect(nestedDeeperThan({ file: Buffer.alloc(1_000_000, 'a') }, 1)).toBe(false);
      expect(values).toHaveBeenCalledTimes(1);
    } finally {
      values.mockRestore();
    }
  });
});

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
